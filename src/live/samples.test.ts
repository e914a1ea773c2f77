import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SampleSink } from '../ingest/samples.js';
import { openSqliteTsdbStorage } from '../store/sqlite/tsdb-storage.js';
import { OpenTsdbKeyTable, parseOpenTsdbFast } from '../protocols/opentsdb-fast.js';
import { SampleColumnsBuilder, Tsdb, type KeyedSamples, type KeyedSeries, type TouchedSeries } from '../tsdb/index.js';
import type { Tags } from '../tsdb/types.js';
import { MemoryLiveEvents, type LiveEvent } from './events.js';
import { liveSampleSink, MAX_SAMPLES_PER_EVENT } from './samples.js';

/** A sink that refuses names starting with "bad" and can fail its commit. */
function fakeSink(): SampleSink & { stored: string[]; failCommit: boolean } {
  const pending: string[] = [];
  const s = {
    stored: [] as string[],
    failCommit: false,
    append(_p: number, name: string) {
      if (name.startsWith('bad')) return 'bad name';
      pending.push(name);
      return null;
    },
    async commit() {
      if (s.failCommit) throw new Error('disk full');
      s.stored.push(...pending.splice(0));
    },
  };
  return s;
}

test('publishes the accepted samples per project only after the commit', async () => {
  const live = new MemoryLiveEvents();
  const got: LiveEvent[] = [];
  live.subscribe((e) => got.push(e));
  const inner = fakeSink();
  const sink = liveSampleSink(inner, live);
  assert.equal(sink.append(1, 'cpu', { host: 'a' }, 1000, 0.5), null);
  assert.equal(sink.append(1, 'bad.name', {}, 1000, 1), 'bad name');
  assert.equal(sink.append(2, 'mem', {}, 1000, 7), null);
  assert.equal(got.length, 0, 'nothing before the commit');
  await sink.commit();
  assert.deepEqual(got.map((e) => e.type === 'samples' ? [e.projectId, e.samples.map((s) => `${s.name}=${s.v}`)] : null), [[1, ['cpu=0.5']], [2, ['mem=7']]]);
  assert.deepEqual(inner.stored, ['cpu', 'mem']);
});

test('publishes nothing when the commit fails', async () => {
  const live = new MemoryLiveEvents();
  const inner = fakeSink();
  inner.failCommit = true;
  const sink = liveSampleSink(inner, live);
  sink.append(1, 'cpu', {}, 1, 1);
  await assert.rejects(sink.commit(), /disk full/);
  assert.equal(live.lastId(), 0);
});

test('carries only the latest sample of each series per commit (by timestamp), tags compared as a set', async () => {
  const live = new MemoryLiveEvents();
  const got: LiveEvent[] = [];
  live.subscribe((e) => got.push(e));
  const sink = liveSampleSink(fakeSink(), live);
  for (let i = 0; i < 1000; i++) sink.append(1, 'cpu', { host: 'a', dc: 'x' }, 1000 + i, i);
  sink.append(1, 'cpu', { dc: 'x', host: 'a' }, 500, -1); // older: not the latest
  sink.append(1, 'cpu', { host: 'b' }, 7, 70);
  sink.append(1, 'cpu', { host: 'b' }, 7, 71); // same timestamp: the later write wins, as in the tsdb
  await sink.commit();
  assert.equal(got.length, 1);
  const e = got[0]!;
  assert.ok(e.type === 'samples');
  assert.deepEqual(e.samples, [{ name: 'cpu', tags: { host: 'a', dc: 'x' }, t: 1999, v: 999 }, { name: 'cpu', tags: { host: 'b' }, t: 7, v: 71 }]);
  await sink.commit();
  assert.equal(got.length, 1, 'an empty commit publishes nothing');
});

test('columnar batches pass through appendColumns; only accepted samples are published, the newest per series', async () => {
  const live = new MemoryLiveEvents();
  const got: LiveEvent[] = [];
  live.subscribe((e) => got.push(e));
  const now = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'oversee-live-'));
  const tsdb = await Tsdb.open({ storage: openSqliteTsdbStorage({ path: join(dir, 'tsdb.sqlite') }), clock: { now: () => now }, commitDelayMs: 0 });
  try {
    const sink = liveSampleSink(tsdb, live);
    assert.equal(typeof sink.appendColumns, 'function');
    assert.equal(liveSampleSink(fakeSink(), live).appendColumns, undefined, 'no columnar path when the inner sink has none');
    const b = new SampleColumnsBuilder(8);
    b.add('rx', { if: 'eth0' }, now - 2000, 1);
    b.add('rx', { if: 'eth0' }, now - 1000, 2);
    b.add('rx', { if: 'eth1' }, now - 1000, 5);
    b.add('rx', { if: 'eth0' }, now + 10 * 86_400_000, 99); // too far in the future: refused
    b.add('rx', { if: 'eth1' }, now - 3000, 4);
    const r = sink.appendColumns!(1, b.build());
    assert.equal(r.accepted, 4);
    assert.deepEqual(r.rejected.map((x) => x.index), [3]);
    assert.equal(got.length, 0);
    await sink.commit();
    assert.deepEqual(got.map((e) => (e.type === 'samples' ? e.samples.map((s) => `${s.tags.if}@${now - s.t}=${s.v}`) : [])), [['eth0@1000=2', 'eth1@1000=5']]);
    const q = await tsdb.query({ projectId: 1, name: 'rx', from: now - 5000, to: now, step: 10_000, agg: 'count', groupBy: [] });
    assert.equal(q.series[0]!.values.reduce((n: number, v) => n + (v ?? 0), 0), 4, 'every accepted sample is stored, not only the published ones');
  } finally {
    await tsdb.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---------- appendKeyed (the OpenTSDB fast path) ----------

const NOW = Date.UTC(2026, 0, 10);

/** A real tsdb (SQLite file) at NOW; removed afterwards. */
async function withTsdb(fn: (tsdb: Tsdb) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'oversee-live-keyed-'));
  const tsdb = await Tsdb.open({ storage: openSqliteTsdbStorage({ path: join(dir, 'tsdb.sqlite') }), clock: { now: () => NOW }, commitDelayMs: 0 });
  try {
    await fn(tsdb);
  } finally {
    await tsdb.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** An OpenTSDB body of [metric, tags, seconds before NOW, value] points. */
const put = (points: Array<[string, Record<string, string>, number, number]>): Buffer =>
  Buffer.from(JSON.stringify(points.map(([metric, tags, ago, value]) => ({ metric, timestamp: NOW - ago * 1000, value, tags }))));

/** A KeyedSeries other than the OpenTSDB key table (as a parser thread's would be): keys given out by `add`. */
class ListKeys implements KeyedSeries {
  handles: Array<object | undefined> = [];
  handlesEpoch = 0;
  series: Array<[string, Tags]> = [];
  add(name: string, tags: Tags): number {
    this.series.push([name, tags]);
    return this.series.length - 1;
  }
  name(k: number): string {
    return this.series[k]![0];
  }
  tags(k: number): Tags {
    return { ...this.series[k]![1] };
  }
  /** Forgets every key (the handles array is replaced, as OpenTsdbKeyTable.clear does). */
  clear(): void {
    this.series = [];
    this.handles = [];
  }
}

const keyedBatch = (samples: Array<[number, number, number]>): KeyedSamples => ({
  count: samples.length,
  keys: Uint32Array.from(samples.map((s) => s[0])),
  timestamps: Float64Array.from(samples.map((s) => s[1])),
  values: Float64Array.from(samples.map((s) => s[2])),
});

const sampleEvents = (got: LiveEvent[]): Array<[number, string[]]> =>
  got.flatMap((e) => (e.type === 'samples' ? [[e.projectId, e.samples.map((s) => `${s.name}${JSON.stringify(s.tags)}@${(NOW - s.t) / 1000}=${s.v}`)] as [number, string[]]] : []));

test('appendKeyed: passes through; publishes after the commit the newest accepted sample per series, one event per project', async () => {
  await withTsdb(async (tsdb) => {
    const live = new MemoryLiveEvents();
    const got: LiveEvent[] = [];
    live.subscribe((e) => got.push(e));
    const sink = liveSampleSink(tsdb, live);
    assert.equal(typeof sink.appendKeyed, 'function');
    assert.equal(liveSampleSink(fakeSink(), live).appendKeyed, undefined, 'no keyed path when the inner sink has none');
    const keys = new OpenTsdbKeyTable();
    const r = sink.appendKeyed!(1, keys, parseOpenTsdbFast(put([
      ['cpu', { host: 'a' }, 30, 1],
      ['cpu', { host: 'b' }, 30, 10],
      ['cpu', { host: 'a' }, 10, 3], // newest of host a
      ['cpu', { host: 'a' }, 20, 2], // older, after it in the body
      ['cpu', { host: 'b' }, 40 * 86_400, 99], // older than the raw retention: refused
      ['cpu', { host: 'b' }, -10 * 86_400, 98], // too far in the future: refused
    ]), keys)!);
    assert.deepEqual(r, { accepted: 4, rejected: 2 });
    assert.deepEqual(sink.appendKeyed!(2, keys, parseOpenTsdbFast(put([['mem', {}, 5, 7]]), keys)!), { accepted: 1, rejected: 0 });
    // Tags in another order: another key of the same series, one sample in the event.
    assert.deepEqual(sink.appendKeyed!(1, keys, parseOpenTsdbFast(Buffer.from(`[{"metric":"net","timestamp":${NOW - 9000},"value":1,"tags":{"if":"e0","dc":"x"}},{"metric":"net","timestamp":${NOW - 8000},"value":2,"tags":{"dc":"x","if":"e0"}}]`), keys)!), { accepted: 2, rejected: 0 });
    assert.equal(got.length, 0, 'nothing before the commit');
    await sink.commit();
    assert.deepEqual(sampleEvents(got), [
      [1, ['cpu{"host":"a"}@10=3', 'cpu{"host":"b"}@30=10', 'net{"dc":"x","if":"e0"}@8=2']], // tags as the store keeps them (sorted)
      [2, ['mem{}@5=7']],
    ]);
    // A later commit carries only what came after the previous one; an empty one publishes nothing.
    sink.appendKeyed!(1, keys, parseOpenTsdbFast(put([['cpu', { host: 'b' }, 1, 11]]), keys)!);
    await sink.commit();
    await sink.commit();
    assert.deepEqual(sampleEvents(got.slice(2)), [[1, ['cpu{"host":"b"}@1=11']]]);
    const q = await tsdb.query({ projectId: 1, name: 'cpu', from: NOW - 60_000, to: NOW, step: 60_000, agg: 'count', groupBy: [] });
    assert.equal(q.series[0]!.values.reduce((n: number, v) => n + (v ?? 0), 0), 5, 'every accepted sample is stored, not only the published ones');
  });
});

test('appendKeyed: a series the store refuses is not published; any KeyedSeries works, also after its keys are given out again', async () => {
  await withTsdb(async (tsdb) => {
    const live = new MemoryLiveEvents();
    const got: LiveEvent[] = [];
    live.subscribe((e) => got.push(e));
    const sink = liveSampleSink(tsdb, live);
    const keys = new ListKeys();
    const ok = keys.add('disk', { dev: 'sda' });
    const bad = keys.add('', { dev: 'sdb' }); // no name: the store refuses the series
    assert.deepEqual(sink.appendKeyed!(3, keys, keyedBatch([[ok, NOW - 2000, 1], [bad, NOW - 1000, 2], [ok, NOW - 3000, 0]])), { accepted: 2, rejected: 1 });
    await sink.commit();
    assert.deepEqual(sampleEvents(got), [[3, ['disk{"dev":"sda"}@2=1']]]);
    // The keys start over: key 0 is now another series, key 1 the old key 0's.
    keys.clear();
    const other = keys.add('swap', {});
    const again = keys.add('disk', { dev: 'sda' });
    assert.deepEqual(sink.appendKeyed!(3, keys, keyedBatch([[other, NOW - 1000, 5], [again, NOW - 500, 6]])), { accepted: 2, rejected: 0 });
    await sink.commit();
    assert.deepEqual(sampleEvents(got.slice(1)), [[3, ['swap{}@1=5', 'disk{"dev":"sda"}@0.5=6']]]);
    // The caller's own refused list is filled as the store fills it.
    const refused: number[] = [];
    sink.appendKeyed!(3, keys, keyedBatch([[other, NOW + 30 * 86_400_000, 1], [other, NOW, 2]]), refused);
    assert.deepEqual(refused, [0]);
  });
});

test('appendKeyed: more than MAX_SAMPLES_PER_EVENT series are split over several events', async () => {
  await withTsdb(async (tsdb) => {
    const live = new MemoryLiveEvents();
    const got: LiveEvent[] = [];
    live.subscribe((e) => got.push(e));
    const sink = liveSampleSink(tsdb, live);
    const keys = new OpenTsdbKeyTable();
    const n = MAX_SAMPLES_PER_EVENT * 2 + 7;
    assert.deepEqual(sink.appendKeyed!(1, keys, parseOpenTsdbFast(put(Array.from({ length: n }, (_, i) => ['req', { host: `h${i}` }, 1, i])), keys)!), { accepted: n, rejected: 0 });
    await sink.commit();
    const events = sampleEvents(got);
    assert.deepEqual(events.map(([p, s]) => [p, s.length]), [[1, MAX_SAMPLES_PER_EVENT], [1, MAX_SAMPLES_PER_EVENT], [1, 7]]);
    assert.equal(new Set(events.flatMap(([, s]) => s)).size, n, 'each series once');
    assert.deepEqual(events.flatMap(([, s]) => s).map((x) => Number(x.split('=')[1])).sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i), 'each with its value');
  });
});

test('appendKeyed: nothing is published when the commit fails, nor after it', async () => {
  await withTsdb(async (tsdb) => {
    const live = new MemoryLiveEvents();
    const keys = new OpenTsdbKeyTable();
    let fail = true;
    const failing = liveSampleSink({
      append: tsdb.append.bind(tsdb),
      appendKeyed: tsdb.appendKeyed.bind(tsdb),
      touchedSeries: () => tsdb.touchedSeries(),
      commit: async () => { if (fail) throw new Error('disk full'); },
    }, live);
    assert.deepEqual(failing.appendKeyed!(1, keys, parseOpenTsdbFast(put([['cpu', {}, 1, 1]]), keys)!), { accepted: 1, rejected: 0 });
    await assert.rejects(failing.commit(), /disk full/);
    assert.equal(live.lastId(), 0);
    fail = false;
    await failing.commit();
    assert.equal(live.lastId(), 0, 'the failed commit\'s samples are not published by a later one');
  });
});

test('appendKeyed: a keyed sink without a tracker is refused, by the type and at run time', async () => {
  await withTsdb(async (tsdb) => {
    const untracked = { append: tsdb.append.bind(tsdb), appendKeyed: tsdb.appendKeyed.bind(tsdb), commit: () => tsdb.commit() };
    // @ts-expect-error -- appendKeyed without touchedSeries does not satisfy MaybeColumnSink
    assert.throws(() => liveSampleSink(untracked, new MemoryLiveEvents()), /must offer touchedSeries/);
  });
});

test('publishEveryMs: samples of several commits are published together once, the latest per series', async () => {
  await withTsdb(async (tsdb) => {
    const live = new MemoryLiveEvents();
    const got: LiveEvent[] = [];
    live.subscribe((e) => got.push(e));
    const sink = liveSampleSink(tsdb, live, { publishEveryMs: 100 });
    const keys = new OpenTsdbKeyTable();
    for (let i = 0; i < 5; i++) {
      sink.appendKeyed!(1, keys, parseOpenTsdbFast(put([['cpu', { host: 'a' }, 10 - i, i], ['cpu', { host: 'b' }, 20 - i, 10 + i]]), keys)!);
      assert.equal(sink.append(1, 'mem', {}, NOW - (10 - i) * 1000, 100 + i), null);
      assert.equal(sink.append(1, 'cpu', { host: 'a' }, NOW - 30_000, -1), null); // both ways into one series: older
      await sink.commit();
    }
    assert.equal(got.length, 0, 'not before the interval');
    await new Promise((r) => setTimeout(r, 250));
    assert.deepEqual(sampleEvents(got), [[1, ['mem{}@6=104', 'cpu{"host":"a"}@6=4', 'cpu{"host":"b"}@16=14']]], 'each series once');
  });
});

test('appendKeyed: a commit publishes what was appended before it began, not a sample appended while it runs', async () => {
  await withTsdb(async (tsdb) => {
    const live = new MemoryLiveEvents();
    const got: LiveEvent[] = [];
    live.subscribe((e) => got.push(e));
    const commits: Array<{ resolve(): void; reject(err: Error): void }> = [];
    const sink = liveSampleSink({
      append: tsdb.append.bind(tsdb),
      appendKeyed: tsdb.appendKeyed.bind(tsdb),
      touchedSeries: () => tsdb.touchedSeries(),
      commit: () => new Promise<void>((resolve, reject) => { commits.push({ resolve, reject }); }),
    }, live);
    const keys = new OpenTsdbKeyTable();
    sink.appendKeyed!(1, keys, parseOpenTsdbFast(put([['q', { a: '1' }, 9, 1], ['q', { a: '2' }, 9, 20]]), keys)!);
    const first = sink.commit();
    sink.appendKeyed!(1, keys, parseOpenTsdbFast(put([['q', { a: '1' }, 8, 2]]), keys)!); // after the first commit began
    const second = sink.commit();
    commits[0]!.resolve();
    await first;
    assert.deepEqual(sampleEvents(got), [[1, ['q{"a":"1"}@9=1', 'q{"a":"2"}@9=20']]], 'not a=1@8: the first commit did not cover it');
    commits[1]!.reject(new Error('disk full'));
    await assert.rejects(second, /disk full/);
    assert.equal(got.length, 1, 'nothing of a failed commit');
    sink.appendKeyed!(1, keys, parseOpenTsdbFast(put([['q', { a: '1' }, 7, 3]]), keys)!);
    const third = sink.commit();
    commits[2]!.resolve();
    await third;
    assert.deepEqual(sampleEvents(got.slice(1)), [[1, ['q{"a":"1"}@7=3']]]);
  });
});

test('appendKeyed through the store tracking (Tsdb.touchedSeries): one interval, several commits, out of order, refused samples', async () => {
  await withTsdb(async (tsdb) => {
    const live = new MemoryLiveEvents();
    const got: LiveEvent[] = [];
    live.subscribe((e) => got.push(e));
    const trackers: Array<TouchedSeries | undefined> = [];
    let made = 0;
    const inner = {
      append: tsdb.append.bind(tsdb),
      appendKeyed: (p: number, k: KeyedSeries, b: KeyedSamples, refused?: number[], touched?: TouchedSeries) => {
        trackers.push(touched);
        return tsdb.appendKeyed(p, k, b, refused, touched);
      },
      commit: () => tsdb.commit(),
      touchedSeries: () => {
        made++;
        return tsdb.touchedSeries();
      },
    };
    const sink = liveSampleSink(inner, live, { publishEveryMs: 100 });
    assert.equal(made, 0, 'no tracker before the first keyed batch');
    const keys = new OpenTsdbKeyTable();
    const send = (project: number, points: Array<[string, Record<string, string>, number, number]>) => sink.appendKeyed!(project, keys, parseOpenTsdbFast(put(points), keys)!);
    assert.deepEqual(send(1, [['o', { h: 'a' }, 5, 1], ['o', { h: 'a' }, -10 * 86_400, 99]]), { accepted: 1, rejected: 1 }, 'a refused sample newer than every accepted one');
    await sink.commit();
    send(1, [['o', { h: 'a' }, 9, 2], ['o', { h: 'b' }, 3, 3]]); // older than @5, in a later batch and commit
    send(2, [['o', { h: 'a' }, 4, 4]]);
    await sink.commit();
    send(1, [['o', { h: 'b' }, 3, 5], ['o', { h: 'b' }, 8, 6]]); // same timestamp as @3: the later wins; then an older one
    await sink.commit();
    assert.equal(got.length, 0, 'not before the interval');
    await new Promise((r) => setTimeout(r, 250));
    assert.deepEqual(sampleEvents(got), [[1, ['o{"h":"a"}@5=1', 'o{"h":"b"}@3=5']], [2, ['o{"h":"a"}@4=4']]]);
    // The next interval starts over: an older sample than the last published one is published.
    send(1, [['o', { h: 'a' }, 30, 7]]);
    await sink.commit();
    await new Promise((r) => setTimeout(r, 250));
    assert.deepEqual(sampleEvents(got.slice(2)), [[1, ['o{"h":"a"}@30=7']]]);
    assert.equal(made, 1, 'one tracker per live sink');
    assert.equal(trackers.length, 5);
    assert.ok(trackers.every((t) => t !== undefined && t === trackers[0]), 'every keyed batch is given that tracker');
  });
});

test('appendKeyed through the store tracking: a project dropped before the publish is left out; a live sink\'s tracker is its own', async () => {
  await withTsdb(async (tsdb) => {
    const live = new MemoryLiveEvents();
    const got: LiveEvent[] = [];
    live.subscribe((e) => got.push(e));
    const sink = liveSampleSink(tsdb, live, { publishEveryMs: 100 });
    const other = liveSampleSink(tsdb, live, { publishEveryMs: 100 });
    assert.equal('touchedSeries' in sink, false, 'a live sink offers no tracker of its own');
    const keys = new OpenTsdbKeyTable();
    sink.appendKeyed!(1, keys, parseOpenTsdbFast(put([['d', {}, 5, 1]]), keys)!);
    sink.appendKeyed!(2, keys, parseOpenTsdbFast(put([['d', {}, 5, 2]]), keys)!);
    other.appendKeyed!(2, keys, parseOpenTsdbFast(put([['d', {}, 1, 3]]), keys)!);
    await sink.commit();
    await other.commit();
    await tsdb.dropProject(1);
    await new Promise((r) => setTimeout(r, 250));
    assert.deepEqual(sampleEvents(got).sort(), [[2, ['d{}@1=3']], [2, ['d{}@5=2']]], 'each sink publishes what went through it');
    // Not in the type; a caller that passes a tracker anyway (untyped) is told.
    const untyped = sink.appendKeyed as unknown as (...args: unknown[]) => unknown;
    assert.throws(() => untyped(2, keys, parseOpenTsdbFast(put([['d', {}, 5, 2]]), keys)!, [], tsdb.touchedSeries()), /pass no touched tracker/);
  });
});
