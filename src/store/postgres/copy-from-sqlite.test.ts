import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { planIntake } from '../../alert/events.js';
import { OverseeError } from '../../errors.js';
import { parseChannel } from '../../notify/registry.js';
import { openSqliteAlertStore } from '../sqlite/alerting.js';
import { CORE_MIGRATIONS } from '../sqlite/core-migrations.js';
import { openSqliteStore } from '../sqlite/index.js';
import { openSqliteTsdbStorage } from '../sqlite/tsdb-storage.js';
import type { Store } from '../types.js';
import { openPostgresAlertStore } from './alerting.js';
import { copySqliteToPostgres } from './copy-from-sqlite.js';
import { openPostgresStore } from './index.js';
import { openPostgresTsdbStorage } from './tsdb-storage.js';
import { PgOkerrRepo } from './okerr.js';
import { PgRuleRepo } from './rules.js';
import { PgUserStore } from './users.js';
import { openSqliteUserStore } from '../../users/sqlite-store.js';
import { okerrRepoFor } from '../sqlite/okerr.js';
import { ruleRepoFor } from '../../rules/sqlite.js';
import type { NewMetricRule } from '../../rules/types.js';
import { dropSchema, freshSchemaName, pgSkipReason, pgTestUrl } from './test-support.js';

const url = pgTestUrl();
const skip = await pgSkipReason(url);
const T0 = 1_700_000_000_000;

/** Everything the Store interface shows, for comparing two stores. */
async function snapshot(s: Store): Promise<unknown> {
  const checks = (await s.checks.list({ limit: 1000 })).items;
  return {
    projects: await s.projects.list(),
    tokens: await s.tokens.list(),
    hosts: (await s.hosts.list({ limit: 1000 })).items,
    keys: await Promise.all((await s.hosts.list({ limit: 1000 })).items.map((h) => s.hosts.getWithKey(h.projectId, h.name))),
    checks,
    history: await Promise.all(checks.map(async (c) => (await s.history.stateReports(c.id, { limit: 1000 })).items)),
    flips: (await s.history.flips({ limit: 1000 })).items,
    alerts: (await s.history.alerts({ limit: 1000 })).items,
  };
}

describe('copy an embedded installation to PostgreSQL', { skip: skip ?? false }, () => {
  it('copies core, alerting and tsdb with their ids, verifies counts, and the copy keeps working', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oversee-copy-'));
    const schema = freshSchemaName();
    const lite = await openSqliteStore({ path: join(dir, 'oversee.db'), synchronous: 'NORMAL' });
    try {
      // 1. An installation with a bit of everything.
      const project = (await lite.projects.getByName('default'))!;
      const ops = await lite.projects.create('ops', T0);
      await lite.tokens.create({ name: 'admin', role: 'admin', projectId: null, hash: 'h1', now: T0 });
      const web = await lite.hosts.register(project.id, 'web1', { salt: 's', hash: 'k' }, T0);
      const db = await lite.hosts.register(ops.id, 'db1', null, T0);
      for (let i = 0; i < 5; i++) {
        await lite.ingest.reportStates({ hostId: web.id, at: T0 + i * 1000, address: '10.0.0.1', source: 'overc',
          services: [{ name: 'cpu', state: i % 2 ? 'WARN' : 'OK', info: `cpu ${i}`, periodS: 60 }, { name: 'disk', state: 'ERR', info: 'full', periodS: null, patienceS: 30 }] });
      }
      await lite.ingest.reportStates({ hostId: db.id, at: T0, address: null, source: 'api', services: [{ name: 'pg', state: 'OK', info: '', periodS: 30 }] });
      await lite.ingest.raiseAlerts([{ projectId: project.id, hostId: web.id, checkName: 'queue', at: T0 + 9, title: 'Alert', message: 'stuck', source: 'overc' }]);
      const liteAlerts = openSqliteAlertStore(lite);
      await liteAlerts.putChannel({ ...parseChannel({ name: 'hook', type: 'webhook', url: 'http://127.0.0.1:9/' }), origin: 'api' }, T0);
      await liteAlerts.setChannelEnabled('hook', false, 'HTTP 404', T0);
      await liteAlerts.intake('A', T0, 100, (item) => planIntake(item, 0));
      const liteTsdb = openSqliteTsdbStorage({ db: lite.db });
      await liteTsdb.appendWal([{ id: 7, projectId: project.id, name: 'cpu.load', tags: { host: 'web1' }, type: 'gauge', createdAt: T0 }], Uint8Array.from([1, 2, 3]));
      await liteTsdb.checkpoint([{ seriesId: 7, tier: 0, windowStart: 0, minTs: 1, maxTs: 9, count: 3, level: 0, data: Uint8Array.from([9, 8, 7, 0, 255]) }], 0);
      const liteUsers = openSqliteUserStore(lite.db);
      await liteUsers.createUser({ name: 'Ann', role: 'admin', projectId: null, passwordHash: 'x', now: T0 });
      await okerrRepoFor(lite)!.saveIndicator({ projectId: project.id, name: 'i1', method: 'heartbeat', policy: 'Default', previous: null, tags: ['a'], desc: 'd', updatedAt: T0 });
      await ruleRepoFor(lite)!.create({ kind: 'threshold', projectId: project.id, host: 'metrics', check: 'load', metric: 'cpu.load', tags: {}, agg: 'avg', windowMs: 60_000, warnAbove: 1, critAbove: 2, warnBelow: null, critBelow: null } satisfies NewMetricRule, T0);
      const before = await snapshot(lite);

      // 2. Copy into a fresh schema.
      const pgStore = await openPostgresStore({ url, schema, poolSize: 2 });
      try {
        const report = await copySqliteToPostgres(lite.db, pgStore);
        assert.equal(report.tables.checks, 4);
        assert.equal(report.tables.flips, 4 + 1, 'cpu flapped four times, disk once, queue none');
        assert.equal(report.tables.tsdb_chunks, 1);
        assert.ok((report.tables.alert_events ?? 0) > 0);
        assert.deepEqual(report.skipped, []);
        assert.deepEqual([report.tables.users, report.tables.okerr_indicators, report.tables.metric_rules], [1, 1, 1]);
        assert.deepEqual(await new PgUserStore(pgStore.pool).listUsers(), await liteUsers.listUsers());
        assert.deepEqual(await new PgOkerrRepo(pgStore.pool).getIndicator(project.id, 'i1'), await okerrRepoFor(lite)!.getIndicator(project.id, 'i1'));
        assert.deepEqual(await new PgRuleRepo(pgStore.pool).list(), await ruleRepoFor(lite)!.list());
        // 3. The same data through the same interface.
        assert.deepEqual(await snapshot(pgStore), before);
        const alerts = await openPostgresAlertStore(pgStore);
        assert.deepEqual(await alerts.listChannels(), await liteAlerts.listChannels());
        assert.deepEqual((await alerts.events({ limit: 100 })).items, (await liteAlerts.events({ limit: 100 })).items);
        const tsdb = await openPostgresTsdbStorage({ pool: pgStore.pool, schema });
        assert.deepEqual(await tsdb.loadSeries(), await liteTsdb.loadSeries());
        assert.deepEqual((await tsdb.readChunks([7], 0, 0, 100)).map((ch) => [ch.id, Array.from(ch.data)]), [[1, [9, 8, 7, 0, 255]]]);
        assert.deepEqual((await tsdb.readWal()).map((w) => Array.from(w.data)), [[1, 2, 3]]);
        // 4. New rows get ids after the copied ones.
        const p2 = await pgStore.projects.create('new', T0);
        assert.equal(p2.id, ops.id + 1);
        const [o] = await pgStore.ingest.reportStates({ hostId: web.id, at: T0 + 99_000, address: null, source: 'api', services: [{ name: 'fresh', state: 'ERR', info: '', periodS: null }] });
        assert.ok(o!.checkId > 4 && o!.flip!.id > 5);
        assert.deepEqual(await tsdb.assignSeriesIds([{ projectId: project.id, name: 'other', tags: {}, type: 'counter', createdAt: T0 }]), [8]);
        // 5. A second copy into the now non-empty schema is refused, changing nothing.
        await assert.rejects(copySqliteToPostgres(lite.db, pgStore), (e: unknown) => e instanceof OverseeError && e.code === 'OVS_ERR_CONFLICT');
        assert.equal((await pgStore.projects.list()).length, 3);
      } finally {
        await pgStore.close();
      }
    } finally {
      await lite.close();
      rmSync(dir, { recursive: true, force: true });
      await dropSchema(url, schema);
    }
  });

  it('never hands out again a project, host or check id the SQLite installation retired on delete', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oversee-copy-'));
    const schema = freshSchemaName();
    const lite = await openSqliteStore({ path: join(dir, 'oversee.db'), synchronous: 'NORMAL' });
    try {
      const kept = await lite.projects.create('kept', T0);
      const gone = await lite.projects.create('gone', T0);
      assert.equal(await lite.projects.delete(gone.id), true);
      const h1 = await lite.hosts.register(kept.id, 'h1', null, T0);
      const h2 = await lite.hosts.register(kept.id, 'h2', null, T0);
      const [c1, c2] = await lite.ingest.reportStates({ hostId: h1.id, at: T0, address: null, source: 'overc',
        services: [{ name: 'a', state: 'OK', info: '', periodS: 60 }, { name: 'b', state: 'OK', info: '', periodS: 60 }] });
      assert.equal(await lite.checks.delete(c2!.checkId), true);
      assert.equal(await lite.hosts.delete(h2.id), true);
      await lite.close();
      const source = new Database(join(dir, 'oversee.db'), { readonly: true });
      const pgStore = await openPostgresStore({ url, schema, poolSize: 2 });
      try {
        await copySqliteToPostgres(source, pgStore);
        const fresh = await pgStore.projects.create('fresh', T0);
        assert.ok(fresh.id > gone.id, `new project id ${fresh.id} must not reuse the deleted ${gone.id}`);
        const h3 = await pgStore.hosts.register(kept.id, 'h3', null, T0);
        assert.ok(h3.id > h2.id, `new host id ${h3.id} must not reuse the deleted ${h2.id}`);
        const [c3] = await pgStore.ingest.reportStates({ hostId: h1.id, at: T0 + 1, address: null, source: 'overc',
          services: [{ name: 'c', state: 'OK', info: '', periodS: 60 }] });
        assert.ok(c3!.checkId > c2!.checkId && c1!.checkId < c2!.checkId, `new check id ${c3!.checkId} must not reuse the deleted ${c2!.checkId}`);
      } finally {
        await pgStore.close();
        source.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await dropSchema(url, schema);
    }
  });

  it('names the modules it cannot copy yet', async () => {
    const schema = freshSchemaName();
    const source = new Database(':memory:');
    const pgStore = await openPostgresStore({ url, schema, poolSize: 2 });
    try {
      source.exec(`CREATE TABLE schema_migrations (module TEXT, version INTEGER, description TEXT, applied_at INTEGER);
        INSERT INTO schema_migrations VALUES ('core', 1, '', 0), ('someday', 2, '', 0);`);
      for (const m of CORE_MIGRATIONS) m.up(source);
      const report = await copySqliteToPostgres(source, pgStore);
      assert.deepEqual(report.skipped, [{ module: 'someday', version: 2 }]);
      assert.equal(report.tables.projects, 0);
    } finally {
      await pgStore.close();
      source.close();
      await dropSchema(url, schema);
    }
  });
});
