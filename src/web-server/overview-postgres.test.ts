// The overview on PostgreSQL (the generic path: store.checks.list pages filtered by the caller's
// projects) gives the same checks, counts and Severe entries as on SQLite (the narrow query).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Principal } from '../api/auth.js';
import { MemoryLiveEvents } from '../live/events.js';
import { openPostgresStore, type PostgresStore } from '../store/postgres/index.js';
import { dropSchema, freshSchemaName, pgSkipReason, pgTestUrl } from '../store/postgres/test-support.js';
import { openSqliteStore, type SqliteStore } from '../store/sqlite/index.js';
import type { Store } from '../store/types.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOverview } from './overview.js';
import { sqliteDbOf } from './overview-sqlite.js';

const url = pgTestUrl();
const skip = await pgSkipReason(url);
const T = Date.UTC(2026, 0, 5, 12, 0, 0);

/** Same data in both stores: projects default and other, 3 hosts × 12 checks in every state. */
async function populate(store: Store): Promise<number[]> {
  const other = await store.projects.create('other', T);
  const def = (await store.projects.getByName('default'))!;
  const states = ['OK', 'WARN', 'ERR', 'UNK'] as const;
  for (const [i, pid] of [def.id, other.id, other.id].entries()) {
    const host = await store.hosts.register(pid, `h${i}`, null, T);
    await store.ingest.reportStates({ hostId: host.id, at: T, address: '127.0.0.1', source: 'overc',
      services: Array.from({ length: 12 }, (_, k) => ({ name: `c${k}`, state: states[(i + k) % 4]!, info: `v${k}`, periodS: 60 })) });
  }
  return [def.id, other.id];
}

const principal = (grants: Principal['grants']): Principal => ({ tokenId: 0, name: 't', grants, role: 'viewer', projectId: null });

describe('overview on PostgreSQL equals SQLite', { skip: skip ?? false }, () => {
  const schema = freshSchemaName();
  let pg: PostgresStore;
  let lite: SqliteStore;
  let dir: string;
  before(async () => {
    pg = await openPostgresStore({ url, schema, poolSize: 2 });
    dir = mkdtempSync(join(tmpdir(), 'oversee-ov-'));
    lite = await openSqliteStore({ path: join(dir, 'o.db') });
  });
  after(async () => {
    await pg?.close();
    await lite?.close();
    await dropSchema(url, schema);
    rmSync(dir, { recursive: true, force: true });
  });

  test('every project, one project, and a caller with roles in some projects', async () => {
    assert.equal(sqliteDbOf(pg), null);
    assert.notEqual(sqliteDbOf(lite), null);
    const [pgDef, pgOther] = await populate(pg);
    const [liteDef, liteOther] = await populate(lite);
    const live = new MemoryLiveEvents();
    const clock = { now: () => T + 1000 };
    const strip = (o: Awaited<ReturnType<typeof buildOverview>>) => ({
      counts: o.counts, expired: o.expired, projects: o.projects.map((p) => p.name),
      checks: o.checks.map((c) => `${c.hostName}/${c.name}/${c.state}/${c.info}/${c.lastReportAt}`),
      severe: o.severe.map((s) => `${s.hostName}/${s.name}`),
    });
    for (const [pgGrants, liteGrants, n] of [
      [[{ projectId: null, role: 'viewer' }], [{ projectId: null, role: 'viewer' }], 36],
      [[{ projectId: pgOther, role: 'viewer' }], [{ projectId: liteOther, role: 'viewer' }], 24],
      [[{ projectId: pgDef, role: 'viewer' }, { projectId: pgOther, role: 'editor' }], [{ projectId: liteDef, role: 'viewer' }, { projectId: liteOther, role: 'editor' }], 36],
      [[], [], 0],
    ] as [Principal['grants'], Principal['grants'], number][]) {
      const a = strip(await buildOverview(pg, live, clock, principal(pgGrants)));
      const b = strip(await buildOverview(lite, live, clock, principal(liteGrants)));
      assert.equal(a.checks.length, n);
      assert.deepEqual(a, b);
    }
  });
});
