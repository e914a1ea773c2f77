import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { createSelfMetrics, type SelfMetrics } from '../server/self-metrics.js';
import type { Tsdb } from '../tsdb/index.js';
import { startGraphiteListener, type GraphiteListener } from './graphite-listener.js';
import { SeriesQuota } from './quota.js';
import { durableWalSamples, openTestTsdb, RecordingSink, storedPoints } from './samples-test-support.js';

const T0 = Date.UTC(2026, 0, 10, 12);
const T0_S = T0 / 1000;

/** Opens a connection, writes the chunks one by one, half-closes, and waits until the server closes it. */
function sendTcp(port: number, chunks: (string | Buffer)[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1', () => {
      for (const c of chunks) sock.write(c);
      sock.end();
    });
    sock.on('error', reject);
    sock.on('close', () => resolve());
    sock.resume();
  });
}

describe('Graphite plaintext TCP listener into the tsdb', () => {
  const clock = { t: T0, now() { return this.t; } };
  let tsdb: Tsdb;
  let tsdbPath: string;
  let closeTsdb: () => Promise<void>;
  let metrics: SelfMetrics;
  let listener: GraphiteListener;
  before(async () => {
    const t = await openTestTsdb(clock);
    tsdb = t.tsdb;
    tsdbPath = t.path;
    closeTsdb = t.close;
    metrics = createSelfMetrics();
    listener = await startGraphiteListener({ host: '127.0.0.1', port: 0, projectId: 1, samples: tsdb, clock, metrics, maxLineLength: 1000 });
  });
  after(async () => {
    await listener.close();
    await closeTsdb();
  });
  const points = (name: string) => storedPoints(tsdb, 1, name, T0 - 60_000, T0 + 60_000);

  it('stores `path value timestamp` lines durably once the sender closes, with Graphite 1.1 tags', async () => {
    await sendTcp(listener.port, [`servers.web1.cpu 12.5 ${T0_S}\nservers.web1.cpu 13 ${T0_S + 10}\n`, `disk.used;host=a;dc=x 70 ${T0_S}\n`]);
    assert.equal(await durableWalSamples(tsdbPath), 3, 'in the WAL on disk when the server closed the connection');
    assert.deepEqual(await points('servers.web1.cpu'), [[{}, T0, 12.5], [{}, T0 + 10_000, 13]]);
    assert.deepEqual(await points('disk.used'), [[{ dc: 'x', host: 'a' }, T0, 70]]);
  });

  it('joins lines split across TCP chunks and takes a last line without newline', async () => {
    await sendTcp(listener.port, ['split.me 4', `2 ${T0_S}\nno.newline 1 `, `${T0_S}`]);
    assert.deepEqual(await points('split.me'), [[{}, T0, 42]]);
    assert.deepEqual(await points('no.newline'), [[{}, T0, 1]]);
  });

  it('timestamp -1 means now', async () => {
    await sendTcp(listener.port, ['now.metric 5 -1\n']);
    assert.deepEqual(await points('now.metric'), [[{}, T0, 5]]);
  });

  it('skips and counts malformed and over-long lines, keeps the rest of the stream', async () => {
    await sendTcp(listener.port, [`bad line\nkeep.a 1 ${T0_S}\n${'x'.repeat(1500)}`, `${'y'.repeat(100)} 1 ${T0_S}\nkeep.b 2 ${T0_S}\nnan.v NaN ${T0_S}\n`]);
    assert.deepEqual(await points('keep.a'), [[{}, T0, 1]]);
    assert.deepEqual(await points('keep.b'), [[{}, T0, 2]]);
    assert.match(await metrics.registry.metrics(), /oversee_reports_rejected_total\{protocol="graphite",reason="malformed"\} 3/);
  });

  it('fuzz: random byte streams never stop the listener, and a good line afterwards is stored', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.oneof(fc.string({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }).map((u) => Buffer.from(u))), { maxLength: 4 }), async (chunks) => {
      await sendTcp(listener.port, chunks);
    }), { numRuns: 40 });
    await sendTcp(listener.port, [`after.fuzz 9 ${T0_S}\n`]);
    assert.deepEqual(await points('after.fuzz'), [[{}, T0, 9]]);
  });
});

describe('Graphite listener failures', () => {
  it('closes the connection when a commit fails, and stays up for the next one', async () => {
    const sink = new RecordingSink();
    sink.failWith = new Error('disk full');
    const errors: string[] = [];
    const l = await startGraphiteListener({
      host: '127.0.0.1', port: 0, projectId: 1, samples: sink, clock: { now: () => T0 }, metrics: createSelfMetrics(), onError: (_e, w) => errors.push(w),
    });
    try {
      await sendTcp(l.port, [`a 1 ${T0_S}\n`]);
      sink.failWith = null;
      await sendTcp(l.port, [`b 2 ${T0_S}\n`]);
      assert.deepEqual(sink.written.map((s) => s.name), ['b']);
      assert.deepEqual(errors, ['graphite commit']);
    } finally {
      await l.close();
    }
  });
});

describe('Graphite with a series limit ([limits] max_series)', () => {
  const N = 4;
  it(`stores ${N} series of ${N + 5} new paths, counts and reports the rest once per interval, and keeps taking the kept ones`, async () => {
    const clock = { t: T0, now() { return this.t; } };
    const t = await openTestTsdb(clock);
    const metrics = createSelfMetrics();
    const reports: [string, number][] = [];
    const l = await startGraphiteListener({
      host: '127.0.0.1', port: 0, projectId: 1, samples: t.tsdb, clock, metrics,
      quota: { quota: new SeriesQuota({ maxSeries: N, projects: new Map() }, t.tsdb, clock), project: { id: 1, name: 'default' } },
      onQuotaDrops: (project, n) => reports.push([project, n]), quotaReportMs: 50,
    });
    try {
      const paths = Array.from({ length: N + 5 }, (_, i) => `q.p${i}`);
      // Two chunks: the limit is reached inside the first one and holds across chunks.
      await sendTcp(l.port, [paths.slice(0, 6).map((p, i) => `${p} ${i} ${T0_S}\n`).join(''), paths.slice(6).map((p, i) => `${p} ${6 + i} ${T0_S}\n`).join('')]);
      assert.deepEqual(t.tsdb.series({ projectId: 1 }).map((s) => s.name), paths.slice(0, N), 'the first N paths, in the order sent');
      assert.equal(await durableWalSamples(t.path), N);
      assert.match(await metrics.registry.metrics(), /oversee_reports_rejected_total\{protocol="graphite",reason="quota"\} 5\n/);
      const deadline = Date.now() + 5000;
      while (reports.length === 0) {
        assert.ok(Date.now() < deadline, 'no report within 5 s');
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.deepEqual(reports, [['default', 5]], 'one report for the interval, not one per line or chunk');

      // A later connection: the kept series take new points, the others are still refused.
      await sendTcp(l.port, [paths.map((p, i) => `${p} ${100 + i} ${T0_S + 10}\n`).join('')]);
      for (const [i, p] of paths.entries()) {
        const pts = await storedPoints(t.tsdb, 1, p, T0 - 60_000, T0 + 60_000);
        assert.deepEqual(pts, i < N ? [[{}, T0, i], [{}, T0 + 10_000, 100 + i]] : [], p);
      }
      assert.match(await metrics.registry.metrics(), /oversee_reports_rejected_total\{protocol="graphite",reason="quota"\} 10\n/);
    } finally {
      await l.close();
      await t.close();
    }
    assert.deepEqual(reports, [['default', 5], ['default', 5]], 'the drops since the last report are reported on close at the latest');
  });

  it('without a limit for the project nothing is refused', async () => {
    const clock = { t: T0, now() { return this.t; } };
    const t = await openTestTsdb(clock);
    const metrics = createSelfMetrics();
    const l = await startGraphiteListener({
      host: '127.0.0.1', port: 0, projectId: 1, samples: t.tsdb, clock, metrics,
      quota: { quota: new SeriesQuota({ maxSeries: 2, projects: new Map([['default', null]]) }, t.tsdb, clock), project: { id: 1, name: 'default' } },
    });
    try {
      await sendTcp(l.port, [`a 1 ${T0_S}\nb 1 ${T0_S}\nc 1 ${T0_S}\n`]);
      assert.equal(t.tsdb.series({ projectId: 1 }).length, 3);
      assert.doesNotMatch(await metrics.registry.metrics(), /reason="quota"/);
    } finally {
      await l.close();
      await t.close();
    }
  });
});
