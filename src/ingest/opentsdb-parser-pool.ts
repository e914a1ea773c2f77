// A small pool of parser threads for large OpenTSDB puts: JSON.parse and protocol validation run
// there, and the writer thread only appends the returned columns (Tsdb.appendColumns) and commits.
// A thread that fails takes its requests' answers with it (the caller then parses inline, nothing
// having been appended yet); it is replaced on the next request. One pool per app.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ParseRequest, ParseResponse } from './opentsdb-parse-worker.js';

interface Slot {
  worker: Worker;
  pending: Map<number, { resolve: (r: ParseResponse) => void; reject: (e: Error) => void }>;
}

/** The parser thread's entry: the built .js next to this module, or the tsx bootstrap when running from sources. */
export function defaultParserUrl(): URL {
  return import.meta.url.endsWith('.ts')
    ? new URL('./opentsdb-parse-worker.dev.mjs', import.meta.url)
    : new URL('./opentsdb-parse-worker.js', import.meta.url);
}

/** Parser threads, started on first use. */
export class OpenTsdbParserPool {
  private readonly slots: (Slot | null)[];
  private nextSlot = 0;
  private seq = 0;
  private failures = 0;
  private closed = false;
  private done = 0;

  /** `size` threads (default: the CPUs, at most 4). */
  constructor(size = Math.min(4, availableParallelism()), private readonly url: URL = defaultParserUrl()) {
    this.slots = Array.from({ length: Math.max(1, size) }, () => null);
  }

  /** How many parses threads have answered (self-metrics, tests). */
  get completed(): number {
    return this.done;
  }

  /** Whether the pool can take work (closed, or threads failed to start 5 times: no). */
  get available(): boolean {
    return !this.closed && this.failures < 5;
  }

  private slot(i: number): Slot {
    const existing = this.slots[i];
    if (existing) return existing;
    const worker = new Worker(this.url);
    const slot: Slot = { worker, pending: new Map() };
    const fail = (err: Error): void => {
      if (this.slots[i] === slot) this.slots[i] = null;
      this.failures++;
      for (const p of slot.pending.values()) p.reject(err);
      slot.pending.clear();
    };
    worker.on('message', (r: ParseResponse) => {
      const p = slot.pending.get(r.id);
      slot.pending.delete(r.id);
      if (slot.pending.size === 0) worker.unref();
      this.failures = 0;
      this.done++;
      p?.resolve(r);
    });
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`parser thread exited with code ${code}`)));
    worker.unref();
    this.slots[i] = slot;
    return slot;
  }

  /** Parses `text` in a thread (round robin); rejects when the thread fails. */
  parse(text: string): Promise<ParseResponse> {
    if (!this.available) return Promise.reject(new Error('parser pool unavailable'));
    const i = this.nextSlot;
    this.nextSlot = (this.nextSlot + 1) % this.slots.length;
    const slot = this.slot(i);
    const id = ++this.seq;
    return new Promise<ParseResponse>((resolve, reject) => {
      // Referenced only while it has work, so an idle pool never keeps the process alive.
      if (slot.pending.size === 0) slot.worker.ref();
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ id, text } satisfies ParseRequest);
    });
  }

  /** Stops the threads; pending parses reject. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map(async (s, i) => {
      this.slots[i] = null;
      if (s) await s.worker.terminate();
    }));
  }
}
