// A private, real PostgreSQL server (test/support/pg-server.ts) stopped crash-style (`-m immediate`)
// and started again on the same port, under one store and its live-event bus: store calls fail fast
// with OVS_ERR_UNAVAILABLE while it is down, nothing acknowledged is lost, the same store works again
// once it is back, and the LISTEN connection re-opens by itself (events cross between two buses again).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { OverseeError } from '../src/errors.js';
import type { LiveEvent } from '../src/live/events.js';
import { openPostgresStore, type PostgresStore } from '../src/store/postgres/index.js';
import { openPostgresLiveEvents, type PgLiveEvents } from '../src/store/postgres/live-events.js';
import { pgServerSkipReason, startPgServer, type PgServer } from './support/pg-server.js';

const skip = pgServerSkipReason();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const unavailable = (e: unknown): boolean => e instanceof OverseeError && e.code === 'OVS_ERR_UNAVAILABLE';

describe('PostgreSQL server restarted (stop -m immediate, start) under a store', { skip: skip ?? false, timeout: 120_000 }, () => {
  let server: PgServer;
  const stores: PostgresStore[] = [];
  const buses: PgLiveEvents[] = [];
  before(async () => { server = await startPgServer(); });
  after(async () => {
    for (const b of buses) await b.close().catch(() => undefined);
    for (const s of stores) await s.close().catch(() => undefined);
    await server?.destroy();
  });

  test('fails fast while it is down, keeps what was acknowledged, recovers without a restart of the store', async () => {
    const idleErrors: Error[] = [];
    const open = (): Promise<PostgresStore> => openPostgresStore({ url: server.url, schema: 'ovs_outage', poolSize: 4, onIdleError: (e) => idleErrors.push(e) });
    const store = await open();
    stores.push(store);
    const other = await open();
    stores.push(other);
    const busErrors: unknown[] = [];
    const [busA, busB] = await Promise.all([store, other].map((s) => openPostgresLiveEvents(s, { reconnectMs: 100, onError: (e) => busErrors.push(e) })));
    buses.push(busA!, busB!);
    const seenByB: LiveEvent[] = [];
    busB!.subscribe((e) => seenByB.push(e));
    const crosses = async (n: number): Promise<boolean> => {
      const before = seenByB.length;
      busA!.publish({ type: 'check-deleted', projectId: 1, checkId: n });
      await busA!.flushed();
      for (let i = 0; i < 50 && seenByB.length === before; i++) await sleep(100);
      return seenByB.length > before;
    };
    assert.ok(await crosses(1), 'an event crosses from one bus to the other before the restart');

    const project = (await store.projects.getByName('default'))!;
    const host = await store.hosts.register(project.id, 'h', null, 1);
    const report = (i: number): Promise<unknown> => store.ingest.reportStates({ hostId: host.id, at: i, address: null, source: 'api',
      services: [{ name: `c${i % 7}`, state: i % 3 ? 'OK' : 'ERR', info: `r${i}`, periodS: 60 }] });
    const acked: number[] = [];
    await Promise.all(Array.from({ length: 30 }, (_, i) => report(i).then(() => acked.push(i))));
    const listenerBefore = await busB!.listenerPid();

    await server.stop('immediate');
    const t0 = performance.now();
    const during = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => report(100 + i)));
    const took = performance.now() - t0;
    assert.ok(during.every((r) => r.status === 'rejected' && unavailable(r.reason)),
      `every call while the server is down answers unavailable: ${JSON.stringify(during.filter((r) => r.status === 'fulfilled' || !unavailable(r.reason)).map(String))}`);
    assert.ok(took < 3000, `failed fast (${Math.round(took)} ms for 30 calls)`);
    await assert.rejects(store.checks.list({ limit: 1 }), unavailable);

    await server.start();
    // The pool reconnects on the next call: no call fails once the server is back.
    await Promise.all(Array.from({ length: 30 }, (_, i) => report(200 + i).then(() => acked.push(200 + i))));
    const infos = new Set<string>();
    for (let id = 0; id < 7; id++) {
      const c = await other.checks.getByName(host.id, `c${id}`);
      for (const r of (await other.history.stateReports(c!.id, { limit: 1000 })).items) infos.add(r.info);
    }
    assert.deepEqual(acked.filter((i) => !infos.has(`r${i}`)), [], 'acknowledged reports kept');
    assert.equal(acked.length, 60);

    // The LISTEN connection was lost with the server and re-opened by itself.
    let pid: number | null = null;
    for (let i = 0; i < 100 && (pid === null || pid === listenerBefore); i++) {
      pid = await busB!.listenerPid().catch(() => null);
      if (pid === null || pid === listenerBefore) await sleep(100);
    }
    assert.ok(pid !== null && pid !== listenerBefore, `a new LISTEN connection (${listenerBefore} -> ${pid})`);
    assert.ok(await crosses(2), 'events cross between the buses again after the restart');
    assert.ok(idleErrors.length + busErrors.length > 0, 'the lost connections were reported, not thrown');
  });
});
