// The live connection: an EventSource on /api/v1/live that reports its status (so the page can
// say when the connection is lost) and reconnects by itself, resuming after the last event seen.
import type { LiveEvent } from './types.js';

/** Connection status shown in the header. */
export type LiveStatus = 'connecting' | 'open' | 'lost';

/** Event types the server sends. */
const TYPES = ['check', 'check-deleted', 'flip', 'alert', 'samples', 'severe'] as const;

/** One live connection; call start() once and stop() to end it. */
export class LiveConnection {
  status: LiveStatus = 'connecting';
  private source: EventSource | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private retryMs = 1000;
  private lastId = 0;
  private stopped = false;

  constructor(
    private readonly onEvent: (e: LiveEvent) => void,
    private readonly onStatus: (s: LiveStatus) => void,
    /** Called when the server cannot replay the gap: the page must reload its data. */
    private readonly onReset: () => void,
  ) {}

  /** Connects, resuming after `afterId` (the overview's lastEventId). */
  start(afterId: number): void {
    this.lastId = afterId;
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.source?.close();
    this.source = null;
  }

  private setStatus(s: LiveStatus): void {
    if (this.status === s) return;
    this.status = s;
    this.onStatus(s);
  }

  private open(): void {
    this.source?.close();
    const es = new EventSource(`/api/v1/live?lastEventId=${this.lastId}`);
    this.source = es;
    es.onopen = () => { this.retryMs = 1000; this.setStatus('open'); };
    es.onerror = () => {
      this.setStatus('lost');
      // The browser retries by itself while CONNECTING; after a non-stream answer (401, 503) it gives up: retry here.
      if (es.readyState === EventSource.CLOSED && !this.stopped) {
        this.retryTimer = setTimeout(() => this.open(), this.retryMs);
        this.retryMs = Math.min(this.retryMs * 2, 10_000);
      }
    };
    for (const type of TYPES) {
      es.addEventListener(type, (msg: MessageEvent<string>) => {
        const event = JSON.parse(msg.data) as LiveEvent;
        if (event.id > this.lastId) this.lastId = event.id;
        this.onEvent(event);
      });
    }
    es.addEventListener('reset', (msg: MessageEvent<string>) => {
      this.lastId = (JSON.parse(msg.data) as { lastId: number }).lastId;
      this.onReset();
    });
  }
}
