// Group commit for better-sqlite3: writes queued within one event-loop turn run in ONE transaction,
// so one fsync acknowledges all of them. Each write runs in its own savepoint: a failing write is
// rolled back alone and rejects its own promise, the others commit.
import type Database from 'better-sqlite3';

interface Pending {
  fn: () => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/** Queues synchronous write functions and commits them together; promises settle after COMMIT. */
export class GroupCommitter {
  private queue: Pending[] = [];
  private scheduled = false;
  private closed = false;
  private readonly runBatch: (batch: Pending[]) => unknown[];

  /**
   * `durable`, when given, runs after each COMMIT and before any promise of the batch settles (the
   * WAL fdatasync when the connection runs with synchronous=NORMAL); the next batch may commit meanwhile.
   */
  constructor(private readonly db: Database.Database, private readonly maxBatch = 5000, private readonly durable?: () => Promise<void>) {
    const savepoint = db.transaction((fn: () => unknown) => fn());
    this.runBatch = db.transaction((batch: Pending[]) =>
      batch.map((p) => {
        try {
          return { ok: true, value: savepoint(p.fn) };
        } catch (err) {
          return { ok: false, err };
        }
      }),
    );
  }

  /** Runs `fn` inside the next group transaction; resolves with its result once committed. */
  run<T>(fn: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits everything queued now (called by the scheduler and by close()). */
  flush(): void {
    this.scheduled = false;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      let results: unknown[];
      try {
        results = this.runBatch(batch);
      } catch (err) {
        // The COMMIT itself failed (disk full, I/O error): nothing in this batch is durable.
        for (const p of batch) p.reject(err);
        continue;
      }
      const settle = (): void => batch.forEach((p, i) => {
        const r = results[i] as { ok: boolean; value?: unknown; err?: unknown };
        if (r.ok) p.resolve(r.value);
        else p.reject(r.err);
      });
      if (this.durable) {
        // Committed but not yet on disk: nobody is told "done" before the sync says so.
        this.durable().then(settle, (err: unknown) => { for (const p of batch) p.reject(err); });
      } else {
        settle();
      }
    }
  }

  /** Flushes the queue and refuses further writes. */
  close(): void {
    this.flush();
    this.closed = true;
  }
}
