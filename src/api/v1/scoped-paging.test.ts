// Paging for a caller with roles in some projects only (issue 6): the project filter is part of the
// store's query, so every page is full while more items exist. On a real SQLite file and on a fresh
// schema of the real PostgreSQL: a viewer of A and B pages through 250 checks, flips and events with
// limit 50, interleaved with 125 of project C, and sees each of its items exactly once and none of C.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import { planIntake } from '../../alert/events.js';
import { AlertAdmin } from '../../alert/index.js';
import { createSelfMetrics } from '../../server/self-metrics.js';
import { storeBackends, type StoreBackend } from '../../test-support/store-backends.js';
import { principalOf } from '../auth.js';
import { alertingApiRoutes } from './alerting.js';
import { apiV1Routes } from './index.js';

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
const PER_PROJECT = 125;

const backends = storeBackends('oversee-scoped-paging-');

for (const [name, open] of backends) {
  describe(`paging for a viewer of projects A and B, not C (${name})`, () => {
    let b: StoreBackend | null = null;
    let app: FastifyInstance;
    const ids: Record<'A' | 'B' | 'C', number> = { A: 0, B: 0, C: 0 };
    const visibleChecks = new Set<number>();
    const hiddenChecks = new Set<number>();

    before(async () => {
      const got = await open();
      if (typeof got === 'string') return;
      b = got;
      const { store, alerts } = got;
      const clock = { now: () => T0 + 10_000_000 };
      const hosts: Record<string, number> = {};
      for (const p of ['A', 'B', 'C'] as const) ids[p] = (await store.projects.create(`p${p}`, T0)).id;
      // C's host first: a first page of one host used to come back empty (C filtered out) with a cursor.
      for (const p of ['C', 'A', 'B'] as const) hosts[p] = (await store.hosts.register(ids[p], `h${p}`, null, T0)).id;
      // Interleaved: every third check, flip and event belongs to C, so filtering after the query left pages short.
      let at = T0;
      for (let i = 0; i < PER_PROJECT; i++) {
        for (const p of ['A', 'B', 'C'] as const) {
          const [out] = await store.ingest.reportStates({
            hostId: hosts[p]!, at: at++, address: null, source: 'api',
            services: [{ name: `c${String(i).padStart(3, '0')}`, state: 'ERR', info: '', periodS: null }],
          });
          assert.ok(out);
          (p === 'C' ? hiddenChecks : visibleChecks).add(out.checkId);
        }
      }
      assert.equal(await alerts.intake('n1', at, 1000, (item) => planIntake(item, 0)), 3 * PER_PROJECT);
      const admin = new AlertAdmin({ store, alertStore: alerts, clock, reminderIntervalMs: 600_000 });
      const principal = async (): Promise<ReturnType<typeof principalOf>> =>
        principalOf(0, 'user:alice', [{ projectId: ids.A, role: 'viewer' }, { projectId: ids.B, role: 'viewer' }]);
      app = Fastify({ logger: false });
      const metrics = createSelfMetrics();
      await app.register(apiV1Routes, { prefix: '/api/v1', store, clock, metrics, principal });
      await app.register(alertingApiRoutes, { prefix: '/api/v1', store, clock, metrics, admin, engine: null, principal });
      await app.ready();
    });
    after(async () => {
      await app?.close();
      await b?.cleanup();
    });

    /** Pages through `path` with limit 50; returns every page's items. */
    const pages = async <T>(path: string): Promise<T[][]> => {
      const out: T[][] = [];
      let cursor: string | null = null;
      do {
        const sep = path.includes('?') ? '&' : '?';
        const res: LightMyRequestResponse = await app.inject({ method: 'GET', url: `${path}${sep}limit=50${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}` });
        assert.equal(res.statusCode, 200, res.body);
        const body = res.json<{ items: T[]; nextCursor: string | null }>();
        out.push(body.items);
        cursor = body.nextCursor;
        assert.ok(out.length <= 10, 'too many pages');
      } while (cursor !== null);
      return out;
    };

    /** Five full pages (a sixth, empty one is allowed only when the fifth ended exactly on the last item). */
    const assertFullPages = (sizes: number[]): void => {
      assert.deepEqual(sizes.slice(0, 5), [50, 50, 50, 50, 50], `page sizes ${sizes.join(',')}`);
      assert.ok(sizes.length === 5 || (sizes.length === 6 && sizes[5] === 0), `page sizes ${sizes.join(',')}`);
    };

    test('GET /checks: five full pages, the 250 checks of A and B once each, none of C', async (t) => {
      if (b === null) { t.skip('PostgreSQL unreachable'); return; }
      const got = await pages<{ id: number; projectId: number }>('/api/v1/checks');
      assertFullPages(got.map((p) => p.length));
      const seen = got.flat().map((c) => c.id);
      assert.equal(new Set(seen).size, seen.length, 'no check twice');
      assert.deepEqual(new Set(seen), visibleChecks);
      assert.ok(got.flat().every((c) => c.projectId !== ids.C));
    });

    test('GET /events: five full pages, 250 events of A and B once each, none of C', async (t) => {
      if (b === null) { t.skip('PostgreSQL unreachable'); return; }
      const got = await pages<{ id: number; checkId: number | null; event: { projectId: number } }>('/api/v1/events');
      assertFullPages(got.map((p) => p.length));
      const all = got.flat();
      assert.equal(new Set(all.map((e) => e.id)).size, 250, 'no event twice');
      assert.deepEqual(new Set(all.map((e) => e.checkId)), visibleChecks);
      assert.ok(all.every((e) => e.event.projectId === ids.A || e.event.projectId === ids.B));
    });

    test('GET /flips: five full pages, newest first, none of C', async (t) => {
      if (b === null) { t.skip('PostgreSQL unreachable'); return; }
      const got = await pages<{ id: number; checkId: number; at: number }>('/api/v1/flips');
      assertFullPages(got.map((p) => p.length));
      const all = got.flat();
      assert.deepEqual(new Set(all.map((f) => f.checkId)), visibleChecks);
      assert.deepEqual(all.map((f) => f.at), [...all.map((f) => f.at)].sort((x, y) => y - x));
    });

    test('GET /hosts lists hA and hB; a project filter still narrows to one project', async (t) => {
      if (b === null) { t.skip('PostgreSQL unreachable'); return; }
      const hosts = (await app.inject({ method: 'GET', url: '/api/v1/hosts?limit=1' })).json<{ items: Array<{ name: string }>; nextCursor: string | null }>();
      assert.deepEqual(hosts.items.map((h) => h.name), ['hA'], 'the first page holds A, not C');
      const next = (await app.inject({ method: 'GET', url: `/api/v1/hosts?limit=1&cursor=${encodeURIComponent(hosts.nextCursor ?? '')}` }))
        .json<{ items: Array<{ name: string }> }>();
      assert.deepEqual(next.items.map((h) => h.name), ['hB']);
      const onlyB = await pages<{ projectId: number }>('/api/v1/checks?project=pB');
      assert.equal(onlyB.flat().length, PER_PROJECT);
      assert.ok(onlyB.flat().every((c) => c.projectId === ids.B));
      assert.equal((await app.inject({ method: 'GET', url: '/api/v1/events?project=pC' })).statusCode, 403);
    });
  });
}
