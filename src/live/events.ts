// Live events: what changed, for the dashboard's Server-Sent Events stream. The bus is an interface
// so that a PostgreSQL LISTEN/NOTIFY implementation can replace the in-process one on several nodes.
import type { Alert, Check, Flip } from '../domain/types.js';

/** One sample of a series, as the tsdb publishes it (time ms). */
export interface LiveSample {
  name: string;
  tags: Record<string, string>;
  t: number;
  v: number;
}

/** Everything the UI is told about without asking. `projectId` scopes who may see it. */
export type LiveEventBody =
  | { type: 'check'; projectId: number; check: Check }
  | { type: 'check-deleted'; projectId: number; checkId: number }
  | { type: 'flip'; projectId: number; flip: Flip }
  | { type: 'alert'; projectId: number; alert: Alert }
  | { type: 'samples'; projectId: number; samples: LiveSample[] }
  | { type: 'severe'; projectId: number; key: string; title: string; message: string; active: boolean; at: number };

/** A published event with its position in the stream (ids grow by one per event). */
export type LiveEvent = LiveEventBody & { id: number };

/** A function called for every event, in publish order. */
export type LiveListener = (event: LiveEvent) => void;

/** Publish/subscribe of live events. */
export interface LiveEvents {
  /** Publishes an event to every subscriber; returns it with its id. Never throws for a bad listener. */
  publish(body: LiveEventBody): LiveEvent;
  /**
   * Subscribes `listener`. With `afterId`, first replays the retained events newer than it
   * (`replayed` false when the gap is older than what is retained, so the client must reload).
   */
  subscribe(listener: LiveListener, afterId?: number): { unsubscribe(): void; replayed: boolean };
  /** Id of the newest event (0 before any). */
  lastId(): number;
}

/** In-process bus with a ring of the last `retain` events for Last-Event-ID resumption. */
export class MemoryLiveEvents implements LiveEvents {
  private readonly listeners = new Set<LiveListener>();
  private readonly ring: LiveEvent[] = [];
  private next: number;

  /** `firstId`: the id of the first event (the PostgreSQL bus starts each node at its own). */
  constructor(private readonly retain = 1000, private readonly onListenerError: (err: unknown) => void = () => undefined, firstId = 1) {
    this.next = firstId;
  }

  publish(body: LiveEventBody): LiveEvent {
    const event = { ...body, id: this.next++ } as LiveEvent;
    this.ring.push(event);
    if (this.ring.length > this.retain) this.ring.shift();
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.onListenerError(err);
      }
    }
    return event;
  }

  subscribe(listener: LiveListener, afterId?: number): { unsubscribe(): void; replayed: boolean } {
    let replayed = true;
    // An id beyond the newest one comes from before a restart of the server: the client must reload.
    if (afterId !== undefined && afterId > this.next - 1) replayed = false;
    else if (afterId !== undefined && afterId < this.next - 1) {
      const oldest = this.ring[0]?.id ?? this.next;
      if (afterId + 1 < oldest) replayed = false;
      for (const e of this.ring) if (e.id > afterId) listener(e);
    }
    this.listeners.add(listener);
    return { unsubscribe: () => { this.listeners.delete(listener); }, replayed };
  }

  lastId(): number {
    return this.next - 1;
  }
}
