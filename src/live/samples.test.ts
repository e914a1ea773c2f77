import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SampleSink } from '../ingest/samples.js';
import { openSqliteTsdbStorage } from '../store/sqlite/tsdb-storage.js';
import { SampleColumnsBuilder, Tsdb } from '../tsdb/index.js';
import { MemoryLiveEvents, type LiveEvent } from './events.js';
import { liveSampleSink } from './samples.js';

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
