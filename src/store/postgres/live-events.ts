// Live events across nodes through PostgreSQL LISTEN/NOTIFY. Each node delivers its own events at
// once (like the in-process bus) and forwards them to the other nodes on one channel per schema;
// events from other nodes are delivered when their NOTIFY arrives. Ids are per node: they start at
// a random base, so a browser that reconnects to another node (or after a restart) presents an id
// this node never issued, gets `replayed: false` and reloads, instead of resuming at a wrong place.
// While the LISTEN connection is down (PostgreSQL restart) events of other nodes are missed; it is
// re-opened by itself.
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { type LiveEvent, type LiveEventBody, type LiveEvents, type LiveListener, MemoryLiveEvents } from '../../live/events.js';
import type { PostgresStore } from './index.js';
import type { PgMigration } from './migrations-runner.js';

/** Schema of the live module: an outbox for events too large for a NOTIFY payload. */
export const PG_LIVE_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    description: 'outbox for large live events',
    up: (c) => c.query(`CREATE UNLOGGED TABLE live_outbox (
      id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL DEFAULT now())`),
  },
];

/** NOTIFY payloads must stay under 8000 bytes; larger batches go through live_outbox. */
const INLINE_LIMIT = 7000;
const RETAIN_DEFAULT = 1000;

/** Options of the cross-node bus. */
export interface PgLiveEventsOptions {
  /** Events kept for Last-Event-ID resumption on this node. */
  retain?: number;
  /** Called for a listener that threw, a failed forward, or a lost LISTEN connection (which is re-opened). */
  onError?: (err: unknown) => void;
  /** Delay before re-opening a lost LISTEN connection (ms); default 1000. */
  reconnectMs?: number;
}

interface Wire { n: string; e?: LiveEventBody[]; r?: number }

/** Opens the bus on the store's database: migrates, LISTENs, and starts forwarding. `close()` stops it. */
export async function openPostgresLiveEvents(store: PostgresStore, opts: PgLiveEventsOptions = {}): Promise<PgLiveEvents> {
  await store.migrate('live', PG_LIVE_MIGRATIONS);
  const bus = new PgLiveEvents(store.pool, `oversee_live_${store.schema}`, opts);
  await bus.listen();
  return bus;
}

/** LiveEvents over LISTEN/NOTIFY (see the file comment for the id rules). */
export class PgLiveEvents implements LiveEvents {
  /** This node's events and those received from others: ids, the resumption ring and the listeners. */
  private readonly local: MemoryLiveEvents;
  private readonly first: number;
  private readonly node = randomUUID();
  private outgoing: LiveEventBody[] = [];
  private flushing: Promise<void> | null = null;
  private listener: pg.Client | null = null;
  private receiving: Promise<void> = Promise.resolve();
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private readonly onError: (err: unknown) => void;

  constructor(private readonly pool: pg.Pool, private readonly channel: string, private readonly opts: PgLiveEventsOptions = {}) {
    this.onError = opts.onError ?? (() => undefined);
    // A random base below 2^52, leaving room to count up: ids of different nodes and runs never line up.
    this.first = Number(randomBytes(6).readUIntBE(0, 6) % 2 ** 47) * 16 + 1;
    this.local = new MemoryLiveEvents(opts.retain ?? RETAIN_DEFAULT, this.onError, this.first);
  }

  publish(body: LiveEventBody): LiveEvent {
    const event = this.local.publish(body);
    this.outgoing.push(body);
    if (!this.flushing) this.flushing = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flush());
    return event;
  }

  subscribe(listener: LiveListener, afterId?: number): { unsubscribe(): void; replayed: boolean } {
    // An id below this run's first one comes from another node or an earlier run: nothing to replay, the client must reload.
    if (afterId !== undefined && afterId < this.first - 1) return { ...this.local.subscribe(listener), replayed: false };
    return this.local.subscribe(listener, afterId);
  }

  lastId(): number {
    return this.local.lastId();
  }

  /** Opens the LISTEN connection (a dedicated client, outside the pool); re-opened after a loss until close(). */
  async listen(): Promise<void> {
    const opts = this.pool.options;
    const client = new pg.Client({ connectionString: opts.connectionString, ...(opts.types ? { types: opts.types } : {}), application_name: 'oversee-live' });
    client.on('notification', (msg) => {
      const payload = msg.payload;
      // One at a time, so that an outbox fetch never lets a later NOTIFY overtake it.
      if (msg.channel === this.channel && payload) this.receiving = this.receiving.then(() => this.receive(payload));
    });
    client.on('error', (err) => {
      this.onError(err);
      this.relisten(client);
    });
    client.on('end', () => this.relisten(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.closed) { await client.end().catch(() => undefined); return; }
    this.listener = client;
  }

  /** The server process of the LISTEN connection, or null while it is down (for operators and tests). */
  async listenerPid(): Promise<number | null> {
    const c = this.listener;
    if (!c) return null;
    return (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid ?? null;
  }

  /** Waits until what was published so far has been forwarded (or failed to be). */
  async flushed(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  /** Forwards what is pending, stops listening. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flushed();
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const client = this.listener;
    this.listener = null;
    await client?.end().catch(() => undefined);
  }

  /** The LISTEN connection was lost: drop it and open a new one after a pause (events sent meanwhile are missed). */
  private relisten(client: pg.Client): void {
    if (this.closed || this.listener !== client) return;
    this.listener = null;
    client.end().catch(() => undefined);
    this.scheduleListen();
  }

  private scheduleListen(): void {
    if (this.closed || this.listener || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.closed || this.listener) return;
      this.listen().catch((err: unknown) => { this.onError(err); this.scheduleListen(); });
    }, this.opts.reconnectMs ?? 1000);
  }

  /** Sends the pending events in as few NOTIFYs as fit, large ones through the outbox. */
  private async flush(): Promise<void> {
    const batch = this.outgoing;
    this.outgoing = [];
    try {
      if (this.closed || batch.length === 0) return;
      const payloads: string[] = [];
      let part: LiveEventBody[] = [];
      let size = 0;
      for (const body of batch) {
        const len = Buffer.byteLength(JSON.stringify(body));
        if (part.length > 0 && size + len > INLINE_LIMIT) { payloads.push(JSON.stringify({ n: this.node, e: part } satisfies Wire)); part = []; size = 0; }
        part.push(body);
        size += len + 1;
      }
      if (part.length > 0) payloads.push(JSON.stringify({ n: this.node, e: part } satisfies Wire));
      const client = await this.pool.connect();
      // A checked-out client whose connection dies emits 'error'; unheard, that would crash the process.
      const onClientError = (): void => undefined;
      client.on('error', onClientError);
      try {
        await client.query('BEGIN');
        for (const p of payloads) {
          if (Buffer.byteLength(p) <= INLINE_LIMIT) {
            await client.query('SELECT pg_notify($1, $2)', [this.channel, p]);
          } else {
            const id = (await client.query<{ id: number }>('INSERT INTO live_outbox (payload) VALUES ($1) RETURNING id', [p])).rows[0]?.id;
            await client.query('SELECT pg_notify($1, $2)', [this.channel, JSON.stringify({ n: this.node, r: id } satisfies Wire)]);
          }
        }
        await client.query("DELETE FROM live_outbox WHERE created_at < now() - interval '1 minute'");
        await client.query('COMMIT');
        client.off('error', onClientError);
        client.release();
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        client.off('error', onClientError);
        client.release(true);
        throw err;
      }
    } catch (err) {
      this.onError(err); // other nodes miss these events; this node already delivered them
    } finally {
      this.flushing = this.outgoing.length > 0 && !this.closed ? this.flush() : null;
    }
  }

  /** Delivers the events of another node's NOTIFY, in order. */
  private async receive(payload: string): Promise<void> {
    try {
      let wire = JSON.parse(payload) as Wire;
      if (wire.n === this.node) return;
      if (wire.r !== undefined) {
        const row = (await this.pool.query<{ payload: string }>('SELECT payload FROM live_outbox WHERE id = $1', [wire.r])).rows[0];
        if (!row) return;
        wire = JSON.parse(row.payload) as Wire;
      }
      for (const body of wire.e ?? []) this.local.publish(body);
    } catch (err) {
      this.onError(err);
    }
  }
}
