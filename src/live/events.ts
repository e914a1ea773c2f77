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

/**
 * Most samples the ring keeps across its `samples` events. They only carry the newest value of
 * series for open charts, so a resuming client needs the last few, not 1,000 events × 500 samples
 * (which kept ~100 MiB alive at 100,000 series); older `samples` events leave the ring first, every
 * other event stays until `retain` pushes it out.
 */
export const MAX_RETAINED_SAMPLES = 20_000;

/** In-process bus with a ring of the last `retain` events (samples bounded by MAX_RETAINED_SAMPLES) for Last-Event-ID resumption. */
export class MemoryLiveEvents implements LiveEvents {
  private readonly listeners = new Set<LiveListener>();
  private readonly ring: LiveEvent[] = [];
  private next: number;
  private retainedSamples = 0;

  /** `firstId`: the id of the first event (the PostgreSQL bus starts each node at its own). */
  constructor(private readonly retain = 1000, private readonly onListenerError: (err: unknown) => void = () => undefined, firstId = 1) {
    this.next = firstId;
  }

  publish(body: LiveEventBody): LiveEvent {
    const event = { ...body, id: this.next++ } as LiveEvent;
    this.ring.push(event);
    if (event.type === 'samples') this.retainedSamples += event.samples.length;
    if (this.ring.length > this.retain) this.forget(0);
    while (this.retainedSamples > MAX_RETAINED_SAMPLES) this.forget(this.ring.findIndex((e) => e.type === 'samples'));
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.onListenerError(err);
      }
    }
    return event;
  }

  /** Drops the ring's event at index `i`. */
  private forget(i: number): void {
    const [gone] = this.ring.splice(i, 1);
    if (gone?.type === 'samples') this.retainedSamples -= gone.samples.length;
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
