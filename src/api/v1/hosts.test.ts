import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Check, Host } from '../../domain/types.js';
import { errorCode, errorMessage, pageOf, seedHost, startHarness, type Harness } from './test-support/harness.js';

describe('/api/v1/hosts', () => {
  let h: Harness;
  let otherProject: number;
  const N = 23;

  before(async () => {
    h = await startHarness();
    const t = h.clock.now();
    otherProject = (await h.store.projects.create('other', t)).id;
    for (let i = 0; i < N; i++) await seedHost(h.store, h.defaultProjectId, `node-${String(i).padStart(2, '0')}`, [], t);
    await seedHost(h.store, h.defaultProjectId, 'db1', [['pg', 'OK']], t);
    await seedHost(h.store, otherProject, 'node-x', [], t);
  });
  after(async () => h.close());

  it('pages through all hosts with cursors, without duplicates or misses', async () => {
    const names: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await h.call('GET', `/api/v1/hosts?limit=4${cursor === null ? '' : `&cursor=${cursor}`}`);
      assert.equal(res.status, 200);
      const page = pageOf<Host>(res.body);
      assert.ok(page.items.length <= 4);
      names.push(...page.items.map((x) => x.name));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null);
    assert.equal(names.length, N + 2);
    assert.equal(new Set(names).size, N + 2);
    assert.equal(pages, Math.ceil((N + 2) / 4));
  });

  const filters: [string, string, number][] = [
    ['name prefix', 'prefix=node-', N + 1],
    ['name prefix within a project', 'prefix=node-&project=default', N],
    ['project by name', 'project=other', 1],
    ['a prefix nothing has', 'prefix=web', 0],
  ];
  for (const [what, query, count] of filters) {
    it(`filters by ${what}`, async () => {
      const page = pageOf<Host>((await h.call('GET', `/api/v1/hosts?limit=1000&${query}`)).body);
      assert.equal(page.items.length, count);
    });
  }

  it('gets one host by id and answers 404 for an unknown one', async () => {
    const id = (await h.store.hosts.getWithKey(h.defaultProjectId, 'db1'))?.id;
    assert.ok(id);
    const res = await h.call('GET', `/api/v1/hosts/${id}`);
    assert.equal(res.status, 200);
    assert.equal((res.body as Host).name, 'db1');
    assert.equal((res.body as Host).lastAddress, '127.0.0.1');
    assert.ok(!('key' in (res.body as object)), 'the key hash never leaves the server');
    const missing = await h.call('GET', '/api/v1/hosts/99999');
    assert.equal(missing.status, 404);
    assert.equal(errorCode(missing.body), 'OVS_ERR_NOT_FOUND');
  });

  it('rejects a limit over 1000 naming the field', async () => {
    const res = await h.call('GET', '/api/v1/hosts?limit=5000');
    assert.equal(res.status, 400);
    assert.equal(errorCode(res.body), 'OVS_ERR_VALIDATION');
    assert.match(errorMessage(res.body), /^limit: /);
  });

  it('deleting a host deletes its checks, their history and flips', async () => {
    const t = h.clock.now();
    const hostId = await seedHost(h.store, h.defaultProjectId, 'doomed', [['a', 'OK'], ['b', 'ERR']], t);
    await h.store.ingest.reportStates({ hostId, at: t + 1000, address: null, source: 'overc', services: [{ name: 'a', state: 'ERR', info: '', periodS: null }] });
    const checks = pageOf<Check>((await h.call('GET', `/api/v1/checks?host=${hostId}`)).body).items;
    assert.equal(checks.length, 2);

    const del = await h.call('DELETE', `/api/v1/hosts/${hostId}`, h.tokens.editor);
    assert.equal(del.status, 204);

    assert.equal((await h.call('GET', `/api/v1/hosts/${hostId}`)).status, 404);
    for (const c of checks) {
      assert.equal((await h.call('GET', `/api/v1/checks/${c.id}`)).status, 404);
      assert.equal((await h.store.history.stateReports(c.id, { limit: 10 })).items.length, 0);
      assert.equal((await h.store.history.flips({ checkId: c.id, limit: 10 })).items.length, 0);
    }
    const rest = pageOf<Check>((await h.call('GET', '/api/v1/checks?limit=1000')).body).items;
    assert.ok(rest.every((c) => c.hostId !== hostId));
    assert.equal((await h.call('DELETE', `/api/v1/hosts/${hostId}`, h.tokens.editor)).status, 404);
  });
});
