// A small pool of parser threads for OpenTSDB puts: the byte-level fast parser (or, for bodies it
// leaves, JSON.parse and protocol validation) runs there, and the writer thread only appends the
// returned columns (Tsdb.appendKeyed / appendColumns) and commits. Each thread keeps its own series
// key table; the pool mirrors it per thread (MirroredKeys: the names and tags of the keys, and the
// store's cached series handles), fed by the new keys every answer carries, in answer order.
// A thread that fails takes its requests' answers with it (the caller then parses inline, nothing
// having been appended yet); it is replaced on the next request. One pool per app.
import { Worker } from 'node:worker_threads';
import { threadEntryUrl } from '../util/thread-entry.js';
import type { KeyedSeries } from '../tsdb/index.js';
import type { Tags } from '../tsdb/types.js';
import type { NewKeys, ParseRequest, ParseResponse, ParseWorkerData } from './opentsdb-parse-worker.js';

/** The writer thread's copy of one parser thread's key table, as Tsdb.appendKeyed reads it. */
export class MirroredKeys implements KeyedSeries {
  handles: Array<object | undefined> = [];
  handlesEpoch = 0;
  private readonly names: string[] = [];
  private readonly tagList: Tags[] = [];

  /** Number of keys known. */
  get size(): number {
    return this.names.length;
  }

  name(k: number): string {
    return this.names[k]!;
  }

  tags(k: number): Tags {
    return this.tagList[k]!;
  }

  /** Takes the keys a thread learned (`keys.from` must be this mirror's size). */
  learn(keys: NewKeys): void {
    if (keys.from !== this.names.length) throw new Error(`parser key mirror out of step: ${keys.from} after ${this.names.length}`);
    for (let i = 0; i < keys.names.length; i++) {
      this.names.push(keys.names[i]!);
      this.tagList.push(keys.tags[i]!);
      this.handles.push(undefined);
    }
  }
}

/** A thread's answer with the mirror of its keys as they stood when it answered. */
export interface ParsedBody {
  res: ParseResponse;
  keys: MirroredKeys;
}

interface Slot {
  worker: Worker;
  /** Mirror of the thread's key table; replaced (not cleared) when the table starts over, so batches already answered keep theirs. */
  mirror: MirroredKeys;
  pending: Map<number, { resolve: (r: ParsedBody) => void; reject: (e: Error) => void }>;
}



/** Parser threads, started on first use. */
export class OpenTsdbParserPool {
  private readonly slots: (Slot | null)[];
  private seq = 0;
  private failures = 0;
  private closed = false;
  private done = 0;

  /** `size` threads (at least 1), started from `url` (default: the parser thread's entry); `data` is each thread's workerData. */
  constructor(size: number, private readonly url: URL = threadEntryUrl(import.meta.url, 'opentsdb-parse-worker'), private readonly data: ParseWorkerData = {}) {
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
    const worker = new Worker(this.url, { workerData: this.data });
    const slot: Slot = { worker, mirror: new MirroredKeys(), pending: new Map() };
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
      if (r.keys.reset) slot.mirror = new MirroredKeys();
      try {
        slot.mirror.learn(r.keys);
      } catch (err) {
        // Cannot happen while answers arrive in order; if it did, this thread's keys are unusable.
        p?.reject(err as Error);
        void worker.terminate();
        return;
      }
      this.failures = 0;
      this.done++;
      p?.resolve({ res: r, keys: slot.mirror });
    });
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`parser thread exited with code ${code}`)));
    worker.unref();
    this.slots[i] = slot;
    return slot;
  }

  /** The slot with the fewest requests in flight (threads not started yet count as idle). */
  private leastBusy(): number {
    let best = 0;
    let bestLoad = Infinity;
    for (let i = 0; i < this.slots.length; i++) {
      const load = this.slots[i]?.pending.size ?? 0;
      if (load < bestLoad) {
        best = i;
        bestLoad = load;
      }
    }
    return best;
  }

  /** Parses `body` in a thread (the least busy); `body` itself is left untouched. Rejects when the thread fails. */
  parse(body: Uint8Array): Promise<ParsedBody> {
    if (!this.available) return Promise.reject(new Error('parser pool unavailable'));
    const slot = this.slot(this.leastBusy());
    const id = ++this.seq;
    // One copy of exactly the body's bytes, moved to the thread (a Buffer may view a larger shared one).
    const copy = new Uint8Array(body.byteLength);
    copy.set(body);
    return new Promise<ParsedBody>((resolve, reject) => {
      // Referenced only while it has work, so an idle pool never keeps the process alive.
      if (slot.pending.size === 0) slot.worker.ref();
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ id, body: copy } satisfies ParseRequest, [copy.buffer]);
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
