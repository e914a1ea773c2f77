import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpenTsdbKeyTable, parseOpenTsdbFast } from '../protocols/opentsdb-fast.js';
import { openSqliteTsdbStorage } from '../store/sqlite/tsdb-storage.js';
import { Tsdb } from './index.js';

const NOW = Date.UTC(2026, 0, 10);
const body = (value: number, host = 'a') => Buffer.from(`[{"metric":"k.m","timestamp":${NOW - 1000},"value":${value},"tags":{"host":"${host}"}}]`);

async function withTsdb(fn: (tsdb: Tsdb) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'oversee-append-keyed-'));
  const tsdb = await Tsdb.open({ storage: openSqliteTsdbStorage({ path: join(dir, 't.sqlite') }), clock: { now: () => NOW } });
  try {
    await fn(tsdb);
  } finally {
    await tsdb.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const last = async (tsdb: Tsdb, projectId: number) =>
  (await tsdb.query({ projectId, name: 'k.m', from: NOW - 60_000, to: NOW, step: 60_000, agg: 'last', tier: 0 })).series.map((s) => [s.tags, s.values.filter((v) => v !== null)]);

test('appendKeyed: caches series handles per key; refuses like append(); a dropped project is not written through old handles', async () => {
  await withTsdb(async (tsdb) => {
    const keys = new OpenTsdbKeyTable();
    assert.deepEqual(tsdb.appendKeyed(2, keys, parseOpenTsdbFast(body(1), keys)!), { accepted: 1, rejected: 0 });
    const handle = keys.handles[0];
    assert.ok(handle !== undefined);
    assert.deepEqual(tsdb.appendKeyed(2, keys, parseOpenTsdbFast(body(2), keys)!), { accepted: 1, rejected: 0 });
    assert.equal(keys.handles[0], handle);
    await tsdb.commit();
    assert.deepEqual(await last(tsdb, 2), [[{ host: 'a' }, [2]]]);
    // Refusals: too old, too far in the future (as append() refuses them); nothing is created.
    const old = Buffer.from(`{"metric":"k.old","timestamp":${NOW - 30 * 86_400_000},"value":1}`);
    assert.deepEqual(tsdb.appendKeyed(2, keys, parseOpenTsdbFast(old, keys)!), { accepted: 0, rejected: 1 });
    assert.equal(tsdb.series({ projectId: 2, namePrefix: 'k.old' }).length, 0);
    // After the project is dropped, the same key makes a new series in a fresh project state.
    await tsdb.dropProject(2);
    assert.equal(tsdb.series({ projectId: 2 }).length, 0);
    assert.deepEqual(tsdb.appendKeyed(2, keys, parseOpenTsdbFast(body(3), keys)!), { accepted: 1, rejected: 0 });
    assert.notEqual(keys.handles[0], handle);
    await tsdb.commit();
    assert.equal(tsdb.series({ projectId: 2 }).length, 1);
    assert.deepEqual(await last(tsdb, 2), [[{ host: 'a' }, [3]]]);
  });
});

test('appendKeyed: lists the refused samples by index when asked; append() after it does not use a stale clock', async () => {
  let now = NOW;
  const dir = mkdtempSync(join(tmpdir(), 'oversee-append-keyed-'));
  const tsdb = await Tsdb.open({ storage: openSqliteTsdbStorage({ path: join(dir, 't.sqlite') }), clock: { now: () => now } });
  try {
    const keys = new OpenTsdbKeyTable();
    const points = [[NOW - 1000, 'ok'], [NOW - 30 * 86_400_000, 'old'], [NOW - 500, 'ok'], [NOW + 30 * 86_400_000, 'future']] as const;
    const b = parseOpenTsdbFast(Buffer.from(JSON.stringify(points.map(([t, what]) => ({ metric: 'k.r', timestamp: t, value: 1, tags: { what } })))), keys)!;
    const refused: number[] = [7];
    assert.deepEqual(tsdb.appendKeyed(2, keys, b, refused), { accepted: 2, rejected: 2 });
    assert.deepEqual(refused, [7, 1, 3], 'pushed after what the list held, in order');
    // append() reads the clock once per 1024 pending samples, and 2 are pending: it must not use
    // a clock from before the keyed batch (here, none at all), nor one an hour old.
    assert.equal(tsdb.append(2, 'k.plain', {}, NOW - 1000, 1), null);
    now = NOW + 3_600_000;
    assert.deepEqual(tsdb.appendKeyed(2, keys, parseOpenTsdbFast(body(1), keys)!), { accepted: 1, rejected: 0 });
    assert.equal(tsdb.append(2, 'k.plain', {}, now - 1000, 2), null);
  } finally {
    await tsdb.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('appendKeyed with a touched tracker: the newest accepted sample per series since the last take, across commits; none of a dropped project', async () => {
  await withTsdb(async (tsdb) => {
    const keys = new OpenTsdbKeyTable();
    const touched = tsdb.touchedSeries();
    const taken = () => {
      const r = touched.take();
      return r.series.map((s, i) => `${s.projectId}:${s.name}${JSON.stringify(s.tags)}@${NOW - r.t[i]!}=${r.v[i]!}`);
    };
    const points = (list: Array<[string, string, number, number]>) =>
      Buffer.from(JSON.stringify(list.map(([metric, host, ago, value]) => ({ metric, timestamp: NOW - ago, value, tags: { host } }))));
    const batch = parseOpenTsdbFast(points([
      ['t.a', 'x', 3000, 1],
      ['t.a', 'x', 1000, 2], // the newest of t.a
      ['t.a', 'x', 2000, 3], // older, after it
      ['t.b', 'x', 30 * 86_400_000, 4], // refused (older than the raw retention): t.b is not touched
      ['t.c', 'y', 500, 5],
      ['t.c', 'y', 500, 6], // same timestamp: the later wins, as the store keeps it
    ]), keys)!;
    assert.deepEqual(tsdb.appendKeyed(1, keys, batch, undefined, touched), { accepted: 5, rejected: 1 });
    await tsdb.commit(); // a commit does not empty the tracker; only a take does
    assert.deepEqual(tsdb.appendKeyed(2, keys, parseOpenTsdbFast(points([['t.a', 'x', 4000, 7]]), keys)!, undefined, touched), { accepted: 1, rejected: 0 });
    assert.equal(touched.size, 3);
    assert.deepEqual(taken(), ['1:t.a{"host":"x"}@1000=2', '1:t.c{"host":"y"}@500=6', '2:t.a{"host":"x"}@4000=7']);
    assert.deepEqual(taken(), [], 'a take starts over');
    // Without the tracker nothing is noted; in the next generation an older sample is the newest again.
    tsdb.appendKeyed(1, keys, parseOpenTsdbFast(points([['t.a', 'x', 100, 8]]), keys)!);
    tsdb.appendKeyed(1, keys, parseOpenTsdbFast(points([['t.a', 'x', 5000, 9]]), keys)!, undefined, touched);
    assert.deepEqual(taken(), ['1:t.a{"host":"x"}@5000=9']);
    // A dropped project's series are left out of the take (the project's samples are gone).
    tsdb.appendKeyed(1, keys, parseOpenTsdbFast(points([['t.a', 'x', 100, 10]]), keys)!, undefined, touched);
    tsdb.appendKeyed(2, keys, parseOpenTsdbFast(points([['t.a', 'x', 100, 11]]), keys)!, undefined, touched);
    await tsdb.dropProject(1);
    assert.deepEqual(taken(), ['2:t.a{"host":"x"}@100=11']);
    // Recreated after the drop: a new series, taken again.
    tsdb.appendKeyed(1, keys, parseOpenTsdbFast(points([['t.a', 'x', 50, 12]]), keys)!, undefined, touched);
    assert.deepEqual(taken(), ['1:t.a{"host":"x"}@50=12']);
  });
});

test('appendKeyed with a touched tracker: thousands of new series in one batch (the tracker grows under the loop), two trackers apart', async () => {
  await withTsdb(async (tsdb) => {
    const keys = new OpenTsdbKeyTable();
    const one = tsdb.touchedSeries();
    const two = tsdb.touchedSeries();
    const n = 5000;
    // Each series twice: an older sample, then (after all series) its newest.
    const body = (ago: number, add: number) => Buffer.from(JSON.stringify(Array.from({ length: 2 * n }, (_, j) => {
      const i = j % n;
      return j < n ? { metric: 'g.m', timestamp: NOW - ago - 500, value: -1, tags: { i: String(i) } } : { metric: 'g.m', timestamp: NOW - ago, value: i + add, tags: { i: String(i) } };
    })));
    assert.deepEqual(tsdb.appendKeyed(1, keys, parseOpenTsdbFast(body(2000, 0), keys)!, undefined, one), { accepted: 2 * n, rejected: 0 });
    tsdb.appendKeyed(1, keys, parseOpenTsdbFast(body(1000, 0.5), keys)!, undefined, two);
    tsdb.appendKeyed(1, keys, parseOpenTsdbFast(body(3000, 0.25), keys)!, undefined, one); // older: one keeps the first
    const a = one.take();
    const b = two.take();
    assert.equal(a.count, n);
    assert.equal(b.count, n);
    assert.deepEqual(a.series.map((s, i) => Number(s.tags.i) - a.v[i]!), new Array<number>(n).fill(0), 'each series with its own value');
    assert.deepEqual([...new Set(a.t)], [NOW - 2000]);
    assert.deepEqual(b.series.map((s, i) => a.v[i]! + 0.5 - b.v[i]! + (s === a.series[i] ? 0 : 1)), new Array<number>(n).fill(0));
  });
});
