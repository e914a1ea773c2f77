import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { runStoreContract } from '../contract.js';
import type { Store } from '../types.js';
import { PG_CORE_MIGRATIONS } from './core-migrations.js';
import { openPostgresStore, type PostgresStore } from './index.js';
import { runPgMigrations, type PgMigration } from './migrations-runner.js';
import { createPool } from './pool.js';
import { dropSchema, freshSchemaName, pgSkipReason, pgTestUrl } from './test-support.js';

const url = pgTestUrl();
const skip = await pgSkipReason(url);
const T0 = 1_700_000_000_000;

if (skip === null) {
  runStoreContract('postgres', async () => {
    const schema = freshSchemaName();
    let store: Store = await openPostgresStore({ url, schema, poolSize: 4 });
    return {
      store,
      reopen: async () => (store = await openPostgresStore({ url, schema, poolSize: 4 })),
      cleanup: async () => { await store.close(); await dropSchema(url, schema); },
    };
  });
}

/** Opens `n` stores (separate pools, like separate nodes) on one fresh schema; drops it afterwards. */
async function withNodes(n: number, fn: (stores: PostgresStore[], schema: string) => Promise<void>): Promise<void> {
  const schema = freshSchemaName();
  const stores = await Promise.all(Array.from({ length: n }, () => openPostgresStore({ url, schema, poolSize: 4 })));
  try {
    await fn(stores, schema);
  } finally {
    await Promise.all(stores.map((s) => s.close()));
    await dropSchema(url, schema);
  }
}

describe('postgres store specifics', { skip: skip ?? false }, () => {
  it('migrates once when several pools start together on an empty schema (advisory lock)', async () => {
    const schema = freshSchemaName();
    const pools = Array.from({ length: 6 }, () => createPool({ url, schema, size: 2 }));
    try {
      // A slow step widens the race window: without the lock, CREATE TABLE would fail in all but one pool.
      const steps: PgMigration[] = [
        { version: 1, description: 'slow table', up: (c) => c.query('SELECT pg_sleep(0.2); CREATE TABLE ran (n int)') },
        { version: 2, description: 'count runs', up: (c) => c.query('INSERT INTO ran VALUES (1)') },
      ];
      const versions = await Promise.all(pools.map((p) => runPgMigrations(p, schema, 'probe', steps)));
      assert.deepEqual(versions, [2, 2, 2, 2, 2, 2]);
      const first = pools[0] as pg.Pool;
      assert.equal((await first.query<{ n: number }>('SELECT count(*) AS n FROM ran')).rows[0]?.n, 1);
      const recorded = await first.query<{ version: number }>("SELECT version FROM schema_migrations WHERE module = 'probe' ORDER BY version");
      assert.deepEqual(recorded.rows.map((r) => r.version), [1, 2]);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
      await dropSchema(url, schema);
    }
  });

  it('opens several stores at once on an empty schema: core migrated once, one default project', async () => {
    await withNodes(4, async (stores) => {
      const s = stores[0] as PostgresStore;
      const rows = await s.pool.query<{ n: number }>("SELECT count(*) AS n FROM schema_migrations WHERE module = 'core'");
      assert.equal(rows.rows[0]?.n, PG_CORE_MIGRATIONS.length, 'each core step recorded once');
      for (const store of stores) assert.deepEqual((await store.projects.list()).map((p) => p.name), ['default']);
    });
  });

  it('keeps one consistent flip chain when two nodes report the same check concurrently', async () => {
    await withNodes(2, async (stores) => {
      const [a, b] = stores as [PostgresStore, PostgresStore];
      const project = (await a.projects.getByName('default'))!;
      const host = await a.hosts.register(project.id, 'web1', null, T0);
      const states = ['OK', 'ERR', 'WARN', 'ERR', 'OK', 'UNK'] as const;
      const n = 120;
      const outcomes = await Promise.all(Array.from({ length: n }, (_, i) => (i % 2 ? a : b).ingest.reportStates({
        hostId: host.id, at: T0 + i, address: null, source: 'overc',
        services: [{ name: 'shared', state: states[i % states.length] as (typeof states)[number], info: `r${i}`, periodS: 60 }],
      })));
      const check = (await b.checks.getByName(host.id, 'shared'))!;
      assert.equal(outcomes.filter((o) => o[0]?.created).length, 1, 'created exactly once');
      assert.ok(outcomes.every((o) => o[0]?.checkId === check.id));
      const reports = (await a.history.stateReports(check.id, { limit: 1000 })).items;
      assert.equal(reports.length, n);
      // Commit order, not report time: ids are drawn under the host lock, so they follow the serialization order.
      const flips = (await a.history.flips({ checkId: check.id, limit: 1000 })).items.sort((x, y) => x.id - y.id);
      // The chain links: each flip starts where the previous one ended, and starts from OK.
      assert.equal(flips[0]?.oldState, 'OK');
      for (let i = 1; i < flips.length; i++) assert.equal(flips[i]?.oldState, flips[i - 1]?.newState, `flip ${i} links`);
      assert.equal(flips.at(-1)?.newState, check.state);
      // Every flip in the table was returned to exactly one caller, none twice.
      const returned = outcomes.flatMap((o) => (o[0]?.flip ? [o[0].flip.id] : [])).sort((x, y) => x - y);
      assert.deepEqual(returned, flips.map((f) => f.id).sort((x, y) => x - y));
      // Replaying the committed reports in commit order (= state_reports id order) gives the same flips.
      const inOrder = [...reports].sort((x, y) => x.id - y.id);
      let state = 'OK';
      let expected = 0;
      for (const r of inOrder) { if (r.state !== state) expected++; state = r.state; }
      assert.equal(flips.length, expected);
    });
  });

  it('keeps everything after the pool is closed and reopened', async () => {
    const schema = freshSchemaName();
    try {
      let store = await openPostgresStore({ url, schema });
      const project = await store.projects.create('ops', T0);
      const host = await store.hosts.register(project.id, 'db1', { salt: 's', hash: 'h' }, T0);
      await store.ingest.reportStates({ hostId: host.id, at: T0, address: '10.0.0.1', source: 'overc',
        services: [{ name: 'disk', state: 'ERR', info: 'full', periodS: 30 }] });
      await store.ingest.raiseAlerts([{ projectId: project.id, hostId: host.id, checkName: 'disk', at: T0 + 1, title: 't', message: 'm', source: 'overc' }]);
      await store.close();
      await store.close(); // idempotent
      await assert.rejects(store.projects.list(), /closed/);
      store = await openPostgresStore({ url, schema });
      const disk = (await store.checks.getByName(host.id, 'disk'))!;
      assert.equal(disk.state, 'ERR');
      assert.equal(disk.deadlineAt, T0 + 30_000);
      assert.equal((await store.history.flips({ checkId: disk.id, limit: 10 })).items.length, 1);
      assert.equal((await store.history.alerts({ checkId: disk.id, limit: 10 })).items.length, 1);
      assert.deepEqual((await store.hosts.getWithKey(project.id, 'db1'))?.key, { salt: 's', hash: 'h' });
      assert.equal((await store.pool.query<{ n: number }>("SELECT count(*) AS n FROM schema_migrations WHERE module = 'core'")).rows[0]?.n, PG_CORE_MIGRATIONS.length);
      await store.close();
    } finally {
      await dropSchema(url, schema);
    }
  });

  it('applies repeated names within one batch in order', async () => {
    await withNodes(1, async ([store]) => {
      const s = store as PostgresStore;
      const project = (await s.projects.getByName('default'))!;
      const host = await s.hosts.register(project.id, 'h', null, T0);
      const out = await s.ingest.reportStates({ hostId: host.id, at: T0, address: null, source: 'api', services: [
        { name: 'x', state: 'ERR', info: '1', periodS: null }, { name: 'x', state: 'OK', info: '2', periodS: null }, { name: 'y', state: 'OK', info: '', periodS: null },
      ] });
      assert.deepEqual(out.map((o) => [o.created, o.flip?.oldState, o.flip?.newState]), [[true, 'OK', 'ERR'], [false, 'ERR', 'OK'], [true, undefined, undefined]]);
      assert.ok((out[0]?.flip?.id ?? 0) < (out[1]?.flip?.id ?? 0));
      const x = (await s.checks.getByName(host.id, 'x'))!;
      assert.equal(x.state, 'OK');
      assert.deepEqual((await s.history.stateReports(x.id, { limit: 10 })).items.map((r) => r.info), ['2', '1']);
    });
  });

  it('answers a report for a missing host with not-found and writes nothing', async () => {
    await withNodes(1, async ([store]) => {
      const s = store as PostgresStore;
      await assert.rejects(s.ingest.reportStates({ hostId: 999, at: T0, address: null, source: 'api', services: [{ name: 'x', state: 'OK', info: '', periodS: null }] }),
        /does not exist/);
      assert.equal((await s.checks.list({ limit: 10 })).items.length, 0);
    });
  });

  it('refuses a schema name that would need quoting', async () => {
    await assert.rejects(openPostgresStore({ url, schema: 'Bad-Name' }), (e: unknown) => e instanceof Error && /store.schema/.test(e.message));
  });

  it('answers unavailable, not a crash, when the server cannot be reached', async () => {
    await assert.rejects(openPostgresStore({ url: 'postgres://postgres@127.0.0.1:1/test', schema: freshSchemaName() }),
      (e: unknown) => e instanceof Error && 'code' in e && e.code === 'OVS_ERR_UNAVAILABLE');
  });
});

describe('postgres ingest group commit', { skip: skip ?? false }, () => {
  it('fails only the bad batch of a group: unknown host and a state the schema refuses', async () => {
    await withNodes(1, async ([store]) => {
      const s = store as PostgresStore;
      const project = (await s.projects.getByName('default'))!;
      const hosts = await Promise.all(Array.from({ length: 20 }, (_, i) => s.hosts.register(project.id, `h${i}`, null, T0)));
      const svc = (state: string) => [{ name: 'x', state: state as 'OK', info: '', periodS: 60 }];
      const calls = hosts.map((h, i) => s.ingest.reportStates({ hostId: h.id, at: T0 + i, address: null, source: 'api', services: svc('ERR') }));
      calls.push(s.ingest.reportStates({ hostId: 99_999, at: T0, address: null, source: 'api', services: svc('OK') }));
      calls.push(s.ingest.reportStates({ hostId: (hosts[3] as { id: number }).id, at: T0 + 50, address: null, source: 'api', services: svc('BOGUS') }));
      const settled = await Promise.allSettled(calls);
      assert.deepEqual(settled.map((r) => r.status), [...hosts.map(() => 'fulfilled'), 'rejected', 'rejected']);
      assert.match(String((settled[20] as PromiseRejectedResult).reason), /does not exist/);
      assert.equal((await s.checks.countByState()).ERR, 20);
      assert.equal((await s.history.flips({ limit: 100 })).items.length, 20);
    });
  });

  it('applies two batches of the same host in one group in call order', async () => {
    await withNodes(1, async ([store]) => {
      const s = store as PostgresStore;
      const project = (await s.projects.getByName('default'))!;
      const h = await s.hosts.register(project.id, 'h', null, T0);
      const states = ['WARN', 'OK', 'ERR', 'ERR', 'OK'] as const;
      const outs = await Promise.all(states.map((st, i) => s.ingest.reportStates({ hostId: h.id, at: T0 + i, address: `a${i}`, source: 'api',
        services: [{ name: 'x', state: st, info: String(i), periodS: 60 }] })));
      assert.deepEqual(outs.map((o) => o[0]?.flip ? `${o[0].flip.oldState}>${o[0].flip.newState}` : '-'), ['OK>WARN', 'WARN>OK', 'OK>ERR', '-', 'ERR>OK']);
      assert.deepEqual(outs.map((o) => o[0]?.created), [true, false, false, false, false]);
      assert.equal((await s.hosts.get(h.id))?.lastAddress, 'a4');
      assert.equal((await s.checks.getByName(h.id, 'x'))?.info, '4');
    });
  });
});

describe('postgres store connection loss', { skip: skip ?? false }, () => {
  it('answers unavailable for work cut off with its connection, then recovers by itself', async () => {
    const schema = freshSchemaName();
    const appName = `ovs-test-${schema}`;
    const idleErrors: Error[] = [];
    const store = await openPostgresStore({ url, schema, poolSize: 4, applicationName: appName, onIdleError: (e) => idleErrors.push(e) });
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const project = (await store.projects.getByName('default'))!;
      const host = await store.hosts.register(project.id, 'h', null, T0);
      const report = (i: number) => store.ingest.reportStates({ hostId: host.id, at: T0 + i, address: null, source: 'api', services: [{ name: 'x', state: 'OK', info: String(i), periodS: 60 }] });
      await report(0);
      // A report in flight when the server ends its session (as on a restart) fails with the stable code:
      // another session holds the host row, so the report waits inside its transaction until cut off.
      await admin.query(`BEGIN; SELECT 1 FROM ${schema}.hosts WHERE id = ${host.id} FOR UPDATE`);
      const inFlight = report(100).then(() => 'finished', (e: unknown) => e);
      await new Promise((r) => setTimeout(r, 300));
      const killed = await admin.query<{ n: number }>('SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = $1', [appName]);
      assert.ok((killed.rows[0]?.n ?? 0) >= 1);
      await admin.query('ROLLBACK');
      assert.equal(((await inFlight) as { code?: string }).code, 'OVS_ERR_UNAVAILABLE');
      // The pool drops dead connections and opens new ones: the next calls work without a restart.
      let ok = 0;
      for (let i = 1; i <= 5; i++) {
        try { await report(i); ok++; } catch (e) { assert.equal((e as { code?: string }).code, 'OVS_ERR_UNAVAILABLE'); }
      }
      assert.ok(ok >= 4, `${ok} of 5 calls after the cut succeeded`);
      assert.equal((await store.checks.list({ limit: 10 })).items.length, 1);
    } finally {
      await admin.end();
      await store.close();
      await dropSchema(url, schema);
    }
  });
});
