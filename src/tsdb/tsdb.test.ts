import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteTsdbStorage } from '../store/sqlite/tsdb-storage.js';
import { Tsdb, type TsdbOptions } from './index.js';

const T0 = Date.UTC(2026, 0, 10); // a day boundary: raw windows and rollup spans align on it
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

class ManualClock {
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
}

async function withTsdb(fn: (ctx: { tsdb: Tsdb; clock: ManualClock; reopen: () => Promise<Tsdb>; path: string }) => Promise<void>, opts: Partial<TsdbOptions> = {}): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'oversee-tsdb-'));
  const path = join(dir, 'tsdb.sqlite');
  const clock = new ManualClock(T0 + DAY);
  const opened: Tsdb[] = [];
  const open = async (): Promise<Tsdb> => {
    const t = await Tsdb.open({ storage: openSqliteTsdbStorage({ path }), clock, commitDelayMs: 0, ...opts });
    opened.push(t);
    return t;
  };
  try {
    await fn({ tsdb: await open(), clock, reopen: open, path });
  } finally {
    for (const t of opened) await t.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

test('appended samples are queryable at once, after a checkpoint, after compaction and after reopening', async () => {
  await withTsdb(async ({ tsdb, reopen }) => {
    for (let i = 0; i < 30; i++) assert.equal(tsdb.append(1, 'cpu', { host: 'a' }, T0 + i * 10_000, i), null);
    await tsdb.commit();
    const q = { projectId: 1, name: 'cpu', from: T0, to: T0 + 299_999, step: MIN, agg: 'avg' as const, tier: 0 };
    const want = [2.5, 8.5, 14.5, 20.5, 26.5];
    assert.deepEqual((await tsdb.query(q)).series[0]!.values, want);
    await tsdb.checkpoint();
    assert.deepEqual((await tsdb.query(q)).series[0]!.values, want);
    await tsdb.compact({ force: true });
    assert.deepEqual((await tsdb.query(q)).series[0]!.values, want);
    await tsdb.close();
    const again = await reopen();
    const r = await again.query(q);
    assert.deepEqual(r.timestamps, [0, 1, 2, 3, 4].map((i) => T0 + i * MIN));
    assert.deepEqual(r.series, [{ name: 'cpu', tags: { host: 'a' }, values: want }]);
  });
});

test('an acknowledged sample is replayed from the WAL when the process stops without closing', async () => {
  await withTsdb(async ({ tsdb, reopen }) => {
    const summary = await tsdb.appendBatch([
      { projectId: 1, name: 'm', tags: { b: '2', a: '1' }, timestampMs: T0, value: 1.5, type: 'counter' },
      { projectId: 1, name: 'm', tags: { a: '1', b: '2' }, timestampMs: T0 + 1000, value: 2.5 },
    ]);
    assert.deepEqual(summary, { accepted: 2, rejected: [] });
    const other = await reopen(); // a second process reading the same file: no close, no checkpoint
    assert.deepEqual(other.series({ projectId: 1 }).map((s) => [s.name, s.tags, s.type]), [['m', { a: '1', b: '2' }, 'counter']]);
    const r = await other.query({ projectId: 1, name: 'm', from: T0, to: T0 + 1999, step: 1000, agg: 'last', tier: 0 });
    assert.deepEqual(r.series[0]!.values, [1.5, 2.5]);
  });
});

test('out-of-order and duplicate timestamps: accepted, sorted, and the last write wins', async () => {
  await withTsdb(async ({ tsdb }) => {
    const put = async (ts: number, v: number): Promise<void> => {
      assert.equal(tsdb.append(1, 'g', {}, ts, v), null);
      await tsdb.commit();
    };
    await put(T0 + 20_000, 2);
    await put(T0 + 10_000, 1);
    await put(T0 + 20_000, 20); // duplicate in the head
    await tsdb.checkpoint();
    await put(T0 + 10_000, 10); // duplicate of a sample already in a chunk
    await put(T0 + 5_000, 0.5); // late sample into the same window
    const q = { projectId: 1, name: 'g', from: T0, to: T0 + 29_999, step: 5_000, agg: 'last' as const, tier: 0 };
    const want = [null, 0.5, 10, null, 20, null];
    assert.deepEqual((await tsdb.query(q)).series[0]!.values, want);
    await tsdb.checkpoint();
    assert.deepEqual((await tsdb.query(q)).series[0]!.values, want);
    await tsdb.compact({ force: true });
    assert.deepEqual((await tsdb.query(q)).series[0]!.values, want);
    const st = await tsdb.stats();
    assert.equal(st.rawSamples, 3);
    assert.equal(st.chunks, 1);
  });
});

test('refuses samples older than raw retention, far in the future, or with bad names', async () => {
  await withTsdb(async ({ tsdb, clock }) => {
    assert.match(tsdb.append(1, 'x', {}, clock.now() - 8 * DAY, 1) ?? '', /older/);
    assert.match(tsdb.append(1, 'x', {}, clock.now() + 2 * DAY, 1) ?? '', /future/);
    assert.match(tsdb.append(1, '', {}, clock.now(), 1) ?? '', /empty/);
    assert.match(tsdb.append(1, 'x', { '': 'v' }, clock.now(), 1) ?? '', /tag/);
    assert.match(tsdb.append(1, 'x', {}, NaN, 1) ?? '', /timestamp/);
    const s = await tsdb.appendBatch([{ projectId: 1, name: 'x', timestampMs: clock.now(), value: 1 }, { projectId: 1, name: '', timestampMs: clock.now(), value: 1 }]);
    assert.equal(s.accepted, 1);
    assert.equal(s.rejected[0]!.index, 1);
  });
});

test('rate handles counter resets; a gauge may go down', async () => {
  await withTsdb(async ({ tsdb }) => {
    const vals = [0, 100, 200, 50, 150, 250];
    vals.forEach((v, i) => {
      tsdb.append(1, 'req', {}, T0 + i * 10_000, v, 'counter');
      tsdb.append(1, 'temp', {}, T0 + i * 10_000, v, 'gauge');
    });
    await tsdb.commit();
    const q = { projectId: 1, from: T0, to: T0 + 59_999, step: 20_000, agg: 'rate' as const, tier: 0 };
    // buckets: [0,100] [200,50] [150,250]; increases inside each bucket (from the previous sample)
    assert.deepEqual((await tsdb.query({ ...q, name: 'req' })).series[0]!.values, [5, 7.5, 10]);
    assert.deepEqual((await tsdb.query({ ...q, name: 'temp' })).series[0]!.values, [5, -2.5, 10]);
  });
});

test('group by tag, tag filters, percentiles, count, min, max, sum', async () => {
  await withTsdb(async ({ tsdb }) => {
    const hosts = ['a', 'b', 'c'];
    hosts.forEach((h, hi) => {
      for (let i = 0; i < 10; i++) tsdb.append(1, 'lat', { host: h, dc: hi < 2 ? 'x' : 'y' }, T0 + i * 1000, hi * 10 + i);
    });
    await tsdb.commit();
    const base = { projectId: 1, name: 'lat', from: T0, to: T0 + 9_999, step: 10_000, tier: 0 };
    const per = await tsdb.query({ ...base, agg: 'max' });
    assert.deepEqual(per.series.map((s) => [s.tags.host, s.values[0]]), [['a', 9], ['b', 19], ['c', 29]]);
    const byDc = await tsdb.query({ ...base, agg: 'avg', groupBy: ['dc'] });
    assert.deepEqual(byDc.series.map((s) => [s.tags, s.values[0]]), [[{ dc: 'x' }, 9.5], [{ dc: 'y' }, 24.5]]);
    const all = await tsdb.query({ ...base, agg: 'count', groupBy: [] });
    assert.deepEqual(all.series, [{ name: 'lat', tags: {}, values: [30] }]);
    assert.deepEqual((await tsdb.query({ ...base, agg: 'p90', groupBy: [] })).series[0]!.values, [26]); // nearest rank 27 of 30
    assert.deepEqual((await tsdb.query({ ...base, agg: 'p50', tags: { host: 'a|b' }, groupBy: [] })).series[0]!.values, [9]);
    assert.deepEqual((await tsdb.query({ ...base, agg: 'sum', tags: { host: 'c' } })).series[0]!.values, [245]);
    assert.deepEqual((await tsdb.query({ ...base, agg: 'min', tags: { dc: 'y' } })).series[0]!.values, [20]);
    assert.deepEqual((await tsdb.query({ ...base, agg: 'avg', tags: { host: 'zzz' } })).series, []);
  });
});

test('queries validate their input with a named field', async () => {
  await withTsdb(async ({ tsdb }) => {
    const q = { projectId: 1, name: 'x', from: T0, to: T0 + 1000, step: 1000, agg: 'avg' as const };
    await assert.rejects(tsdb.query({ ...q, agg: 'median' as 'avg' }), /agg/);
    await assert.rejects(tsdb.query({ ...q, step: 0 }), /step/);
    await assert.rejects(tsdb.query({ ...q, from: T0 + 5000 }), /from/);
    await assert.rejects(tsdb.query({ ...q, to: T0 + 1e9, step: 1 }), /points/);
  });
});

test('series listing and the dotted-name tree', async () => {
  await withTsdb(async ({ tsdb, clock }) => {
    for (const n of ['sys.cpu.user', 'sys.cpu.system', 'sys.mem', 'app.requests', 'sys']) tsdb.append(1, n, { host: 'a' }, clock.now(), 1);
    tsdb.append(2, 'sys.other', {}, clock.now(), 1);
    await tsdb.commit();
    assert.deepEqual(tsdb.series({ projectId: 1, namePrefix: 'sys.cpu' }).map((s) => s.name), ['sys.cpu.system', 'sys.cpu.user']);
    assert.deepEqual(tsdb.tree(1, ''), [
      { path: 'app', label: 'app', leaf: false, hasChildren: true },
      { path: 'sys', label: 'sys', leaf: true, hasChildren: true },
    ]);
    assert.deepEqual(tsdb.tree(1, 'sys').map((n) => [n.label, n.leaf, n.hasChildren]), [['cpu', false, true], ['mem', true, false]]);
  });
});

test('queries pick the tier that fits the step', async () => {
  await withTsdb(async ({ tsdb, clock }) => {
    tsdb.append(1, 'x', {}, clock.now() - HOUR, 1);
    await tsdb.commit();
    const q = { projectId: 1, name: 'x', to: clock.now(), agg: 'avg' as const };
    assert.equal((await tsdb.query({ ...q, from: clock.now() - HOUR, step: 10_000 })).tier, 0);
    assert.equal((await tsdb.query({ ...q, from: clock.now() - HOUR, step: MIN })).tier, 1);
    assert.equal((await tsdb.query({ ...q, from: clock.now() - 6 * DAY, step: HOUR })).tier, 2);
    assert.equal((await tsdb.query({ ...q, from: clock.now() - 30 * DAY, to: clock.now() - 29 * DAY, step: 10_000 })).tier, 1);
  });
});

test('rollups equal brute force over raw samples, before and after compaction and roll-up', async () => {
  await fc.assert(fc.asyncProperty(
    fc.array(fc.tuple(fc.integer({ min: 0, max: 5 * HOUR }), fc.integer({ min: -1000, max: 1000 })), { minLength: 1, maxLength: 120 }),
    fc.constantFrom('avg', 'min', 'max', 'sum', 'count', 'last'),
    fc.constantFrom(15 * MIN, HOUR, 2 * HOUR),
    async (raw, agg, step) => {
      await withTsdb(async ({ tsdb, clock }) => {
        for (const [dt, v] of raw) assert.equal(tsdb.append(1, 'r', {}, T0 + dt, v / 4), null);
        await tsdb.commit();
        const q = { projectId: 1, name: 'r', from: T0, to: T0 + 6 * HOUR - 1, step, agg: agg as 'avg' };
        const bruteMap = new Map<number, number>();
        for (const [dt, v] of raw) bruteMap.set(T0 + dt, v / 4); // last write wins
        const want = Array.from({ length: (6 * HOUR) / step }, (_, i) => {
          const inBucket = [...bruteMap.entries()].filter(([t]) => t >= T0 + i * step && t < T0 + (i + 1) * step).sort((a, b) => a[0] - b[0]).map(([, v]) => v);
          if (inBucket.length === 0) return null;
          switch (agg) {
            case 'avg': return inBucket.reduce((a, b) => a + b, 0) / inBucket.length;
            case 'min': return Math.min(...inBucket);
            case 'max': return Math.max(...inBucket);
            case 'sum': return inBucket.reduce((a, b) => a + b, 0);
            case 'count': return inBucket.length;
            default: return inBucket[inBucket.length - 1]!;
          }
        });
        const check = async (tier: number): Promise<void> => {
          if (tier === 2 && step < HOUR) return; // a 1 h tier cannot answer 15 min steps
          const got = (await tsdb.query({ ...q, tier })).series[0]!.values;
          got.forEach((g, i) => {
            const w = want[i]!;
            if (w === null) assert.equal(g, null);
            else assert.ok(g !== null && Math.abs(g - w) < 1e-9, `tier ${tier} bucket ${i}: ${g} vs ${w}`);
          });
        };
        await check(0);
        await check(1);
        await check(2);
        await tsdb.checkpoint();
        await check(1);
        clock.t = T0 + 3 * DAY; // every window is now old enough to be rolled up
        await tsdb.compact();
        const st = await tsdb.stats();
        assert.equal(st.rawSamples, bruteMap.size);
        await check(0);
        await check(1);
        await check(2);
      });
    }), { numRuns: 25 });
});

test('retention deletes whole chunks per tier; rolled-up data outlives raw data', async () => {
  await withTsdb(async ({ tsdb, clock }) => {
    clock.t = T0 + 6 * DAY;
    for (let i = 0; i < 60; i++) tsdb.append(1, 'old', {}, T0 + i * MIN, i);
    await tsdb.commit();
    await tsdb.checkpoint();
    clock.t = T0 + 8 * DAY; // raw retention (7 d) has passed for these samples
    await tsdb.applyRetention();
    const st = await tsdb.stats();
    assert.equal(st.rawSamples, 0);
    const q = { projectId: 1, name: 'old', from: T0, to: T0 + HOUR - 1, step: HOUR, agg: 'avg' as const };
    assert.equal((await tsdb.query({ ...q, tier: 0 })).series.length, 0);
    const r = await tsdb.query(q);
    assert.equal(r.tier, 2);
    assert.deepEqual(r.series[0]!.values, [29.5]);
    assert.deepEqual((await tsdb.query({ ...q, tier: 1 })).series[0]!.values, [29.5]);
  });
});

test('a checkpoint is triggered automatically once the WAL holds enough samples', async () => {
  await withTsdb(async ({ tsdb, clock }) => {
    for (let i = 0; i < 50; i++) tsdb.append(1, 'a', {}, clock.now() - i * 1000, i);
    await tsdb.commit();
    await new Promise((r) => setTimeout(r, 20));
    const st = await tsdb.stats();
    assert.equal(st.walRecords, 0);
    assert.equal(st.headSamples, 0);
    assert.equal(st.rawSamples, 50);
  }, { checkpointSamples: 10 });
});

test('runs on a connection shared with other tables', async () => {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(':memory:');
  db.exec('CREATE TABLE projects (id INTEGER PRIMARY KEY)');
  const clock = new ManualClock(T0);
  const tsdb = await Tsdb.open({ storage: openSqliteTsdbStorage({ db }), clock, commitDelayMs: 0 });
  await tsdb.appendBatch([{ projectId: 1, name: 'x', timestampMs: T0, value: 3 }]);
  await tsdb.close();
  assert.equal((db.prepare('SELECT COUNT(*) AS n FROM tsdb_chunks').get() as { n: number }).n, 1);
  db.close();
});

test('refuses settings that would let raw data expire before it is rolled up', async () => {
  const db = new (await import('better-sqlite3')).default(':memory:');
  await assert.rejects(Tsdb.open({ storage: openSqliteTsdbStorage({ db }), clock: new ManualClock(T0), rollupAfterMs: 8 * DAY }), /rollupAfterMs/);
  db.close();
});

test('columnar batches (as a parser worker sends them) land like single appends', async () => {
  const { SampleColumnsBuilder } = await import('./columns.js');
  await withTsdb(async ({ tsdb, clock }) => {
    const b = new SampleColumnsBuilder(2);
    b.add('cols', { host: 'a', dc: 'x' }, T0, 1);
    b.add('cols', { dc: 'x', host: 'a' }, T0 + 1000, 2); // same series, other tag order
    b.add('cols', { host: 'b' }, T0, 3);
    b.add('', {}, T0, 4);
    b.add('cols', { host: 'b' }, clock.now() - 30 * DAY, 5);
    const cols = b.build();
    assert.equal(cols.names.length, 4);
    const r = tsdb.appendColumns(1, structuredClone(cols), 'counter');
    assert.equal(r.accepted, 3);
    assert.deepEqual(r.rejected.map((x) => x.index), [3, 4]);
    await tsdb.commit();
    const q = await tsdb.query({ projectId: 1, name: 'cols', from: T0, to: T0 + 1999, step: 1000, agg: 'last', tier: 0 });
    assert.deepEqual(q.series.map((s) => [s.tags, s.values]), [[{ dc: 'x', host: 'a' }, [1, 2]], [{ host: 'b' }, [3, null]]]);
    assert.equal(tsdb.series({ projectId: 1 })[0]!.type, 'counter');
  });
});

test('model check: random appends, checkpoints, compactions, reopenings and clock moves keep last-write-wins answers', async () => {
  type Op = { kind: 'append'; series: number; dt: number; v: number } | { kind: 'checkpoint' } | { kind: 'compact'; force: boolean } | { kind: 'reopen' } | { kind: 'advance'; ms: number };
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 8, arbitrary: fc.record({ kind: fc.constant('append' as const), series: fc.nat(2), dt: fc.integer({ min: 0, max: 10 * HOUR - 1 }).map((x) => x - (x % 10_000)), v: fc.integer({ min: -50, max: 50 }) }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'checkpoint' as const }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('compact' as const), force: fc.boolean() }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'reopen' as const }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 2 * DAY }) }) },
  );
  await fc.assert(fc.asyncProperty(fc.array(op, { maxLength: 60 }), async (ops) => {
    await withTsdb(async ({ tsdb: first, clock, reopen }) => {
      let tsdb = first;
      clock.t = T0 + 12 * HOUR;
      const model = [new Map<number, number>(), new Map<number, number>(), new Map<number, number>()];
      for (const o of ops) {
        if (o.kind === 'append') {
          const err = tsdb.append(1, 'mc', { s: String(o.series) }, T0 + o.dt, o.v / 2);
          if (err === null) model[o.series]!.set(T0 + o.dt, o.v / 2);
          await tsdb.commit();
        } else if (o.kind === 'checkpoint') await tsdb.checkpoint();
        else if (o.kind === 'compact') await tsdb.compact({ force: o.force });
        else if (o.kind === 'reopen') {
          await tsdb.close();
          tsdb = await reopen();
        } else clock.t = Math.min(clock.t + o.ms, T0 + 6 * DAY); // stay within raw retention of T0
      }
      const r = await tsdb.query({ projectId: 1, name: 'mc', from: T0, to: T0 + 10 * HOUR - 1, step: 10_000, agg: 'last', tier: 0 });
      for (const s of r.series) {
        const m = model[Number(s.tags.s)]!;
        s.values.forEach((v, i) => assert.equal(v, m.get(T0 + i * 10_000) ?? null, `series ${s.tags.s} at +${i * 10}s`));
        assert.equal(s.values.filter((v) => v !== null).length, m.size);
      }
      assert.equal(r.series.length, model.filter((m) => m.size > 0).length);
      const coarse = await tsdb.query({ projectId: 1, name: 'mc', from: T0, to: T0 + 10 * HOUR - 1, step: HOUR, agg: 'sum', groupBy: [] });
      const want = Array.from({ length: 10 }, (_, h) => {
        const vs = model.flatMap((m) => [...m.entries()].filter(([t]) => t >= T0 + h * HOUR && t < T0 + (h + 1) * HOUR).map(([, v]) => v));
        return vs.length === 0 ? null : vs.reduce((a, b) => a + b, 0);
      });
      assert.deepEqual(coarse.series[0]?.values ?? Array(10).fill(null), want);
    });
  }), { numRuns: 30 });
});

test('a checkpoint of many series is written in several transactions and loses nothing', async () => {
  await withTsdb(async ({ tsdb, reopen }) => {
    for (let s = 0; s < 12_000; s++) tsdb.append(1, 'many', { s: String(s) }, T0 + (s % 7) * 1000, s);
    await tsdb.commit();
    await tsdb.checkpoint();
    const st = await tsdb.stats();
    assert.deepEqual([st.chunks, st.rawSamples, st.walRecords, st.headSamples], [12_000, 12_000, 0, 0]);
    await tsdb.close();
    const again = await reopen();
    const r = await again.query({ projectId: 1, name: 'many', from: T0, to: T0 + 9999, step: 10_000, agg: 'sum', groupBy: [] });
    assert.deepEqual(r.series[0]!.values, [(12_000 * 11_999) / 2]);
  });
});
