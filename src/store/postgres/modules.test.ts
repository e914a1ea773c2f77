import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { autoClearRepoFor } from '../../ingest/oddeye-autoclear.js';
import { ruleRepoFor } from '../../rules/sqlite.js';
import { userStoreFor } from '../../web-server/index.js';
import { OverseeError } from '../../errors.js';
import { okerrRepoFor } from '../sqlite/okerr.js';
import { openPostgresStore, type PostgresStore } from './index.js';
import { dropSchema, freshSchemaName, pgSkipReason, pgTestUrl } from './test-support.js';

const url = pgTestUrl();
const skip = await pgSkipReason(url);
const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);

// The users, okerr, rules and OddEye tables on PostgreSQL, reached through the same factories the
// server uses; two pools on one schema stand for two nodes.
describe('postgres module tables (users, okerr, rules, oddeye)', { skip: skip ?? false }, () => {
  const schema = freshSchemaName();
  let a: PostgresStore;
  let b: PostgresStore;
  let projectId: number;
  before(async () => {
    [a, b] = await Promise.all([openPostgresStore({ url, schema, poolSize: 3 }), openPostgresStore({ url, schema, poolSize: 3 })]);
    projectId = (await a.projects.getByName('default'))!.id;
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await dropSchema(url, schema);
  });

  test('the factories give PostgreSQL repositories instead of switching the features off', () => {
    assert.ok(okerrRepoFor(a));
    assert.ok(ruleRepoFor(a));
    assert.ok(autoClearRepoFor(a));
    assert.ok(userStoreFor(a));
  });

  test('two nodes racing to create the first user make exactly one', async () => {
    const [x, y] = await Promise.all([
      userStoreFor(a).createFirstUser({ name: 'ann', passwordHash: 'h1', now: T0 }),
      userStoreFor(b).createFirstUser({ name: 'bob', passwordHash: 'h2', now: T0 }),
    ]);
    assert.equal([x, y].filter((u) => u !== null).length, 1);
    assert.equal(await userStoreFor(a).countUsers(), 1);
  });

  test('user names are unique whatever their case, and lookups ignore case', async () => {
    const users = userStoreFor(a);
    const carl = await users.createUser({ name: 'Carl', role: 'editor', projectId, passwordHash: 'h', now: T0 });
    await assert.rejects(users.createUser({ name: 'CARL', role: 'viewer', projectId: null, passwordHash: 'h', now: T0 }),
      (e: unknown) => e instanceof OverseeError && e.code === 'OVS_ERR_CONFLICT');
    assert.equal((await userStoreFor(b).getUserByName('carl'))?.id, carl.id);
    assert.equal((await users.updateUser(carl.id, { role: 'admin', projectId: null }))?.role, 'admin');
    await users.recordLogin(carl.id, T0 + 5);
    assert.equal((await users.getUser(carl.id))?.lastLoginAt, T0 + 5);
  });

  test('a session made on one node is seen, extended and pruned on the other', async () => {
    const userId = (await userStoreFor(a).getUserByName('carl'))!.id;
    await userStoreFor(a).createSession({ idHash: 's1', userId, createdAt: T0, expiresAt: T0 + 100 });
    await userStoreFor(a).createSession({ idHash: 's2', userId, createdAt: T0, expiresAt: T0 + 10 });
    await userStoreFor(b).extendSession('s1', T0 + 1000);
    assert.equal((await userStoreFor(b).getSession('s1'))?.expiresAt, T0 + 1000);
    assert.equal(await userStoreFor(b).pruneSessions(T0 + 50), 1);
    assert.equal(await userStoreFor(a).getSession('s2'), null);
    assert.equal(await userStoreFor(a).deleteUser(userId), true);
    assert.equal(await userStoreFor(b).getSession('s1'), null, 'a deleted user loses its sessions');
  });

  test('dashboards are saved, scoped by project, updated and deleted', async () => {
    const users = userStoreFor(a);
    const d = await users.saveDashboard({ projectId, name: 'ops', spec: { charts: [1] }, createdBy: 'ann', now: T0 });
    assert.ok(d);
    await users.saveDashboard({ projectId: null, name: 'all', spec: {}, createdBy: 'ann', now: T0 });
    assert.deepEqual((await users.listDashboards(projectId)).map((x) => x.name), ['all', 'ops']);
    assert.deepEqual((await users.saveDashboard({ id: d.id, projectId, name: 'ops2', spec: { charts: [2] }, createdBy: 'ann', now: T0 + 1 }))?.spec, { charts: [2] });
    assert.equal(await users.deleteDashboard(d.id), true);
    assert.equal(await users.getDashboard(d.id), null);
  });

  test('okerr settings default, patch without losing fields, and indicators upsert', async () => {
    const okerr = okerrRepoFor(a)!;
    assert.deepEqual(await okerr.getSettings(projectId), { projectId, secret: null, autocreate: true, policies: {} });
    await okerr.setSettings(projectId, { secret: { salt: 's', hash: 'h' } }, T0);
    const s = await okerrRepoFor(b)!.setSettings(projectId, { autocreate: false, policies: { Fast: { periodS: 10, patienceS: 5 } } }, T0);
    assert.deepEqual(s, { projectId, secret: { salt: 's', hash: 'h' }, autocreate: false, policies: { Fast: { periodS: 10, patienceS: 5 } } });
    const rec = { projectId, name: 'i', method: 'numerical|maxlim=5', policy: 'Fast', previous: '3', tags: ['x'], desc: 'd', updatedAt: T0 };
    await okerr.saveIndicator(rec);
    await okerr.saveIndicator({ ...rec, previous: '4', updatedAt: T0 + 1 });
    assert.deepEqual(await okerrRepoFor(b)!.getIndicator(projectId, 'i'), { ...rec, previous: '4', updatedAt: T0 + 1 });
    assert.equal(await okerr.getIndicator(projectId, 'nope'), null);
  });

  test('metric rules are created, listed per project and deleted', async () => {
    const rules = ruleRepoFor(a)!;
    const r = await rules.create({ kind: 'anomaly', projectId, host: 'metrics', check: 'c', metric: 'm', tags: {}, reaction: 0, stepMs: 60_000 }, T0);
    assert.deepEqual(await ruleRepoFor(b)!.get(r.id), r);
    assert.deepEqual((await rules.list(projectId)).map((x) => x.id), [r.id]);
    assert.deepEqual(await rules.list(projectId + 1000), []);
    assert.equal(await rules.delete(r.id), true);
    assert.equal(await rules.delete(r.id), false);
  });

  test('OddEye auto-clear times are set, replaced, listed when due and removed', async () => {
    const host = await a.hosts.register(projectId, 'oe', null, T0);
    const [o] = await a.ingest.reportStates({ hostId: host.id, at: T0, address: null, source: 'oddeye', services: [{ name: 'sp', state: 'ERR', info: '', periodS: null }] });
    const repo = autoClearRepoFor(a)!;
    await repo.set(o!.checkId, T0 + 60_000, 1);
    await repo.set(o!.checkId, T0 + 120_000, 2);
    assert.deepEqual(await autoClearRepoFor(b)!.due(T0 + 60_000, 10), []);
    assert.deepEqual(await autoClearRepoFor(b)!.due(T0 + 120_000, 10), [{ checkId: o!.checkId, minutes: 2 }]);
    await repo.set(o!.checkId, null, 0);
    assert.deepEqual(await repo.due(T0 + 999_999, 10), []);
  });
});
