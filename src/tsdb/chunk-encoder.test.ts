import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { openSqliteTsdbStorage } from '../store/sqlite/tsdb-storage.js';
import { ThreadChunkEncoder, inlineChunkEncoder, type ChunkEncoder, type EncodeJob } from './chunk-encoder.js';
import { encodeChunk } from './codec.js';
import { Tsdb } from './index.js';

const T0 = Date.UTC(2026, 0, 10);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const job = fc.integer({ min: 1, max: 300 }).chain((n) => fc.record({
  start: fc.integer({ min: 0, max: 2 ** 40 }),
  steps: fc.array(fc.integer({ min: 1, max: 100_000 }), { minLength: n, maxLength: n }),
  cols: fc.array(fc.array(fc.oneof(fc.double(), fc.integer().map((x) => x / 100)), { minLength: n, maxLength: n }), { minLength: 1, maxLength: 5 }),
})).map(({ start, steps, cols }): EncodeJob => {
  let t = start;
  return { ts: Float64Array.from(steps, (d) => (t += d)), cols: cols.map((c) => Float64Array.from(c)) };
});

/** A day of 10 s samples for 30 series, through a tsdb with `encoder`; its answers and stored chunk count. */
async function dayThrough(encoder: ChunkEncoder): Promise<{ raw: unknown; hourly: unknown; chunks: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'oversee-encoder-'));
  const clock = { t: T0 + 3 * DAY, now() { return this.t; } };
  const tsdb = await Tsdb.open({ storage: openSqliteTsdbStorage({ path: join(dir, 't.sqlite') }), clock, commitDelayMs: 0, checkpointSamples: 50_000, encoder });
  try {
    for (let t = T0; t < T0 + DAY; t += 10_000) {
      for (let s = 0; s < 30; s++) tsdb.append(1, `enc.m${s % 3}`, { s: String(s) }, t, s % 2 === 0 ? Math.sin(t / 1e6) * s : Math.floor((t - T0) / 1000) * s);
      if ((t - T0) % 600_000 === 0) await tsdb.commit();
    }
    await tsdb.commit();
    await tsdb.checkpoint();
    await tsdb.compact();
    const raw = await tsdb.query({ projectId: 1, name: 'enc.m1', from: T0, to: T0 + DAY - 1, step: 10_000, agg: 'last', tier: 0 });
    const hourly = await tsdb.query({ projectId: 1, name: 'enc.m2', from: T0, to: T0 + DAY - 1, step: HOUR, agg: 'avg', tier: 2 });
    return { raw, hourly, chunks: (await tsdb.stats()).chunks };
  } finally {
    await tsdb.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('chunk encoding in a thread', () => {
  it('gives the very bytes encodeChunk gives, batch after batch (property)', async () => {
    const enc = new ThreadChunkEncoder();
    try {
      await fc.assert(fc.asyncProperty(fc.array(job, { minLength: 1, maxLength: 8 }), async (jobs) => {
        const want = jobs.map((j) => encodeChunk(j.ts, j.cols, j.ts.length));
        assert.deepEqual(await enc.encode(jobs), want);
        // The caller's arrays are left as they were (copies moved to the thread).
        assert.deepEqual(jobs.map((j) => encodeChunk(j.ts, j.cols, j.ts.length)), want);
      }), { numRuns: 40 });
      assert.equal(enc.threadBatches, 40);
    } finally {
      await enc.close();
    }
  });

  it('a tsdb whose checkpoints and compaction encode in a thread stores and answers exactly as with inline encoding', async () => {
    const enc = new ThreadChunkEncoder();
    const threaded = await dayThrough(enc);
    assert.ok(enc.threadBatches > 0, 'the thread encoded');
    const inline = await dayThrough(inlineChunkEncoder);
    assert.deepEqual(threaded, inline);
    assert.ok(inline.chunks > 0);
  });

  it('encodes inline when the thread cannot start, and when it dies with batches in flight', async () => {
    const dead = new ThreadChunkEncoder(new URL('file:///nonexistent/encoder.mjs'));
    const jobs = [{ ts: Float64Array.of(1, 2, 3), cols: [Float64Array.of(1.5, 2.5, 3.5)] }];
    assert.deepEqual(await dead.encode(jobs), [encodeChunk(jobs[0]!.ts, jobs[0]!.cols)]);
    const viaDead = await dayThrough(dead);
    assert.deepEqual(viaDead, await dayThrough(inlineChunkEncoder));
    assert.equal(dead.threadBatches, 0);

    // A thread that exits at its first message: the batch it held is encoded inline instead.
    const dir = mkdtempSync(join(tmpdir(), 'oversee-encoder-exit-'));
    try {
      const url = new URL(`file://${join(dir, 'exit.mjs')}`);
      (await import('node:fs')).writeFileSync(url, "import { parentPort } from 'node:worker_threads'; parentPort.on('message', () => process.exit(3));");
      const dying = new ThreadChunkEncoder(url);
      assert.deepEqual(await dying.encode(jobs), [encodeChunk(jobs[0]!.ts, jobs[0]!.cols)]);
      assert.equal(dying.threadBatches, 0);
      await dying.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a bad job as encodeChunk does', async () => {
    const enc = new ThreadChunkEncoder();
    try {
      await assert.rejects(enc.encode([{ ts: Float64Array.of(2, 1), cols: [Float64Array.of(1, 2)] }]), /strictly ascending/);
    } finally {
      await enc.close();
    }
  });
});
