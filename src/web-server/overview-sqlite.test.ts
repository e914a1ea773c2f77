// The overview's narrow SQLite read gives exactly what the generic path (store.checks.list) gives,
// for every scope; GET /overview is gzipped only for clients that accept it and decodes to the same.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { appFixture, type AppFixture } from '../test-support/app-fixture.js';
import { addUser, login } from '../users/test-support/session.js';
import { OVERVIEW_INFO_MAX, acceptsGzip, type OverviewCheck } from './overview.js';
import { sqliteDbOf, sqliteOverviewChecks, type OverviewScope } from './overview-sqlite.js';

describe('overview on SQLite', () => {
  let f: AppFixture;
  beforeEach(async () => { f = await appFixture(); });
  afterEach(async () => { await f.close(); });

  /** Two projects, 3 hosts, 30 checks with every state, a long info, tags and an expired one. */
  async function populate(): Promise<number[]> {
    const other = await f.store.projects.create('other', f.clock.now());
    const def = (await f.store.projects.getByName('default'))!;
    const states = ['OK', 'WARN', 'ERR', 'UNK'] as const;
    for (const [i, pid] of [def.id, other.id, other.id].entries()) {
      const host = await f.store.hosts.register(pid, `h${i}`, null, f.clock.now());
      await f.store.ingest.reportStates({
        hostId: host.id, at: f.clock.now(), address: '127.0.0.1', source: 'overc',
        services: Array.from({ length: 10 }, (_, k) => ({ name: `c${k}`, state: states[(i + k) % 4]!, info: k === 3 ? 'x'.repeat(OVERVIEW_INFO_MAX + 50) : `v${k}`, periodS: 60 })),
      });
    }
    f.store.db.prepare(`UPDATE checks SET tags = '["db","prod"]' WHERE name = 'c1'`).run();
    f.store.db.prepare(`UPDATE checks SET expired = 1 WHERE name = 'c2'`).run();
    return [def.id, other.id];
  }

  /** The generic path: every page of store.checks.list mapped as buildOverview maps it. */
  async function generic(scope: OverviewScope): Promise<OverviewCheck[]> {
    const out: OverviewCheck[] = [];
    let cursor: string | null = null;
    do {
      const page = await f.store.checks.list({ limit: 7, cursor, ...scope });
      for (const c of page.items) {
        out.push({ id: c.id, projectId: c.projectId, hostId: c.hostId, hostName: c.hostName, name: c.name, state: c.state,
          info: c.info.length > OVERVIEW_INFO_MAX ? `${c.info.slice(0, OVERVIEW_INFO_MAX)}…` : c.info,
          lastReportAt: c.lastReportAt, lastChangeAt: c.lastChangeAt, expired: c.expired, tags: c.tags });
      }
      cursor = page.nextCursor;
    } while (cursor !== null);
    return out;
  }

  test('the narrow query equals store.checks.list for every scope', async () => {
    const [def, other] = await populate();
    const db = sqliteDbOf(f.store);
    assert.ok(db !== null);
    for (const scope of [{}, { projectId: def! }, { projectId: other! }, { projectIds: [def!, other!] }, { projectIds: [other!] }, { projectIds: [] }] as OverviewScope[]) {
      const fast = sqliteOverviewChecks(db, scope, OVERVIEW_INFO_MAX);
      assert.deepEqual(fast, await generic(scope), JSON.stringify(scope));
    }
    const all = sqliteOverviewChecks(db, {}, OVERVIEW_INFO_MAX);
    assert.equal(all.length, 30);
    assert.ok(all.some((c) => c.expired) && all.some((c) => c.tags.includes('prod')) && all.some((c) => c.info.endsWith('…')));
  });

  test('a closed store has no fast path (the generic path answers its error)', async () => {
    const g = await appFixture();
    await g.close();
    assert.equal(sqliteDbOf(g.store), null);
  });

  test('GET /overview is gzipped only when accepted, and decodes to the same answer', async () => {
    await populate();
    for (let i = 0; i < 200; i++) {
      const host = await f.store.hosts.register((await f.store.projects.getByName('default'))!.id, `bulk${i}`, null, f.clock.now());
      await f.store.ingest.reportStates({ hostId: host.id, at: f.clock.now(), address: '127.0.0.1', source: 'overc', services: [{ name: 'c', state: 'OK', info: `info ${i}`, periodS: 60 }] });
    }
    await addUser(f.store, 'vic', 'viewer');
    const s = await login(f.app, 'vic');
    const plain = await s.inject({ method: 'GET', url: '/api/v1/overview' });
    assert.equal(plain.statusCode, 200);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.json().checks.length, 230);
    const zipped = await s.inject({ method: 'GET', url: '/api/v1/overview', headers: { 'accept-encoding': 'br;q=1, gzip;q=0.5' } });
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.equal(zipped.headers.vary, 'accept-encoding');
    const decoded = JSON.parse(gunzipSync(zipped.rawPayload).toString('utf8')) as { checks: unknown[]; now: number };
    const expected = plain.json() as { checks: unknown[]; now: number };
    assert.deepEqual(decoded.checks, expected.checks);
    assert.ok(zipped.rawPayload.length < plain.rawPayload.length / 4, `${zipped.rawPayload.length} vs ${plain.rawPayload.length}`);
    const refused = await s.inject({ method: 'GET', url: '/api/v1/overview', headers: { 'accept-encoding': 'gzip;q=0, identity' } });
    assert.equal(refused.headers['content-encoding'], undefined);
  });

  test('acceptsGzip reads Accept-Encoding', () => {
    assert.equal(acceptsGzip(undefined), false);
    assert.equal(acceptsGzip('gzip, deflate, br'), true);
    assert.equal(acceptsGzip('br'), false);
    assert.equal(acceptsGzip('GZIP;q=0.3'), true);
    assert.equal(acceptsGzip('gzip;q=0'), false);
    assert.equal(acceptsGzip('*'), true);
    assert.equal(acceptsGzip('identity, *;q=0'), false);
  });
});
