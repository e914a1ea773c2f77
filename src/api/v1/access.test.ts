import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Check, Host } from '../../domain/types.js';
import { principalOf } from '../auth.js';
import { errorCode, pageOf, seedHost, startHarness, type Harness } from './test-support/harness.js';

describe('authentication on /api/v1', () => {
  let h: Harness;
  before(async () => { h = await startHarness(); });
  after(async () => h.close());

  const routes: ['GET' | 'DELETE' | 'POST', string][] = [
    ['GET', '/api/v1/projects'], ['GET', '/api/v1/projects/1'], ['GET', '/api/v1/hosts'], ['GET', '/api/v1/hosts/1'],
    ['GET', '/api/v1/checks'], ['GET', '/api/v1/checks/1'], ['GET', '/api/v1/checks/1/history'], ['GET', '/api/v1/checks/1/flips'],
    ['GET', '/api/v1/alerts'], ['GET', '/api/v1/flips'], ['DELETE', '/api/v1/hosts/1'], ['DELETE', '/api/v1/checks/1'],
    ['GET', '/api/v1/tokens'], ['POST', '/api/v1/tokens'], ['DELETE', '/api/v1/tokens/1'],
  ];
  for (const [method, url] of routes) {
    it(`answers 401 OVS_ERR_UNAUTHORIZED to ${method} ${url} without a token`, async () => {
      const res = await h.call(method, url, null);
      assert.equal(res.status, 401);
      assert.equal(errorCode(res.body), 'OVS_ERR_UNAUTHORIZED');
    });
  }

  const badHeaders: [string, string][] = [
    ['a malformed token', 'Bearer hello'],
    ['an unknown well-formed token', `Bearer ovs_${'A'.repeat(43)}`],
    ['another auth scheme', 'Basic YWRtaW46YWRtaW4='],
  ];
  for (const [what, header] of badHeaders) {
    it(`answers 401 to ${what}`, async () => {
      const res = await h.app.inject({ method: 'GET', url: '/api/v1/checks', headers: { authorization: header } });
      assert.equal(res.statusCode, 401);
      assert.equal(errorCode(res.json()), 'OVS_ERR_UNAUTHORIZED');
    });
  }

  it('serves the OpenAPI document without a token', async () => {
    const res = await h.call('GET', '/api/v1/openapi.json', null);
    assert.equal(res.status, 200);
  });

  it('answers 401 for a token revoked a moment ago', async () => {
    const t = await h.token('viewer', null);
    assert.equal((await h.call('GET', '/api/v1/checks', t)).status, 200);
    const mine = (await h.store.tokens.list()).at(-1);
    assert.ok(mine);
    await h.store.tokens.delete(mine.id);
    assert.equal((await h.call('GET', '/api/v1/checks', t)).status, 401);
  });
});

describe('roles on /api/v1', () => {
  let h: Harness;
  before(async () => { h = await startHarness(); });
  after(async () => h.close());

  const cases: ['viewer' | 'editor' | 'admin', 'GET' | 'DELETE' | 'POST', string, number][] = [
    ['viewer', 'GET', '/api/v1/checks', 200],
    ['viewer', 'DELETE', '/api/v1/hosts/1', 403],
    ['viewer', 'DELETE', '/api/v1/checks/1', 403],
    ['viewer', 'GET', '/api/v1/tokens', 403],
    ['editor', 'DELETE', '/api/v1/checks/99999', 404],
    ['editor', 'DELETE', '/api/v1/hosts/99999', 404],
    ['editor', 'GET', '/api/v1/tokens', 403],
    ['editor', 'POST', '/api/v1/tokens', 403],
    ['editor', 'DELETE', '/api/v1/tokens/1', 403],
    ['admin', 'GET', '/api/v1/tokens', 200],
    ['admin', 'DELETE', '/api/v1/checks/99999', 404],
  ];
  for (const [role, method, url, status] of cases) {
    it(`${role} gets ${status} for ${method} ${url}`, async () => {
      const body = method === 'POST' ? { name: 'n', role: 'viewer' } : undefined;
      const res = await h.call(method, url, h.tokens[role], body);
      assert.equal(res.status, status, JSON.stringify(res.body));
      if (status === 403) assert.equal(errorCode(res.body), 'OVS_ERR_FORBIDDEN');
    });
  }
});

describe('project scope on /api/v1', () => {
  let h: Harness;
  let scoped: string;
  let scopedEditor: string;
  let mineHost: number;
  let theirsHost: number;
  let theirsCheck: number;
  let otherProject: number;

  before(async () => {
    h = await startHarness();
    const t = h.clock.now();
    otherProject = (await h.store.projects.create('other', t)).id;
    mineHost = await seedHost(h.store, otherProject, 'mine', [['a', 'OK'], ['b', 'ERR']], t);
    theirsHost = await seedHost(h.store, h.defaultProjectId, 'theirs', [['c', 'ERR']], t);
    const c = await h.store.checks.getByName(theirsHost, 'c');
    assert.ok(c);
    theirsCheck = c.id;
    await h.store.ingest.raiseAlerts([
      { projectId: otherProject, hostId: mineHost, checkName: null, at: t, title: 'mine', message: 'm', source: 'overc' },
      { projectId: h.defaultProjectId, hostId: theirsHost, checkName: null, at: t, title: 'theirs', message: 't', source: 'overc' },
    ]);
    scoped = await h.token('viewer', otherProject);
    scopedEditor = await h.token('editor', otherProject);
  });
  after(async () => h.close());

  it('lists only the checks, hosts, projects and alerts of the token\'s project', async () => {
    const checks = pageOf<Check>((await h.call('GET', '/api/v1/checks', scoped)).body).items;
    assert.deepEqual(checks.map((c) => c.name), ['a', 'b']);
    const hosts = pageOf<Host>((await h.call('GET', '/api/v1/hosts', scoped)).body).items;
    assert.deepEqual(hosts.map((x) => x.name), ['mine']);
    const projects = pageOf<{ name: string }>((await h.call('GET', '/api/v1/projects', scoped)).body).items;
    assert.deepEqual(projects.map((p) => p.name), ['other']);
    const alerts = pageOf<{ title: string }>((await h.call('GET', '/api/v1/alerts', scoped)).body).items;
    assert.deepEqual(alerts.map((a) => a.title), ['mine']);
  });

  it('answers 403 OVS_ERR_FORBIDDEN to a project filter naming another project', async () => {
    for (const url of ['/api/v1/checks?project=default', '/api/v1/hosts?project=default', '/api/v1/alerts?project=default']) {
      const res = await h.call('GET', url, scoped);
      assert.equal(res.status, 403, url);
      assert.equal(errorCode(res.body), 'OVS_ERR_FORBIDDEN');
    }
  });

  it('answers 404 for objects of another project, as if they did not exist', async () => {
    const urls = [
      `/api/v1/checks/${theirsCheck}`, `/api/v1/checks/${theirsCheck}/history`, `/api/v1/checks/${theirsCheck}/flips`,
      `/api/v1/hosts/${theirsHost}`, `/api/v1/projects/${h.defaultProjectId}`, `/api/v1/checks?host=${theirsHost}`,
      '/api/v1/checks?host=theirs', `/api/v1/alerts?check=${theirsCheck}`,
    ];
    for (const url of urls) {
      const res = await h.call('GET', url, scoped);
      assert.equal(res.status, 404, url);
      assert.equal(errorCode(res.body), 'OVS_ERR_NOT_FOUND');
    }
  });

  it('does not let a project editor delete another project\'s host or check', async () => {
    assert.equal((await h.call('DELETE', `/api/v1/checks/${theirsCheck}`, scopedEditor)).status, 404);
    assert.equal((await h.call('DELETE', `/api/v1/hosts/${theirsHost}`, scopedEditor)).status, 404);
    assert.ok(await h.store.checks.get(theirsCheck));
    assert.ok(await h.store.hosts.get(theirsHost));
  });

  it('sees its own objects by id', async () => {
    assert.equal((await h.call('GET', `/api/v1/hosts/${mineHost}`, scoped)).status, 200);
    assert.equal((await h.call('GET', `/api/v1/projects/${otherProject}`, scoped)).status, 200);
  });
});

describe('unknown endpoints under /api/v1', () => {
  let h: Harness;
  before(async () => { h = await startHarness(); });
  after(async () => h.close());

  it('answers 404 OVS_ERR_NOT_FOUND in the API error shape', async () => {
    const res = await h.call('GET', '/api/v1/nothing-here');
    assert.equal(res.status, 404);
    assert.equal(errorCode(res.body), 'OVS_ERR_NOT_FOUND');
  });
});

describe('a caller resolver passed in (e.g. session cookies)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness(undefined, {
      principal: async (request) => (request.headers['x-test-user'] === 'alice'
        ? { tokenId: 0, name: 'user:alice', role: 'editor', projectId: null, grants: [{ projectId: null, role: 'editor' }] }
        : null),
    });
  });
  after(async () => h.close());

  it('authenticates whoever the resolver names, with that role', async () => {
    const headers = { 'x-test-user': 'alice' };
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/v1/checks', headers })).statusCode, 200);
    assert.equal((await h.app.inject({ method: 'DELETE', url: '/api/v1/checks/5', headers })).statusCode, 404);
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/v1/tokens', headers })).statusCode, 403);
  });

  it('answers 401 when the resolver finds nobody', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/checks', headers: { 'x-test-user': 'mallory' } });
    assert.equal(res.statusCode, 401);
    assert.equal(errorCode(res.json()), 'OVS_ERR_UNAUTHORIZED');
  });
});

describe('a caller with roles per project: admin in A, viewer in B, nothing in C', () => {
  let h: Harness;
  const p: Record<'A' | 'B' | 'C', { project: number; host: number; check: number }> = {} as never;
  before(async () => {
    h = await startHarness(undefined, {
      principal: async (request) => (request.headers['x-test-user'] === 'alice'
        ? principalOf(0, 'user:alice', [{ projectId: p.A.project, role: 'admin' }, { projectId: p.B.project, role: 'viewer' }])
        : null),
    });
    for (const name of ['A', 'B', 'C'] as const) {
      const project = (await h.store.projects.create(`p${name}`, h.clock.now())).id;
      const host = await seedHost(h.store, project, `h${name}`, [['disk', 'ERR']], h.clock.now());
      const check = (await h.store.checks.list({ limit: 1, projectId: project })).items[0]!.id;
      p[name] = { project, host, check };
    }
  });
  after(async () => h.close());
  const as = (method: 'GET' | 'DELETE' | 'POST', url: string, payload?: object) =>
    h.app.inject({ method, url, headers: { 'x-test-user': 'alice' }, ...(payload ? { payload } : {}) });

  it('writes into B answer 403 and change nothing; C answers 404; writes into A work', async () => {
    for (const url of [`/api/v1/checks/${p.B.check}`, `/api/v1/hosts/${p.B.host}`]) {
      const res = await as('DELETE', url);
      assert.equal(res.statusCode, 403, `${url}: ${res.body}`);
      assert.equal(errorCode(res.json()), 'OVS_ERR_FORBIDDEN');
    }
    assert.equal((await as('POST', '/api/v1/tokens', { name: 'b', role: 'viewer', projectId: p.B.project })).statusCode, 403);
    assert.equal((await as('POST', '/api/v1/tokens', { name: 'all', role: 'viewer', projectId: null })).statusCode, 403);
    assert.equal((await as('DELETE', `/api/v1/checks/${p.C.check}`)).statusCode, 404);
    assert.ok(await h.store.checks.get(p.B.check));
    assert.ok(await h.store.hosts.get(p.B.host));
    assert.ok(await h.store.checks.get(p.C.check));
    assert.equal((await as('POST', '/api/v1/tokens', { name: 'a', role: 'viewer', projectId: p.A.project })).statusCode, 201);
    assert.equal((await as('DELETE', `/api/v1/checks/${p.A.check}`)).statusCode, 204);
  });

  it('lists A and B only; C by id or filter is 404/403', async () => {
    const hosts = pageOf<Host>((await as('GET', '/api/v1/hosts')).json()).items;
    assert.deepEqual(hosts.map((x) => x.name).sort(), ['hA', 'hB']);
    const projects = pageOf<{ name: string }>((await as('GET', '/api/v1/projects')).json()).items;
    assert.deepEqual(projects.map((x) => x.name).sort(), ['pA', 'pB']);
    const tokens = pageOf<{ projectId: number | null }>((await as('GET', '/api/v1/tokens')).json()).items;
    assert.ok(tokens.every((t) => t.projectId === p.A.project), 'only the tokens of the project she administers');
    assert.equal((await as('GET', `/api/v1/hosts/${p.C.host}`)).statusCode, 404);
    assert.equal((await as('GET', `/api/v1/hosts?project=pC`)).statusCode, 403);
    assert.equal((await as('GET', `/api/v1/hosts/${p.B.host}`)).statusCode, 200);
  });
});
