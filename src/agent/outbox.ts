// Durable, bounded, in-order outbox for reports to the server. Entries are appended to a journal
// (one JSON line each, fdatasync'd per batch) before delivery; the last delivered sequence number
// is kept in a separate file. When the server is unreachable or answers 5xx, delivery waits and
// retries with backoff, in order. Over the size bound, the oldest metrics are dropped first, then
// the oldest repeated (unchanged) states; state changes and alerts are never dropped.
import { closeSync, existsSync, fdatasyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { AlertReport, ServiceReport } from '../client/index.js';
import type { Logger } from './logger.js';
import type { Timers, TimerHandle } from './timers.js';

/** A queued service report (period required) or alert. */
export type OutboxItem =
  | { kind: 'status'; service: ServiceReport & { period: number }; change: boolean }
  | { kind: 'alert'; alert: AlertReport };

/** An item with its sequence number and enqueue time (ms). */
export type OutboxEntry = OutboxItem & { seq: number; at: number };

/** What a delivery attempt achieved. `reject` = the server refused it for good (4xx). */
export type DeliveryResult = 'ok' | 'retry' | 'reject';

/** Sends a batch of entries of one kind, in order. */
export type Deliver = (batch: OutboxEntry[]) => Promise<DeliveryResult>;

/** Options of an outbox. */
export interface OutboxOptions {
  dir: string;
  timers: Timers;
  logger: Logger;
  /** Approximate bound on queued bytes (default 32 MiB). */
  maxBytes?: number;
  /** Most entries per request (default 200). */
  maxBatch?: number;
  /** Wait this long after the first entry of a batch for more to arrive (default 0). */
  batchDelayMs?: number;
  /**
   * Entries are written to the journal in the tick they are enqueued (a crash of the process loses
   * nothing); fdatasync runs at most every syncDelayMs (default 0: with every write), bounding what
   * a power loss can take.
   */
  syncDelayMs?: number;
  /** First and longest wait between retries, ms (defaults 1 000 and 30 000). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/** Counters exposed for logs and tests. */
export interface OutboxStats {
  queued: number;
  queuedBytes: number;
  delivered: number;
  rejected: number;
  droppedMetrics: number;
  droppedRepeats: number;
  retries: number;
}

interface Queued { entry: OutboxEntry; bytes: number }

/** The outbox; call open() first, then start(deliver). */
export class Outbox {
  private readonly dir: string;
  private readonly timers: Timers;
  private readonly logger: Logger;
  private readonly maxBytes: number;
  private readonly maxBatch: number;
  private readonly syncDelayMs: number;
  private readonly batchDelayMs: number;
  private readonly minBackoff: number;
  private readonly maxBackoff: number;
  private queue: Queued[] = [];
  private bytes = 0;
  private seq = 0;
  private fd: number | undefined;
  private pendingLines: string[] = [];
  private persistScheduled = false;
  private syncScheduled = false;
  private ackFd: number | undefined;
  private journalLines = 0;
  private dirtyDrops = false;
  private wake: (() => void) | undefined;
  private sleepTimer: TimerHandle | undefined;
  private loop: Promise<void> | undefined;
  private stopped = false;
  private singles = 0;
  private idleWaiters: Array<() => void> = [];
  private cancelPause: (() => void) | undefined;
  readonly stats: OutboxStats = { queued: 0, queuedBytes: 0, delivered: 0, rejected: 0, droppedMetrics: 0, droppedRepeats: 0, retries: 0 };

  constructor(opts: OutboxOptions) {
    this.dir = opts.dir;
    this.timers = opts.timers;
    this.logger = opts.logger;
    this.maxBytes = opts.maxBytes ?? 32 * 1024 * 1024;
    this.maxBatch = opts.maxBatch ?? 200;
    this.syncDelayMs = opts.syncDelayMs ?? 0;
    this.batchDelayMs = opts.batchDelayMs ?? 0;
    this.minBackoff = opts.minBackoffMs ?? 1000;
    this.maxBackoff = opts.maxBackoffMs ?? 30_000;
  }

  private get journalPath(): string { return join(this.dir, 'outbox.jsonl'); }
  private get ackPath(): string { return join(this.dir, 'outbox.acked'); }

  /** Loads undelivered entries from disk (tolerating a torn last line) and opens the journal. */
  open(): void {
    mkdirSync(this.dir, { recursive: true });
    const acked = existsSync(this.ackPath) ? Number(readFileSync(this.ackPath, 'utf8').trim()) || 0 : 0;
    this.seq = acked;
    if (existsSync(this.journalPath)) {
      const lines = readFileSync(this.journalPath, 'utf8').split('\n');
      let bad = 0;
      for (const line of lines) {
        if (line === '') continue;
        let entry: OutboxEntry;
        try {
          entry = JSON.parse(line) as OutboxEntry;
        } catch {
          bad++;
          continue;
        }
        this.seq = Math.max(this.seq, entry.seq);
        if (entry.seq <= acked) continue;
        this.queue.push({ entry, bytes: line.length + 1 });
        this.bytes += line.length + 1;
      }
      if (bad > 0) this.logger.warn('outbox: skipped unreadable journal lines', { count: bad });
    }
    this.rewriteJournal();
    if (this.queue.length > 0) this.logger.info('outbox: replaying queued reports', { count: this.queue.length });
    this.enforceBound();
    this.updateStats();
  }

  /** Appends an item; it is durable after the current tick and delivered in order. */
  enqueue(item: OutboxItem): OutboxEntry {
    const entry = { ...item, seq: ++this.seq, at: this.timers.now() } as OutboxEntry;
    const line = JSON.stringify(entry);
    this.queue.push({ entry, bytes: line.length + 1 });
    this.bytes += line.length + 1;
    this.pendingLines.push(line);
    if (!this.persistScheduled) {
      this.persistScheduled = true;
      setImmediate(() => this.persist());
    }
    this.enforceBound();
    this.updateStats();
    this.wake?.();
    return entry;
  }

  /** Entries not yet delivered (oldest first). */
  pending(): OutboxEntry[] {
    return this.queue.map((q) => q.entry);
  }

  /** Starts delivering with `deliver`. */
  start(deliver: Deliver): void {
    if (this.loop) return;
    this.stopped = false;
    this.loop = this.run(deliver);
  }

  /** Resolves when the queue is empty (or at once if it is). */
  drained(): Promise<void> {
    if (this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops delivery, writes what is pending and closes the journal. */
  async close(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    this.cancelPause?.();
    if (this.sleepTimer !== undefined) this.timers.clearTimeout(this.sleepTimer);
    await this.loop;
    this.loop = undefined;
    if (this.fd !== undefined) this.rewriteJournal();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    if (this.ackFd !== undefined) closeSync(this.ackFd);
    this.ackFd = undefined;
  }

  private persist(): void {
    this.persistScheduled = false;
    if (this.pendingLines.length === 0 || this.fd === undefined) return;
    const text = `${this.pendingLines.join('\n')}\n`;
    this.journalLines += this.pendingLines.length;
    this.pendingLines = [];
    writeSync(this.fd, text);
    // Group commit: one fdatasync for everything written within syncDelayMs.
    if (this.syncDelayMs <= 0) fdatasyncSync(this.fd);
    else if (!this.syncScheduled) {
      this.syncScheduled = true;
      this.timers.setTimeout(() => {
        this.syncScheduled = false;
        if (this.fd !== undefined) fdatasyncSync(this.fd);
      }, this.syncDelayMs);
    }
  }

  private rewriteJournal(): void {
    // Writes the queue to a new journal and swaps it in atomically.
    this.persist();
    if (this.fd !== undefined) closeSync(this.fd);
    const tmp = `${this.journalPath}.tmp`;
    writeFileSync(tmp, this.queue.map((q) => `${JSON.stringify(q.entry)}\n`).join(''));
    const tfd = openSync(tmp, 'r+');
    fdatasyncSync(tfd);
    closeSync(tfd);
    renameSync(tmp, this.journalPath);
    this.fd = openSync(this.journalPath, 'a');
    this.journalLines = this.queue.length;
    this.dirtyDrops = false;
  }

  private ack(count: number): void {
    const done = this.queue.splice(0, count);
    for (const q of done) this.bytes -= q.bytes;
    const last = done[done.length - 1];
    if (last) {
      this.ackFd ??= openSync(this.ackPath, existsSync(this.ackPath) ? 'r+' : 'w+');
      writeSync(this.ackFd, `${String(last.entry.seq).padStart(20, ' ')}\n`, 0);
    }
    // Compact when the journal is mostly delivered lines.
    if ((this.queue.length === 0 && this.journalLines >= 1000) || this.journalLines > this.queue.length + 10_000 || this.dirtyDrops) {
      this.rewriteJournal();
    }
    this.updateStats();
    if (this.queue.length === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  private enforceBound(): void {
    if (this.bytes <= this.maxBytes) return;
    let metrics = 0;
    let repeats = 0;
    // 1. Oldest metrics first.
    for (const q of this.queue) {
      if (this.bytes <= this.maxBytes) break;
      if (q.entry.kind === 'status' && q.entry.service.metrics && q.entry.service.metrics.length > 0) {
        metrics += q.entry.service.metrics.length;
        const { metrics: _dropped, ...service } = q.entry.service;
        q.entry = { ...q.entry, service };
        const bytes = JSON.stringify(q.entry).length + 1;
        this.bytes -= q.bytes - bytes;
        q.bytes = bytes;
      }
    }
    // 2. Then the oldest repeated states (not changes; the newest report of a service is kept).
    if (this.bytes > this.maxBytes) {
      const newestIndex = new Map<string, number>();
      this.queue.forEach((q, i) => { if (q.entry.kind === 'status') newestIndex.set(q.entry.service.name, i); });
      const keep: Queued[] = [];
      this.queue.forEach((q, i) => {
        const droppable = this.bytes > this.maxBytes && q.entry.kind === 'status' && !q.entry.change && newestIndex.get(q.entry.service.name) !== i;
        if (droppable) { repeats++; this.bytes -= q.bytes; } else keep.push(q);
      });
      this.queue = keep;
    }
    if (metrics > 0 || repeats > 0) {
      this.dirtyDrops = true;
      this.stats.droppedMetrics += metrics;
      this.stats.droppedRepeats += repeats;
      this.logger.warn('outbox full: dropped oldest metrics and repeated states (state changes are kept)', {
        droppedMetrics: metrics, droppedRepeats: repeats, totalDroppedMetrics: this.stats.droppedMetrics, totalDroppedRepeats: this.stats.droppedRepeats, queued: this.queue.length,
      });
    }
    if (this.bytes > this.maxBytes) this.logger.warn('outbox over its bound with state changes only: keeping them', { queuedBytes: this.bytes, maxBytes: this.maxBytes });
  }

  private updateStats(): void {
    this.stats.queued = this.queue.length;
    this.stats.queuedBytes = this.bytes;
  }

  private takeBatch(): OutboxEntry[] {
    const first = this.queue[0];
    if (!first) return [];
    const limit = this.singles > 0 ? 1 : this.maxBatch;
    const batch: OutboxEntry[] = [];
    for (const q of this.queue) {
      if (batch.length >= limit || q.entry.kind !== first.entry.kind) break;
      batch.push(q.entry);
    }
    return batch;
  }

  private async pause(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const t = this.timers.setTimeout(resolve, ms);
      this.cancelPause = () => { this.timers.clearTimeout(t); resolve(); };
    });
    this.cancelPause = undefined;
  }

  private async sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      this.wake = resolve;
      this.sleepTimer = this.timers.setTimeout(resolve, ms);
    });
    this.wake = undefined;
    this.sleepTimer = undefined;
  }

  private async run(deliver: Deliver): Promise<void> {
    let backoff = this.minBackoff;
    while (!this.stopped) {
      const batch = this.takeBatch();
      if (batch.length === 0) {
        await new Promise<void>((resolve) => { this.wake = resolve; });
        this.wake = undefined;
        // Let reports made in the same moment travel in one request.
        if (this.batchDelayMs > 0 && !this.stopped) await this.pause(this.batchDelayMs);
        continue;
      }

      let result: DeliveryResult;
      try {
        result = await deliver(batch);
      } catch (err) {
        this.logger.error('outbox: delivery threw', { error: (err as Error).message });
        result = 'retry';
      }
      if (result === 'ok') {
        this.stats.delivered += batch.length;
        if (this.singles > 0) this.singles--;
        this.ack(batch.length);
        backoff = this.minBackoff;
      } else if (result === 'reject') {
        if (batch.length > 1) {
          // One bad entry must not take the others with it: resend them one by one.
          this.singles = batch.length;
          continue;
        }
        this.stats.rejected++;
        if (this.singles > 0) this.singles--;
        this.logger.error('outbox: server rejected a report; dropped', { seq: batch[0]?.seq, kind: batch[0]?.kind });
        this.ack(1);
      } else {
        this.stats.retries++;
        this.logger.debug('outbox: server unavailable, will retry', { inMs: backoff, queued: this.queue.length });
        await this.sleep(backoff);
        backoff = Math.min(this.maxBackoff, backoff * 2);
      }
    }
  }
}
