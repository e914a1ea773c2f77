// The contract every TsdbStorage passes. Each dialect's test file calls runTsdbStorageContract with
// a factory that opens a fresh, empty storage (and can reopen the same one, to prove durability).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NewChunk, StoredSeries, TsdbStorage } from './storage.js';

/** Opens a fresh empty storage; `reopen` closes nothing and opens the same data again. */
export type TsdbStorageFactory = () => Promise<{ storage: TsdbStorage; reopen: () => Promise<TsdbStorage>; cleanup: () => Promise<void> }>;

const series = (id: number, name = `m${id}`): StoredSeries => ({ id, projectId: 1, name, tags: { host: 'a' }, type: 'gauge', createdAt: 1000 });
const chunk = (seriesId: number, over: Partial<NewChunk> = {}): NewChunk => ({
  seriesId, tier: 0, windowStart: 0, minTs: 10, maxTs: 20, count: 2, level: 0, data: Uint8Array.from([1, 2, 3]), ...over,
});

/** Registers the contract tests for one implementation. */
export function runTsdbStorageContract(name: string, factory: TsdbStorageFactory): void {
  const withStorage = (title: string, fn: (s: TsdbStorage, reopen: () => Promise<TsdbStorage>) => Promise<void>): void => {
    test(`${name}: ${title}`, async () => {
      const { storage, reopen, cleanup } = await factory();
      try {
        await fn(storage, reopen);
      } finally {
        await storage.close();
        await cleanup();
      }
    });
  };

  withStorage('appendWal stores series and records durably, in order', async (s, reopen) => {
    const id1 = await s.appendWal([series(1), series(2)], Uint8Array.from([1]));
    const id2 = await s.appendWal([{ ...series(1), type: 'counter' }], Uint8Array.from([2, 2]));
    assert.ok(id2 > id1);
    const again = await reopen();
    try {
      assert.deepEqual((await again.readWal()).map((r) => [r.id, Array.from(r.data)]), [[id1, [1]], [id2, [2, 2]]]);
      const loaded = await again.loadSeries();
      assert.deepEqual(loaded.map((x) => [x.id, x.name, x.type, x.tags]), [[1, 'm1', 'counter', { host: 'a' }], [2, 'm2', 'gauge', { host: 'a' }]]);
    } finally {
      await again.close();
    }
  });

  withStorage('checkpoint inserts chunks and drops the WAL up to the given id, together', async (s) => {
    const a = await s.appendWal([series(1)], Uint8Array.from([1]));
    const b = await s.appendWal([], Uint8Array.from([2]));
    await s.checkpoint([chunk(1)], a);
    assert.deepEqual((await s.readWal()).map((r) => r.id), [b]);
    const rows = await s.readChunks([1], 0, 0, 100);
    assert.equal(rows.length, 1);
    assert.deepEqual(Array.from(rows[0]!.data), [1, 2, 3]);
    assert.equal(rows[0]!.level, 0);
  });

  withStorage('readChunks filters by series, tier and overlap with the range, in write order', async (s) => {
    await s.appendWal([series(1), series(2)], Uint8Array.from([0]));
    await s.checkpoint([
      chunk(1, { minTs: 10, maxTs: 20 }), chunk(2, { minTs: 10, maxTs: 20 }), chunk(1, { tier: 1, minTs: 0, maxTs: 60 }),
      chunk(1, { minTs: 15, maxTs: 18, data: Uint8Array.from([9]) }), chunk(1, { windowStart: 100, minTs: 100, maxTs: 110 }),
    ], 0);
    const r = await s.readChunks([1], 0, 0, 50);
    assert.deepEqual(r.map((c) => [c.seriesId, c.minTs, c.data[0]]), [[1, 10, 1], [1, 15, 9]]);
    assert.equal((await s.readChunks([1, 2], 0, 20, 20)).length, 2);
    assert.equal((await s.readChunks([1, 2], 0, 16, 16)).length, 3);
    assert.equal((await s.readChunks([1], 0, 21, 99)).length, 0);
    assert.equal((await s.readChunks([1], 0, 110, 110)).length, 1);
    assert.equal((await s.readChunks([1], 1, 0, 0)).length, 1);
    await s.checkpoint([chunk(1, { minTs: 11, maxTs: 12, level: 2 })], 0);
    assert.deepEqual((await s.readChunks([1], 0, 0, 50, 2)).map((c) => c.minTs), [10, 15]);
    if (s.chunkWindows !== undefined) {
      assert.deepEqual(await s.chunkWindows([1, 2], 0, 0, 200), [{ seriesId: 1, windowStart: 0 }, { seriesId: 1, windowStart: 100 }, { seriesId: 2, windowStart: 0 }]);
      assert.deepEqual(await s.chunkWindows([1], 0, 0, 50, 1), [{ seriesId: 1, windowStart: 0 }]);
      assert.deepEqual(await s.chunkWindows([], 0, 0, 50), []);
    }
    assert.equal((await s.readChunks([], 0, 0, 1000)).length, 0);
  });

  withStorage('pendingWindows lists raw windows with chunks below a level, oldest first', async (s) => {
    await s.checkpoint([
      chunk(1, { windowStart: 7200 }), chunk(1, { windowStart: 7200 }), chunk(2, { windowStart: 0, level: 1 }),
      chunk(3, { windowStart: 0, level: 2 }), chunk(1, { tier: 1, level: 0 }),
    ], 0);
    const q = { maxLevel: 1, windowStartBefore: Infinity, minChunks: 1, limit: 10 };
    assert.deepEqual(await s.pendingWindows(q), [{ seriesId: 1, windowStart: 7200, chunks: 2, minLevel: 0 }]);
    assert.deepEqual(await s.pendingWindows({ ...q, maxLevel: 2 }), [
      { seriesId: 2, windowStart: 0, chunks: 1, minLevel: 1 }, { seriesId: 1, windowStart: 7200, chunks: 2, minLevel: 0 },
    ]);
    assert.equal((await s.pendingWindows({ ...q, maxLevel: 2, limit: 1 })).length, 1);
    assert.deepEqual(await s.pendingWindows({ ...q, maxLevel: 2, windowStartBefore: 7200 }), [{ seriesId: 2, windowStart: 0, chunks: 1, minLevel: 1 }]);
    assert.deepEqual(await s.pendingWindows({ ...q, minChunks: 3 }), []);
  });

  withStorage('replaceChunks swaps chunks atomically; deleteChunksBefore drops whole old chunks', async (s) => {
    await s.checkpoint([chunk(1, { minTs: 1, maxTs: 5 }), chunk(1, { minTs: 6, maxTs: 9 })], 0);
    const ids = (await s.readChunks([1], 0, 0, 100)).map((c) => c.id);
    await s.replaceChunks(ids, [chunk(1, { minTs: 1, maxTs: 9, level: 1, count: 4 })]);
    const after = await s.readChunks([1], 0, 0, 100);
    assert.deepEqual(after.map((c) => [c.minTs, c.maxTs, c.level, c.count]), [[1, 9, 1, 4]]);
    await s.checkpoint([chunk(1, { minTs: 20, maxTs: 30 })], 0);
    assert.equal(await s.deleteChunksBefore(0, 10), 1);
    assert.equal(await s.deleteChunksBefore(0, 10), 0);
    assert.deepEqual((await s.readChunks([1], 0, 0, 100)).map((c) => c.minTs), [20]);
  });

  withStorage('stats count series, chunks, raw samples and WAL bytes', async (s) => {
    await s.appendWal([series(1)], Uint8Array.from([1, 2, 3, 4]));
    await s.checkpoint([chunk(1, { count: 5 }), chunk(1, { tier: 1, count: 2 })], 0);
    const st = await s.stats();
    assert.deepEqual(st, { series: 1, chunks: 2, chunkBytes: 6, rawSamples: 5, rawBytes: 3, walRecords: 1, walBytes: 4 });
  });

  withStorage('reclaimSpace (when implemented) gives space back without touching live data', async (s) => {
    if (s.reclaimSpace === undefined) return;
    const big = new Uint8Array(64 * 1024).map((_, i) => (i * 7919) % 251);
    let last = 0;
    for (let i = 0; i < 16; i++) last = await s.appendWal([series(1)], big);
    const keep = await s.appendWal([], Uint8Array.from([7]));
    await s.checkpoint([chunk(1, { data: big })], last);
    const released = await s.reclaimSpace();
    assert.ok(Number.isFinite(released) && released >= 0, `released ${released}`);
    assert.deepEqual((await s.readWal()).map((r) => [r.id, Array.from(r.data)]), [[keep, [7]]]);
    const rows = await s.readChunks([1], 0, 0, 100);
    assert.equal(rows.length, 1);
    assert.deepEqual(rows[0]!.data, big);
  });

  withStorage('a closed storage refuses work', async (s) => {
    await s.close();
    await assert.rejects(s.readWal());
    if (s.reclaimSpace !== undefined) await assert.rejects(s.reclaimSpace());
    await s.close();
  });
}
