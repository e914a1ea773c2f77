// Durable acknowledgement without blocking the event loop. SQLite runs with synchronous=NORMAL in
// WAL mode (a commit appends to the -wal file without fsync); before a write is acknowledged we
// fdatasync that file on libuv's thread pool. fsync works on the file (inode), so it flushes what
// SQLite wrote through its own descriptor. Calls made while a sync is in flight share the next one.
import { close, fdatasync, openSync } from 'node:fs';

/** Makes everything committed so far durable; concurrent callers share fdatasync calls. */
export class WalSync {
  private inflight = false;
  private waiting: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private fd: number | null;

  /** Opens the WAL file of the database at `dbPath` (it must exist: open the database in WAL mode and write first). */
  constructor(dbPath: string, private readonly syncFd: (fd: number, cb: (err: Error | null) => void) => void = fdatasync) {
    this.fd = openSync(`${dbPath}-wal`, 'r');
  }

  /** Resolves once every commit that finished before this call is on disk. */
  sync(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      if (!this.inflight) this.start();
    });
  }

  /** Waits for syncs in flight, then closes the file. */
  async close(): Promise<void> {
    if (this.inflight || this.waiting.length > 0) await this.sync().catch(() => undefined);
    const fd = this.fd;
    this.fd = null;
    if (fd !== null) await new Promise<void>((r) => close(fd, () => r()));
  }

  private start(): void {
    const batch = this.waiting;
    this.waiting = [];
    if (this.fd === null) {
      for (const w of batch) w.reject(new Error('WAL sync is closed'));
      return;
    }
    this.inflight = true;
    this.syncFd(this.fd, (err) => {
      this.inflight = false;
      for (const w of batch) {
        if (err) w.reject(err);
        else w.resolve();
      }
      // Commits that asked meanwhile may have written after this sync began: they need another.
      if (this.waiting.length > 0) this.start();
    });
  }
}
