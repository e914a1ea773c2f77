import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { createSelfMetrics, type SelfMetrics } from '../server/self-metrics.js';
import type { Tsdb } from '../tsdb/index.js';
import { openTestTsdb, RecordingSink } from './samples-test-support.js';
import { SeriesQuota } from './quota.js';
import { readUdpDrops, slotTimestamp, startStatsdListener, type StatsdListener } from './statsd-listener.js';

const T0 = Date.UTC(2026, 0, 10, 12);

/** Sends datagrams to the listener and waits until it has received them all. */
async function send(l: StatsdListener, datagrams: (string | Buffer)[]): Promise<void> {
  const start = l.received();
  const sock = createSocket('udp4');
  for (const d of datagrams) await new Promise<void>((resolve, reject) => sock.send(d, l.port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
  sock.close();
  const deadline = Date.now() + 5000;
  while (l.received() < start + datagrams.length) {
    if (Date.now() > deadline) throw new Error('datagrams did not arrive');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('statsd UDP listener into the tsdb', () => {
  const clock = { t: T0, now() { return this.t; } };
  let tsdb: Tsdb;
  let closeTsdb: () => Promise<void>;
  let metrics: SelfMetrics;
  let listener: StatsdListener;
  before(async () => {
    const t = await openTestTsdb(clock);
    tsdb = t.tsdb;
    closeTsdb = t.close;
    metrics = createSelfMetrics();
    listener = await startStatsdListener({ host: '127.0.0.1', port: 0, projectId: 1, samples: tsdb, clock, metrics, flushIntervalMs: 3_600_000 });
    await listener.flush(); // starts the first interval at T0: rates divide by the real elapsed time
  });
  after(async () => {
    await listener.close();
    await closeTsdb();
  });

  /** The value stored for `name` at the flush time, or null. */
  const valueAt = async (name: string, at: number, tags: Record<string, string> = {}): Promise<number | null> => {
    const r = await tsdb.query({ projectId: 1, name, tags, from: at, to: at, step: 1000, agg: 'last', tier: 0 });
    return r.series[0]?.values[0] ?? null;
  };

  it('binds a port and gets a large receive buffer', () => {
    assert.ok(listener.port > 0);
    assert.ok(listener.recvBufferBytes >= 200_000, `granted ${listener.recvBufferBytes}`);
  });

  it('aggregates counters (sample rates), timers, gauges (+/-) and sets over an interval, then flushes them durably', async () => {
    clock.t += 10_000;
    await send(listener, [
      'hits:1|c|@0.5\nhits:1|c|@0.5', 'lat:10|ms\nlat:20|ms\nlat:30|ms', 'temp:5|g', 'temp:+3|g', 'users:a|s\nusers:b|s\nusers:a|s',
    ]);
    await listener.flush();
    const at = clock.t;
    const table: [string, number][] = [
      ['hits.count', 4], ['hits.rate', 0.4], ['lat.count', 3], ['lat.mean', 20], ['lat.lower', 10], ['lat.upper', 30], ['lat.sum', 60],
      ['lat.median', 20], ['lat.p90', 30], ['temp', 8], ['users.count', 2],
    ];
    for (const [name, want] of table) assert.equal(await valueAt(name, at), want, name);
    assert.equal(tsdb.series({ projectId: 1, namePrefix: 'hits.rate' })[0]?.type, 'rate');
  });

  it('keeps the good lines of a datagram with a malformed line, and counts the malformed one', async () => {
    clock.t += 10_000;
    await send(listener, ['ok.a:1|c\nnot a metric\nok.b:2|g\n:|c']);
    await listener.flush();
    assert.equal(await valueAt('ok.a.count', clock.t), 1);
    assert.equal(await valueAt('ok.b', clock.t), 2);
    const text = await metrics.registry.metrics();
    assert.match(text, /oversee_reports_rejected_total\{protocol="statsd",reason="malformed"\} 2/);
    assert.match(text, /oversee_statsd_udp_drops \d+/);
    assert.match(text, /oversee_statsd_datagrams_total \d+/);
  });

  it('takes DogStatsD tags as series tags', async () => {
    clock.t += 10_000;
    await send(listener, ['req:1|c|#env:prod,region:eu', 'req:2|c|#env:dev']);
    await listener.flush();
    assert.equal(await valueAt('req.count', clock.t, { env: 'prod' }), 1);
    assert.equal(await valueAt('req.count', clock.t, { env: 'dev' }), 2);
  });

  it('fuzz: random datagrams never stop the listener; a valid line after them is still aggregated', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.oneof(fc.string({ maxLength: 60 }), fc.uint8Array({ maxLength: 60 }).map((u) => Buffer.from(u))), { minLength: 1, maxLength: 5 }), async (ds) => {
      await send(listener, ds.map((d) => (typeof d === 'string' ? (d === '' ? ' ' : d) : d.length === 0 ? Buffer.from(' ') : d)));
    }), { numRuns: 50 });
    clock.t += 10_000;
    await send(listener, ['after.fuzz:7|g']);
    await listener.flush();
    assert.equal(await valueAt('after.fuzz', clock.t), 7);
  });
});

describe('statsd flush timer and failures', () => {
  it('flushes on its own every interval, and once more on close', async () => {
    const metrics = createSelfMetrics();
    const sink = new RecordingSink();
    const l = await startStatsdListener({ host: '127.0.0.1', port: 0, projectId: 3, samples: sink, clock: { now: () => Date.now() }, metrics, flushIntervalMs: 30 });
    await send(l, ['tick:1|c']);
    const deadline = Date.now() + 5000;
    while (!sink.written.some((s) => s.name === 'tick.count')) {
      assert.ok(Date.now() < deadline, 'no flush within 5 s');
      await new Promise((r) => setTimeout(r, 10));
    }
    await send(l, ['last:5|g']);
    await l.close();
    assert.ok(sink.written.some((s) => s.name === 'last' && s.value === 5 && s.projectId === 3), 'close flushed the last interval');
  });

  it('counts the samples of a flush that could not be made durable as lost', async () => {
    const metrics = createSelfMetrics();
    const sink = new RecordingSink();
    sink.failWith = new Error('disk full');
    const errors: string[] = [];
    const l = await startStatsdListener({
      host: '127.0.0.1', port: 0, projectId: 1, samples: sink, clock: { now: () => Date.now() }, metrics, flushIntervalMs: 3_600_000,
      onError: (_e, what) => errors.push(what),
    });
    await send(l, ['x:1|c']);
    await assert.rejects(l.flush(), /disk full/);
    assert.match(await metrics.registry.metrics(), /oversee_statsd_lost_samples_total 2/);
    await l.close();
    assert.deepEqual(errors, ['statsd flush']);
  });
});

describe('readUdpDrops', () => {
  it('reads the drops column of the socket bound to the port, from udp and udp6 tables', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oversee-proc-'));
    try {
      const header = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n';
      const row = (port: number, drops: number) =>
        `  1: 0100007F:${port.toString(16).toUpperCase().padStart(4, '0')} 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 12345 2 0000000000000000 ${drops}\n`;
      writeFileSync(join(dir, 'udp'), header + row(8125, 17) + row(53, 4));
      writeFileSync(join(dir, 'udp6'), header + row(8125, 3));
      const files = [join(dir, 'udp'), join(dir, 'udp6')];
      assert.equal(readUdpDrops(8125, files), 20);
      assert.equal(readUdpDrops(53, files), 4);
      assert.equal(readUdpDrops(9999, files), null);
      assert.equal(readUdpDrops(8125, [join(dir, 'missing')]), null);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('statsd flush timestamps on a sample slot (several nodes)', () => {
  it('is the latest time ≡ slot (mod modulus) not after now, and always after the previous flush', () => {
    const s = { slot: 7, modulusMs: 1000 };
    assert.equal(slotTimestamp(T0 + 10_500, -Infinity, s), T0 + 10_007);
    assert.equal(slotTimestamp(T0 + 10_005, -Infinity, s), T0 + 9_007, 'not after now');
    assert.equal(slotTimestamp(T0 + 10_500, T0 + 10_007, s), T0 + 11_007, 'a second flush in the same second moves one period on');
    fc.assert(fc.property(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 10 ** 9 }), fc.integer({ min: -5000, max: 5000 }), (slot, now, back) => {
      const last = now + back;
      const t = slotTimestamp(now, last, { slot, modulusMs: 1000 });
      assert.equal(((t % 1000) + 1000) % 1000, slot);
      assert.ok(t > last);
      assert.ok(t - 1000 <= Math.max(now, last), 'the smallest such time');
    }));
  });
});

/** The value stored for `name` (no tags) of project 1 at `at`, or null. */
async function storedValue(tsdb: Tsdb, name: string, at: number): Promise<number | null> {
  const r = await tsdb.query({ projectId: 1, name, tags: {}, from: at, to: at, step: 1000, agg: 'last', tier: 0 });
  return r.series[0]?.values[0] ?? null;
}

describe('statsd with a series limit ([limits] max_series)', () => {
  const N = 4;
  it(`keeps ${N} series of ${N + 5} new gauges, counts and warns about the rest once per flush, and keeps updating the kept ones`, async () => {
    const clock = { t: T0, now() { return this.t; } };
    const { tsdb, close } = await openTestTsdb(clock);
    const metrics = createSelfMetrics();
    const warnings: [string, number][] = [];
    const quota = new SeriesQuota({ maxSeries: N, projects: new Map() }, tsdb, clock);
    const l = await startStatsdListener({
      host: '127.0.0.1', port: 0, projectId: 1, samples: tsdb, clock, metrics, flushIntervalMs: 3_600_000,
      quota: { quota, project: { id: 1, name: 'default' } }, onQuotaDrops: (project, n) => warnings.push([project, n]),
    });
    try {
      const names = Array.from({ length: N + 5 }, (_, i) => `q.g${i}`);
      clock.t += 10_000;
      await send(l, names.map((n, i) => `${n}:${i}|g`));
      await l.flush();
      const kept = tsdb.series({ projectId: 1 }).map((s) => s.name).sort();
      assert.equal(kept.length, N, `stored: ${kept.join(', ')}`);
      assert.deepEqual(warnings, [['default', 5]]);
      assert.match(await metrics.registry.metrics(), /oversee_reports_rejected_total\{protocol="statsd",reason="quota"\} 5\n/);

      // Next interval: every gauge gets a new value; the kept series take it, no new series appears.
      clock.t += 10_000;
      await send(l, names.map((n, i) => `${n}:${100 + i}|g`));
      await l.flush();
      assert.deepEqual(tsdb.series({ projectId: 1 }).map((s) => s.name).sort(), kept);
      for (const name of kept) {
        assert.equal(await storedValue(tsdb, name, clock.t), 100 + Number(name.slice('q.g'.length)), name);
      }
      assert.deepEqual(warnings, [['default', 5], ['default', 5]]);
      assert.match(await metrics.registry.metrics(), /oversee_reports_rejected_total\{protocol="statsd",reason="quota"\} 10\n/);
    } finally {
      await l.close();
      await close();
    }
  });

  it('counts series stored before the listener started, and a project without a limit is not limited', async () => {
    const clock = { t: T0, now() { return this.t; } };
    const { tsdb, close } = await openTestTsdb(clock);
    try {
      for (const n of ['old.a', 'old.b']) assert.equal(tsdb.append(1, n, {}, T0, 1), null);
      await tsdb.commit();
      const metrics = createSelfMetrics();
      const limits = { maxSeries: 3, projects: new Map([['free', null]]) };
      const limited = await startStatsdListener({
        host: '127.0.0.1', port: 0, projectId: 1, samples: tsdb, clock, metrics, flushIntervalMs: 3_600_000,
        quota: { quota: new SeriesQuota(limits, tsdb, clock), project: { id: 1, name: 'default' } },
      });
      clock.t += 10_000;
      await send(limited, ['old.a:5|g\nnew.x:1|g\nnew.y:2|g\nnew.z:3|g']);
      await limited.flush();
      assert.equal(tsdb.series({ projectId: 1 }).length, 3, 'two old series + one new');
      assert.equal(await storedValue(tsdb, 'old.a', clock.t), 5, 'an old series still takes samples');
      assert.match(await metrics.registry.metrics(), /reason="quota"\} 2\n/);
      await limited.close();

      const free = await startStatsdListener({
        host: '127.0.0.1', port: 0, projectId: 2, samples: tsdb, clock, metrics: createSelfMetrics(), flushIntervalMs: 3_600_000,
        quota: { quota: new SeriesQuota(limits, tsdb, clock), project: { id: 2, name: 'free' } },
      });
      await send(free, ['f.a:1|g\nf.b:1|g\nf.c:1|g\nf.d:1|g\nf.e:1|g']);
      await free.close();
      assert.equal(tsdb.series({ projectId: 2 }).length, 5);
    } finally {
      await close();
    }
  });
});
