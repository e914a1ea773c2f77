import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { Check } from '../../domain/types.js';
import type { LiveEvent, LiveEventBody } from '../../live/events.js';
import { openPostgresStore, type PostgresStore } from './index.js';
import { openPostgresLiveEvents, type PgLiveEvents } from './live-events.js';
import { dropSchema, freshSchemaName, pgSkipReason, pgTestUrl } from './test-support.js';

const url = pgTestUrl();
const skip = await pgSkipReason(url);

const check = (id: number, info = ''): Check => ({
  id, projectId: 1, hostId: 1, hostName: 'h', name: `c${id}`, source: 'api', state: 'OK', info, periodS: null, patienceS: null,
  lastReportAt: 1, lastChangeAt: 1, deadlineAt: null, expired: false, sourceAddress: null, tags: [], createdAt: 1,
});
const body = (id: number, info = ''): LiveEventBody => ({ type: 'check', projectId: 1, check: check(id, info) });
const ids = (events: LiveEvent[]): number[] => events.map((e) => (e.type === 'check' ? e.check.id : -1));

async function until(pred: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('live events across nodes (LISTEN/NOTIFY)', { skip: skip ?? false }, () => {
  const schema = freshSchemaName();
  let stores: PostgresStore[] = [];
  let a: PgLiveEvents;
  let b: PgLiveEvents;
  const errors: unknown[] = [];
  before(async () => {
    stores = await Promise.all([0, 1].map(() => openPostgresStore({ url, schema, poolSize: 2 })));
    const buses = await Promise.all(stores.map((s) => openPostgresLiveEvents(s, { reconnectMs: 100, onError: (e) => errors.push(e) })));
    [a, b] = buses as [PgLiveEvents, PgLiveEvents];
  });
  after(async () => {
    await a?.close();
    await b?.close();
    for (const s of stores) await s.close();
    await dropSchema(url, schema);
  });

  it('delivers a node\'s events at once to its own subscribers and, in order, to the other node\'s', async () => {
    const seenA: LiveEvent[] = [];
    const seenB: LiveEvent[] = [];
    const subA = a.subscribe((e) => seenA.push(e));
    const subB = b.subscribe((e) => seenB.push(e));
    for (let i = 1; i <= 5; i++) a.publish(body(i));
    assert.deepEqual(ids(seenA), [1, 2, 3, 4, 5], 'local delivery is synchronous');
    b.publish(body(100));
    await until(() => seenB.length === 6 && seenA.length === 6);
    assert.deepEqual(ids(seenB), [100, 1, 2, 3, 4, 5]);
    assert.deepEqual(ids(seenA), [1, 2, 3, 4, 5, 100], 'no event twice');
    assert.deepEqual(seenB.map((e) => e.id), [0, 1, 2, 3, 4, 5].map((k) => (seenB[0] as LiveEvent).id + k), 'ids count up by one on each node');
    subA.unsubscribe();
    subB.unsubscribe();
  });

  it('carries events too large for one NOTIFY through the outbox, keeping the order', async () => {
    const seen: LiveEvent[] = [];
    const sub = b.subscribe((e) => seen.push(e));
    a.publish(body(201));
    a.publish(body(202, 'x'.repeat(20_000)));
    await a.flushed();
    a.publish(body(203));
    await until(() => seen.length === 3);
    assert.deepEqual(ids(seen), [201, 202, 203]);
    assert.equal(seen[1]?.type === 'check' ? seen[1].check.info.length : 0, 20_000);
    sub.unsubscribe();
  });

  it('resumes from its own ids and refuses ids of another node', async () => {
    const last = b.lastId();
    b.publish(body(300));
    const replay: LiveEvent[] = [];
    const own = b.subscribe((e) => replay.push(e), last);
    assert.equal(own.replayed, true);
    assert.deepEqual(ids(replay), [300]);
    own.unsubscribe();
    const foreign = b.subscribe(() => undefined, a.lastId());
    assert.equal(foreign.replayed, false, 'an id this node never issued means reload');
    foreign.unsubscribe();
  });

  it('re-opens a lost LISTEN connection by itself', async () => {
    const pid = await b.listenerPid();
    assert.ok(pid);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    await admin.end();
    await until(() => errors.length > 0);
    let again: number | null = null;
    await until(() => { void b.listenerPid().then((p) => { again = p; }, () => undefined); return again !== null && again !== pid; });
    const seen: LiveEvent[] = [];
    const sub = b.subscribe((e) => seen.push(e));
    a.publish(body(400));
    await until(() => seen.length === 1);
    assert.deepEqual(ids(seen), [400]);
    sub.unsubscribe();
  });
});
