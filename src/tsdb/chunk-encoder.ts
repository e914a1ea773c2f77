// Chunk encoding off the writer thread: checkpoints and compaction hand their chunks' samples to a
// ChunkEncoder and store what it returns. The inline encoder encodes right away; the thread encoder
// encodes in a worker thread (chunk-encoder-thread.ts), so ingestion keeps its thread while a
// checkpoint turns two million samples into chunks. A thread that fails or cannot start is replaced
// by inline encoding for that batch (and, after 5 failures in a row, for good): the bytes are the
// same either way.
import { Worker } from 'node:worker_threads';
import { threadEntryUrl } from '../util/thread-entry.js';
import { encodeChunk } from './codec.js';

/** One chunk to encode: strictly ascending integer timestamps and 1..15 value columns of the same length. */
export interface EncodeJob {
  ts: Float64Array;
  cols: Float64Array[];
}

/** Encodes chunks, perhaps in another thread. */
export interface ChunkEncoder {
  /** The encodeChunk bytes of each job, in order. The jobs' arrays may be moved away: do not use them after. */
  encode(jobs: readonly EncodeJob[]): Promise<Uint8Array[]>;
  /** Stops a thread, if any (pending batches are encoded inline). */
  close(): Promise<void>;
}

/** Encodes on the calling thread. */
export const inlineChunkEncoder: ChunkEncoder = {
  encode: (jobs) => Promise.resolve(encodeInline(jobs)),
  close: () => Promise.resolve(),
};

function encodeInline(jobs: readonly EncodeJob[]): Uint8Array[] {
  return jobs.map((j) => encodeChunk(j.ts, j.cols, j.ts.length));
}

/** A batch for the encoder thread. */
export interface EncodeRequest {
  id: number;
  jobs: EncodeJob[];
}

/** The encoder thread's answer: the chunks' bytes, or why it could not encode them. */
export type EncodeResponse = { id: number; chunks: Uint8Array[] } | { id: number; error: string };

/** Encodes in one worker thread, started on first use and referenced only while it has work. */
export class ThreadChunkEncoder implements ChunkEncoder {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, { jobs: EncodeJob[]; resolve: (c: Uint8Array[]) => void; reject: (e: Error) => void }>();
  private seq = 0;
  private failures = 0;
  private closed = false;
  private threaded = 0;

  /** `url`: the thread's entry (default: the encoder thread's). */
  constructor(private readonly url: URL = threadEntryUrl(import.meta.url, 'chunk-encoder-thread')) {}

  /** Batches encoded by the thread so far (tests, self-metrics). */
  get threadBatches(): number {
    return this.threaded;
  }

  encode(jobs: readonly EncodeJob[]): Promise<Uint8Array[]> {
    if (jobs.length === 0) return Promise.resolve([]);
    const worker = this.closed || this.failures >= 5 ? null : this.start();
    if (worker === null) return Promise.resolve(encodeInline(jobs));
    const id = ++this.seq;
    // Copies of the samples move to the thread; the originals stay for an inline retry.
    const copies = jobs.map((j) => ({ ts: j.ts.slice(), cols: j.cols.map((c) => c.slice()) }));
    const transfer = copies.flatMap((j) => [j.ts.buffer, ...j.cols.map((c) => c.buffer)]) as ArrayBuffer[];
    return new Promise<Uint8Array[]>((resolve, reject) => {
      if (this.pending.size === 0) worker.ref();
      this.pending.set(id, { jobs: [...jobs], resolve, reject });
      worker.postMessage({ id, jobs: copies } satisfies EncodeRequest, transfer);
    });
  }

  private start(): Worker | null {
    if (this.worker !== null) return this.worker;
    let worker: Worker;
    try {
      worker = new Worker(this.url);
    } catch {
      this.failures++;
      return null;
    }
    const fail = (): void => {
      if (this.worker !== worker) return;
      this.worker = null;
      this.failures++;
      // What the thread had is encoded here instead: a checkpoint never fails for want of a thread.
      const pending = [...this.pending.values()];
      this.pending.clear();
      for (const p of pending) {
        try {
          p.resolve(encodeInline(p.jobs));
        } catch (err) {
          p.reject(err as Error);
        }
      }
    };
    worker.on('message', (r: EncodeResponse) => {
      const p = this.pending.get(r.id);
      this.pending.delete(r.id);
      if (this.pending.size === 0) worker.unref();
      if (p === undefined) return;
      if ('error' in r) {
        // A bad job (the same error inline): rejected as encodeChunk would throw.
        p.reject(new Error(r.error));
        return;
      }
      this.failures = 0;
      this.threaded++;
      p.resolve(r.chunks);
    });
    worker.on('error', fail);
    worker.on('exit', fail);
    worker.unref();
    this.worker = worker;
    return worker;
  }

  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    if (w === null) return;
    // Let batches in flight finish (a checkpoint on close is waiting for them), then stop.
    while (this.pending.size > 0 && this.worker === w) await new Promise((r) => setTimeout(r, 5));
    this.worker = null;
    await w.terminate();
  }
}
