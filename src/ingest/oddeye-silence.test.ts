import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { createSelfMetrics } from '../server/self-metrics.js';
import { copySqliteToPostgres } from '../store/postgres/copy-from-sqlite.js';
import { openPostgresStore, type PostgresStore } from '../store/postgres/index.js';
import { dropSchema, freshSchemaName, pgSkipReason, pgTestUrl } from '../store/postgres/test-support.js';
import { openSqliteStore, type SqliteStore } from '../store/sqlite/index.js';
import { runMigrations } from '../store/sqlite/migrations-runner.js';
import type { Store } from '../store/types.js';
import { ODDEYE_MIGRATIONS } from './oddeye-autoclear.js';
import { oddEyeRoutes } from './oddeye-routes.js';
import { OddEyeSilence, SILENT_CHECK_NAME, silenceRepoFor, silentInfo } from './oddeye-silence.js';
import { openTestTsdb } from './samples-test-support.js';

const T0 = 1_700_000_000_000;
const MIN = 60_000;
const pgUrl = pgTestUrl();
const pgSkip = await pgSkipReason(pgUrl);

it('the info lists five metric names, then how many more', () => {
  assert.equal(silentInfo(3 * MIN, ['a', 'b']), 'no data for 3m: a, b');
  assert.equal(silentInfo(90_000, ['a', 'b', 'c', 'd', 'e', 'f', 'g']), 'no data for 90s: a, b, c, d, e (+2 more)');
});

/** A store of one dialect, opened fresh; `reopen` opens a second handle on the same data (a restart). */
interface StoreCase {
  name: string;
  skip: string | null;
  open(): Promise<{ store: Store; reopen(): Promise<Store>; cleanup(): Promise<void> }>;
}

const cases: StoreCase[] = [
  {
    name: 'SQLite', skip: null,
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'oversee-silence-'));
      const path = join(dir, 'oversee.db');
      return { store: await openSqliteStore({ path }), reopen: () => openSqliteStore({ path }), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'PostgreSQL', skip: pgSkip,
    async open() {
      const schema = freshSchemaName();
      return { store: await openPostgresStore({ url: pgUrl, schema, poolSize: 3 }), reopen: () => openPostgresStore({ url: pgUrl, schema, poolSize: 3 }), cleanup: () => dropSchema(pgUrl, schema) };
    },
  },
];

for (const c of cases) {
  describe(`silent OddEye series on ${c.name}`, { skip: c.skip ?? false }, () => {
    const clock = { t: T0, now() { return this.t; } };
    let store: Store;
    let reopen: () => Promise<Store>;
    let cleanup: () => Promise<void>;
    let tsdb: Awaited<ReturnType<typeof openTestTsdb>>;
    let app: FastifyInstance;
    let silence: OddEyeSilence;
    let uuid: string;
    let projectId: number;
    const opened: Store[] = [];

    /** The OddEye route alone on `s`, with a silence tracker the test sweeps by hand (no timer). */
    const build = async (s: Store): Promise<[FastifyInstance, OddEyeSilence]> => {
      const sil = new OddEyeSilence(s, silenceRepoFor(s)!, clock);
      const a = Fastify();
      await a.register(oddEyeRoutes, { store: s, clock, metrics: createSelfMetrics(), samples: tsdb.tsdb, autoClear: null, anomalies: null, silence: sil });
      await a.ready();
      return [a, sil];
    };

    before(async () => {
      ({ store, reopen, cleanup } = await c.open());
      tsdb = await openTestTsdb(clock);
      [app, silence] = await build(store);
      const p = (await store.projects.getByName('default'))!;
      [uuid, projectId] = [p.ingestToken, p.id];
    });
    after(async () => {
      await app?.close();
      for (const s of [store, ...opened]) await s?.close();
      await tsdb?.close();
      await cleanup?.();
    });

    const put = async (a: FastifyInstance, host: string, metrics: string[], tags: Record<string, string> = {}) => {
      const data = metrics.map((metric) => ({ metric, timestamp: clock.t / 1000, value: 1, tags: { host, ...tags }, type: 'None', reaction: 0 }));
      const r = await a.inject({ method: 'POST', url: '/oddeye-barlus/put/tsdb', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `UUID=${uuid}&data=${JSON.stringify(data)}` });
      assert.equal(r.statusCode, 200, r.body);
    };
    const silentCheck = async (s: Store, host: string) => {
      const h = await s.hosts.getWithKey(projectId, host);
      return h === null ? null : s.checks.getByName(h.id, SILENT_CHECK_NAME);
    };

    it('a host silent for 3 minutes turns ERR naming its metrics (flip reason expired), and OK when data comes back', async () => {
      await put(app, 'web1', ['cpu.user', 'mem.free', 'disk.used']);
      await put(app, 'web2', ['cpu.user']);
      clock.t += 2 * MIN;
      await put(app, 'web2', ['cpu.user']);
      assert.deepEqual(await silence.sweep(), { raised: 0, cleared: 0, forgotten: 0 }, 'nothing is silent for 3 minutes yet');
      assert.equal(await silentCheck(store, 'web1'), null);
      clock.t += MIN;
      assert.deepEqual(await silence.sweep(), { raised: 1, cleared: 0, forgotten: 0 });
      const check = (await silentCheck(store, 'web1'))!;
      assert.deepEqual([check.state, check.info, check.source], ['ERR', 'no data for 3m: cpu.user, disk.used, mem.free', 'oddeye']);
      assert.equal(await silentCheck(store, 'web2'), null, 'web2 sent a minute ago');
      const flips = await store.history.flips({ checkId: check.id, limit: 10 });
      assert.deepEqual(flips.items.map((f) => [f.oldState, f.newState, f.reason]), [['OK', 'ERR', 'expired']]);
      assert.deepEqual(await silence.sweep(), { raised: 0, cleared: 0, forgotten: 0 }, 'an unchanged list is not reported again');

      clock.t += 10_000;
      await put(app, 'web1', ['cpu.user', 'mem.free']);
      const partly = (await silentCheck(store, 'web1'))!;
      assert.deepEqual([partly.state, partly.info], ['ERR', 'no data for 3m: disk.used'], 'data of a flagged host is looked at at once');
      await put(app, 'web1', ['disk.used']);
      const back = (await silentCheck(store, 'web1'))!;
      assert.deepEqual([back.state, back.info], ['OK', 'data again from every series']);
      const all = await store.history.flips({ checkId: check.id, limit: 10 });
      assert.deepEqual(all.items.map((f) => [f.oldState, f.newState]), [['ERR', 'OK'], ['OK', 'ERR']]);
    });

    it('one series of a metric with other tags going silent is enough; tag order does not matter', async () => {
      await put(app, 'db1', ['load'], { core: '0', dc: 'x' });
      await put(app, 'db1', ['load'], { dc: 'x', core: '1' });
      clock.t += 2 * MIN;
      await put(app, 'db1', ['load'], { dc: 'x', core: '0' });
      clock.t += 2 * MIN;
      await silence.sweep();
      assert.deepEqual([(await silentCheck(store, 'db1'))?.state, (await silentCheck(store, 'db1'))?.info], ['ERR', 'no data for 3m: load']);
      await put(app, 'db1', ['load'], { core: '1', dc: 'x' });
      assert.equal((await silentCheck(store, 'db1'))?.state, 'OK');
    });

    it('survives a restart: last-seen times and flags come from the store, not memory', async () => {
      await put(app, 'cache1', ['hits', 'misses']);
      await silence.sweep();
      await app.close();
      const s2 = await reopen();
      opened.push(s2);
      [app, silence] = await build(s2);
      clock.t += 4 * MIN;
      await silence.sweep();
      const c1 = (await silentCheck(s2, 'cache1'))!;
      assert.deepEqual([c1.state, c1.info], ['ERR', 'no data for 3m: hits, misses']);
      await put(app, 'cache1', ['hits', 'misses']);
      assert.equal((await silentCheck(s2, 'cache1'))?.state, 'OK', 'the flag raised before the restart is known after it');
    });

    it('series whose host tag cannot be a host name (empty) are stored but not watched', async () => {
      await put(app, '', ['nohost']);
      clock.t += 4 * MIN;
      await silence.sweep(); // resolves: no failing report for the host ''
      assert.equal(await store.hosts.getWithKey(projectId, ''), null);
    });

    it('two nodes on one store: a series that one node still receives is not silent for the other', async () => {
      const s2 = await reopen();
      opened.push(s2);
      const [nodeB, silenceB] = await build(s2);
      try {
        await put(app, 'lb1', ['req'], {});
        await silence.sweep();
        clock.t += 2 * MIN;
        await put(nodeB, 'lb1', ['req']);
        await silenceB.sweep();
        clock.t += 2 * MIN;
        await silence.sweep();
        assert.equal(await silentCheck(store, 'lb1'), null, 'node A sees the time node B wrote');
        clock.t += 2 * MIN;
        await silence.sweep();
        assert.equal((await silentCheck(store, 'lb1'))?.state, 'ERR');
        await put(nodeB, 'lb1', ['req']);
        await silenceB.sweep();
        assert.equal((await silentCheck(s2, 'lb1'))?.state, 'OK', 'node B clears the flag node A raised');
      } finally {
        await nodeB.close();
      }
    });

    it('deleting the silence check forgets that host\'s silent series', async () => {
      await put(app, 'old1', ['x']);
      clock.t += 4 * MIN;
      await silence.sweep();
      const check = (await silentCheck(store, 'old1'))!;
      assert.equal(check.state, 'ERR');
      await store.checks.delete(check.id);
      assert.equal((await silence.sweep()).forgotten, 1);
      await silence.sweep();
      assert.equal(await silentCheck(store, 'old1'), null, 'not raised again');
      await put(app, 'old1', ['x']);
      clock.t += 4 * MIN;
      await silence.sweep();
      assert.equal((await silentCheck(store, 'old1'))?.state, 'ERR', 'a host that comes back is watched again');
    });

    it('deleting a project removes its last-seen series and silent flags (foreign key), and leaves other projects\' rows', async () => {
      const gone = await store.projects.create('silence-gone', clock.t);
      const data = (host: string) => JSON.stringify(['a', 'b'].map((metric) => ({ metric, timestamp: clock.t / 1000, value: 1, tags: { host }, type: 'None', reaction: 0 })));
      const r = await app.inject({ method: 'POST', url: '/oddeye-barlus/put/tsdb', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `UUID=${gone.ingestToken}&data=${data('g1')}` });
      assert.equal(r.statusCode, 200, r.body);
      await put(app, 'stay1', ['a']);
      clock.t += 4 * MIN;
      await silence.sweep();
      const repo = silenceRepoFor(store)!;
      const rowsOf = async (id: number) => ({
        seen: (await repo.silent(Number.MAX_SAFE_INTEGER)).filter((x) => x.projectId === id).map((x) => `${x.host}/${x.metric}`),
        flags: (await repo.flags()).filter((f) => f.projectId === id).map((f) => f.host),
      });
      assert.deepEqual(await rowsOf(gone.id), { seen: ['g1/a', 'g1/b'], flags: ['g1'] }, 'rows of the project before its delete');
      const kept = await rowsOf(projectId);
      assert.ok(kept.seen.includes('stay1/a') && kept.flags.includes('stay1'), JSON.stringify(kept));

      assert.equal(await store.projects.delete(gone.id), true);
      assert.deepEqual(await rowsOf(gone.id), { seen: [], flags: [] }, 'the delete took its rows along');
      assert.deepEqual(await rowsOf(projectId), kept, 'the other project keeps its rows');
      assert.deepEqual(await silence.sweep(), { raised: 0, cleared: 0, forgotten: 0 }, 'a sweep after the delete has nothing of the deleted project to raise or forget');
    });
  });
}

/** Opens an embedded store in a fresh file, runs `prepare` on it, opens an empty PostgreSQL schema and runs `check`; closes and removes both. */
async function withCopyStores<T>(prefix: string, prepare: (lite: SqliteStore) => Promise<T>, check: (lite: SqliteStore, target: PostgresStore, prepared: T) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const schema = freshSchemaName();
  const lite = await openSqliteStore({ path: join(dir, 'oversee.db') });
  try {
    const prepared = await prepare(lite);
    const target = await openPostgresStore({ url: pgUrl, schema, poolSize: 2 });
    try {
      await check(lite, target, prepared);
    } finally {
      await target.close();
    }
  } finally {
    await lite.close();
    await dropSchema(pgUrl, schema);
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('copying an embedded installation to PostgreSQL', { skip: pgSkip ?? false }, () => {
  it('copies a file whose oddeye tables are at step 1 (before the silence tables existed)', async () => {
    await withCopyStores('oversee-silence-copy-v1-', async (lite) => {
      runMigrations(lite.db, 'oddeye', ODDEYE_MIGRATIONS.slice(0, 1));
    }, async (lite, target) => {
      const report = await copySqliteToPostgres(lite.db, target);
      assert.equal(report.tables.oddeye_autoclear, 0);
      assert.equal(report.tables.oddeye_seen, undefined);
    });
  });

  it('carries the last-seen times and flags of silent series', async () => {
    await withCopyStores('oversee-silence-copy-', async (lite) => {
      const projectId = (await lite.projects.getByName('default'))!.id;
      const repo = silenceRepoFor(lite)!;
      await repo.touch([{ projectId, host: 'h1', series: 'cpu{core=0}', metric: 'cpu', seenAt: T0 }, { projectId, host: 'h1', series: 'mem', metric: 'mem', seenAt: T0 + MIN }]);
      await repo.setFlag(projectId, 'h1', { checkId: 7, info: 'no data for 3m: cpu' });
      return projectId;
    }, async (lite, target, projectId) => {
      const report = await copySqliteToPostgres(lite.db, target);
      assert.deepEqual([report.tables.oddeye_seen, report.tables.oddeye_silent], [2, 1]);
      const copied = silenceRepoFor(target)!;
      assert.deepEqual(await copied.silent(T0), [{ projectId, host: 'h1', metric: 'cpu' }]);
      assert.deepEqual(await copied.flags(), [{ projectId, host: 'h1', checkId: 7, info: 'no data for 3m: cpu' }]);
    });
  });
});
