import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { createServer, connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { createSelfMetrics } from '../server/self-metrics.js';
import { startMetricListeners } from './metric-listeners.js';
import { SeriesQuota } from './quota.js';
import { freeTcpPort, freeUdpPort, openTestTsdb, RecordingSink } from './samples-test-support.js';

const base = () => ({ host: '127.0.0.1', projectId: 1, samples: new RecordingSink(), clock: { now: () => 1_700_000_000_000 }, metrics: createSelfMetrics() });

describe('startMetricListeners', () => {
  it('starts statsd and Graphite on their ports and closes both, flushing statsd', async () => {
    const o = base();
    const l = await startMetricListeners({ ...o, statsdPort: await freeUdpPort(), graphitePort: await freeTcpPort() });
    assert.ok(l.statsd && l.graphite);
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.send('a:1|c', l.statsd!.port, '127.0.0.1', () => r()));
    sock.close();
    while (l.statsd.received() < 1) await new Promise((r) => setTimeout(r, 5));
    await new Promise<void>((resolve) => { const c = connect(l.graphite!.port, '127.0.0.1', () => c.end('g.x 1 1700000000\n')); c.on('close', () => resolve()); c.resume(); });
    await l.close();
    assert.deepEqual(o.samples.written.map((s) => s.name).sort(), ['a.count', 'a.rate', 'g.x']);
  });

  it('passes the series quota to both listeners and reports their drops by protocol', async () => {
    const clock = { now: () => 1_700_000_000_000 };
    const t = await openTestTsdb(clock);
    const metrics = createSelfMetrics();
    const drops: [string, string, number][] = [];
    const l = await startMetricListeners({
      host: '127.0.0.1', projectId: 1, samples: t.tsdb, clock, metrics, statsdPort: await freeUdpPort(), graphitePort: await freeTcpPort(), statsdFlushMs: 3_600_000,
      quota: { quota: new SeriesQuota({ maxSeries: 1, projects: new Map() }, t.tsdb, clock), project: { id: 1, name: 'default' } },
      onQuotaDrops: (protocol, project, n) => drops.push([protocol, project, n]),
    });
    try {
      await new Promise<void>((resolve) => { const c = connect(l.graphite!.port, '127.0.0.1', () => c.end('g.x 1 1700000000\ng.y 1 1700000000\n')); c.on('close', () => resolve()); c.resume(); });
      const sock = createSocket('udp4');
      await new Promise<void>((r) => sock.send('s.a:1|g\ns.b:2|g', l.statsd!.port, '127.0.0.1', () => r()));
      sock.close();
      while (l.statsd!.received() < 1) await new Promise((r) => setTimeout(r, 5));
      await l.statsd!.flush();
      assert.deepEqual(t.tsdb.series({ projectId: 1 }).map((s) => s.name), ['g.x']);
      assert.deepEqual(drops, [['statsd', 'default', 2]]);
    } finally {
      await l.close();
      await t.close();
    }
    assert.deepEqual(drops.slice(1).sort(), [['graphite', 'default', 1], ['statsd', 'default', 2]], 'close flushes statsd once more and reports Graphite\'s drops');
  });

  it('port 0 disables a listener', async () => {
    const l = await startMetricListeners({ ...base(), statsdPort: 0, graphitePort: 0 });
    assert.deepEqual([l.statsd, l.graphite], [null, null]);
    await l.close();
  });

  it('a Graphite port in use fails the start and releases the statsd port', async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const port = (busy.address() as AddressInfo).port;
    const udp = await freeUdpPort();
    await assert.rejects(startMetricListeners({ ...base(), statsdPort: udp, graphitePort: port }), /EADDRINUSE/);
    const again = await startMetricListeners({ ...base(), statsdPort: udp, graphitePort: 0 });
    await again.close();
    busy.close();
  });
});
