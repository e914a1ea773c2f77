// One timer for all jobs: a binary heap of due times. Each job runs at a fixed rate from its start;
// a run never overlaps the previous run of the same job (a due time that finds it running is
// skipped and counted).
import type { TimerHandle, Timers } from './timers.js';

/** A periodic job. */
export interface Job {
  id: string;
  intervalMs: number;
  /** Delay before the first run (default 0: run at once). */
  initialDelayMs?: number;
  run(): Promise<void>;
}

interface Entry { due: number; job: Job; gen: number }

/** Runs periodic jobs on injected timers. */
export class Scheduler {
  private readonly timers: Timers;
  private readonly onError: (job: Job, err: unknown) => void;
  private heap: Entry[] = [];
  private jobs = new Map<string, { job: Job; gen: number; running: boolean }>();
  private timer: TimerHandle | undefined;
  private timerDue = Infinity;
  private gen = 0;
  /** Due times skipped because the job was still running. */
  skipped = 0;

  constructor(timers: Timers, onError: (job: Job, err: unknown) => void = () => {}) {
    this.timers = timers;
    this.onError = onError;
  }

  /** Adds (or replaces) a job; it first runs after `initialDelayMs`. */
  add(job: Job): void {
    if (!(job.intervalMs > 0)) throw new Error(`job ${job.id}: interval must be positive`);
    const gen = ++this.gen;
    const prev = this.jobs.get(job.id);
    this.jobs.set(job.id, { job, gen, running: prev?.running ?? false });
    this.push({ due: this.timers.now() + (job.initialDelayMs ?? 0), job, gen });
    this.arm();
  }

  /** Removes a job; a run in progress finishes but is not rescheduled. */
  remove(id: string): boolean {
    return this.jobs.delete(id);
  }

  /** True when the job exists. */
  has(id: string): boolean {
    return this.jobs.has(id);
  }

  /** Number of jobs. */
  get size(): number {
    return this.jobs.size;
  }

  /** Stops everything. */
  stop(): void {
    this.jobs.clear();
    this.heap = [];
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDue = Infinity;
  }

  private arm(): void {
    // 1. Drop stale heap heads (removed or replaced jobs).
    while (this.heap.length > 0) {
      const head = this.heap[0];
      if (head && this.jobs.get(head.job.id)?.gen === head.gen) break;
      this.pop();
    }
    const head = this.heap[0];
    if (!head) return;
    if (this.timer !== undefined && this.timerDue <= head.due) return;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timerDue = head.due;
    this.timer = this.timers.setTimeout(() => this.fire(), Math.max(0, head.due - this.timers.now()));
  }

  private fire(): void {
    this.timer = undefined;
    this.timerDue = Infinity;
    const now = this.timers.now();
    // 2. Run every due job, then push its next due time (fixed rate, skipping missed slots).
    while (this.heap.length > 0) {
      const head = this.heap[0];
      if (!head || head.due > now) break;
      this.pop();
      const state = this.jobs.get(head.job.id);
      if (!state || state.gen !== head.gen) continue;
      let next = head.due + head.job.intervalMs;
      if (next <= now) next = now + head.job.intervalMs - ((now - head.due) % head.job.intervalMs);
      this.push({ due: next, job: head.job, gen: head.gen });
      if (state.running) {
        this.skipped++;
        continue;
      }
      state.running = true;
      let p: Promise<void>;
      try {
        p = head.job.run();
      } catch (err) {
        p = Promise.reject(err);
      }
      p.catch((err: unknown) => this.onError(head.job, err)).finally(() => { state.running = false; });
    }
    this.arm();
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pe = h[parent];
      if (!pe || pe.due <= e.due) break;
      h[i] = pe;
      i = parent;
    }
    h[i] = e;
  }

  private pop(): Entry | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length === 0 || !last) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      let mDue = last.due;
      const le = h[l];
      const re = h[r];
      if (le && le.due < mDue) { m = l; mDue = le.due; }
      if (re && re.due < mDue) { m = r; }
      if (m === i) break;
      h[i] = h[m] as Entry;
      i = m;
    }
    h[i] = last;
    return top;
  }
}
