// Roles per project, end to end: alice is admin in `web`, viewer in `db` and has nothing in `billing`.
// Every write route of /api/v1 (enumerated from Fastify, as in viewer-cannot-write) aimed at `db`
// is refused and changes nothing; writes into `web` work; `billing` is invisible.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { createToken } from '../api/auth.js';
import { listRoutes } from '../web-server/routes-list.js';
import { seedHost } from '../api/v1/test-support/harness.js';
import { createUserChecked } from './routes.js';
import { CSRF_HEADER } from './sessions.js';
import { openSqliteUserStore } from './sqlite-store.js';
import { login, type SessionClient } from './test-support/session.js';
import { DEFAULT_BODY, exampleOf, fullApp, KNOWN_BODIES, objectOf, type OpenApi } from './test-support/full-app.js';

describe('roles per project: admin in web, viewer in db, nothing in billing', () => {
  let f: Awaited<ReturnType<typeof fullApp>>;
  let alice: SessionClient;
  let adminToken = '';
  const ids: Record<string, Record<string, number>> = { web: {}, db: {}, billing: {} };
  const project: Record<string, number> = {};
  const admin = { authorization: '' };

  const asAdmin = async (method: 'POST' | 'GET', url: string, payload?: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const res = await f.app.inject({ method, url, headers: admin, ...(payload ? { payload } : {}) });
    assert.ok(res.statusCode < 300, `${url}: ${res.statusCode} ${res.body}`);
    return res.json() as Record<string, unknown>;
  };
  const snapshot = async (): Promise<unknown> => {
    const users = openSqliteUserStore(f.store.db);
    return {
      projects: await f.store.projects.list(),
      hosts: (await f.store.hosts.list({ limit: 1000 })).items,
      checks: (await f.store.checks.list({ limit: 1000 })).items,
      tokens: (await f.store.tokens.list()).map((t) => ({ ...t, lastUsedAt: null })),
      users: (await users.listUsers()).map((u) => ({ ...u, lastLoginAt: null })),
      dashboards: await users.listDashboards(undefined),
      ...Object.fromEntries(await Promise.all(['channels', 'routes', 'silences', 'rules'].map(async (what) => [what, await asAdmin('GET', `/api/v1/${what}`)]))),
    };
  };

  before(async () => {
    f = await fullApp();
    adminToken = (await createToken(f.store, { name: 'setup', role: 'admin', projectId: null }, f.clock)).token;
    admin.authorization = `Bearer ${adminToken}`;
    const users = openSqliteUserStore(f.store.db);
    for (const name of ['web', 'db', 'billing']) {
      const pr = await f.store.projects.create(name, f.clock.now());
      project[name] = pr.id;
      const b = ids[name]!;
      b.host = await seedHost(f.store, pr.id, `${name}-1`, [['disk', 'ERR'], ['load', 'OK']], f.clock.now());
      b.check = (await f.store.checks.list({ limit: 10, projectId: pr.id })).items[0]!.id;
      b.project = pr.id;
      b.token = (await createToken(f.store, { name: `${name}-ci`, role: 'editor', projectId: pr.id }, f.clock)).record.id;
      b.user = (await createUserChecked(users, f.store, { name: `${name}-viewer`, password: 'correct horse', grants: [{ projectId: pr.id, role: 'viewer' }] }, 1)).id;
      b.dashboard = (await users.saveDashboard({ projectId: pr.id, name: `${name}-d`, spec: { charts: [] }, createdBy: 'setup', now: 1 }))!.id;
      b.silence = Number((await asAdmin('POST', '/api/v1/silences', { duration_s: 60, project: name })).id);
      b.rule = Number((await asAdmin('POST', `/api/v1/rules?project=${name}`, { kind: 'anomaly', check: `${name}-rule`, metric: 'sys.cpu' })).id);
    }
    await asAdmin('POST', '/api/v1/channels', { name: 'ops', type: 'webhook', url: 'http://127.0.0.1:9/' });
    await asAdmin('POST', '/api/v1/routes', { name: 'all', channels: ['ops'] });
    await createUserChecked(users, f.store, {
      name: 'alice', password: 'correct horse', grants: [{ projectId: project.web!, role: 'admin' }, { projectId: project.db!, role: 'viewer' }],
    }, 1);
    alice = await login(f.app, 'alice');
  });
  after(async () => { await f.close(); });

  test('every write route aimed at db is refused (403) and nothing changes', async () => {
    const routes = listRoutes(f.app)
      .filter((r) => r.path.startsWith('/api/v1/') && !['GET', 'HEAD', 'OPTIONS'].includes(r.method))
      .filter((r) => !['POST /api/v1/session', 'DELETE /api/v1/session', 'POST /api/v1/setup'].includes(`${r.method} ${r.path}`));
    assert.ok(routes.length >= 28, `found only ${routes.length} write routes`);
    const openapi = (await f.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as OpenApi;
    const before = await snapshot();
    const answers: string[] = [];
    const wrong: string[] = [];
    const db = ids.db!;
    for (const r of routes) {
      const path = r.path.replace(/\/(\w+)\/:(\w+)/g, (_m, kind: string, param: string) =>
        `/${kind}/${param === 'name' ? ({ channels: 'ops', routes: 'all' } as Record<string, string>)[kind] ?? 'none' : String(db[param === 'id' ? objectOf(`/${kind}/:id`) : param] ?? db.check)}`);
      const oaPath = r.path.replace(/:(\w+)/g, '{$1}');
      const op = (openapi.paths?.[oaPath] ?? openapi.paths?.[oaPath.slice('/api/v1'.length)])?.[r.method.toLowerCase()];
      const schema = op?.requestBody?.content?.['application/json']?.schema;
      const known = r.path.endsWith('/reduction') ? { reduction_s: 60 } : KNOWN_BODIES[`${r.method} ${r.path}`];
      const inDb = { project: 'db', projectId: project.db, grants: [{ project: 'db', role: 'viewer' }], reduction_s: 60 };
      const plain = [...(known !== undefined ? [known] : []), ...(schema !== undefined ? [exampleOf(schema) as Record<string, unknown>] : []), DEFAULT_BODY, {}];
      // Bodies and queries that name db first; a 400 (unknown field) moves on to the next candidate.
      const bodies = [...plain.map((b) => ({ ...b, ...inDb })), ...plain.map((b) => ({ ...b, project: 'db' })), ...plain.map((b) => ({ ...b, projectId: project.db })), ...plain];
      let res: LightMyRequestResponse | undefined;
      for (const url of [`${path}?project=db`, path]) {
        for (const payload of bodies) {
          res = await alice.inject({ method: r.method as 'POST', url, headers: { [CSRF_HEADER]: '1' }, payload });
          if (res.statusCode !== 400) break;
        }
        if (res!.statusCode !== 400) break;
      }
      answers.push(`${r.method} ${path} → ${res!.statusCode}`);
      if (res!.statusCode !== 403) wrong.push(`${r.method} ${path} into db answered ${res!.statusCode}: ${res!.body}`);
    }
    assert.deepEqual(wrong, []);
    assert.deepEqual(await snapshot(), before, answers.join('\n'));
  });

  test('writes into web work', async () => {
    const web = ids.web!;
    const call = (method: 'POST' | 'PATCH' | 'DELETE' | 'PUT', url: string, payload?: unknown): Promise<LightMyRequestResponse> =>
      alice.inject({ method, url, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
    assert.equal((await call('POST', `/api/v1/checks/${web.check}/ack`, { comment: 'mine' })).statusCode, 200);
    assert.equal((await call('POST', '/api/v1/silences', { duration_s: 60, project: 'web' })).statusCode, 201);
    assert.equal((await call('POST', '/api/v1/rules?project=web', { kind: 'anomaly', check: 'alice-rule', metric: 'sys.cpu' })).statusCode, 201);
    assert.equal((await call('PATCH', `/api/v1/projects/${web.project}`, { description: 'the web tier' })).statusCode, 200);
    assert.equal((await call('POST', '/api/v1/users', { name: 'wendy', password: 'correct horse', grants: [{ project: 'web', role: 'editor' }] })).statusCode, 201);
    assert.equal((await call('DELETE', `/api/v1/users/${web.user}`)).statusCode, 204);
    assert.equal((await call('DELETE', `/api/v1/checks/${web.check}`)).statusCode, 204);
    assert.equal((await call('DELETE', `/api/v1/hosts/${web.host}`)).statusCode, 204);
    assert.equal((await f.store.projects.get(web.project!))?.description, 'the web tier');
  });

  test('billing is invisible and db is read-only', async () => {
    const get = async (url: string): Promise<LightMyRequestResponse> => alice.inject({ method: 'GET', url });
    const projects = (await get('/api/v1/projects')).json() as { items: { name: string; ingestToken?: string }[] };
    assert.deepEqual(projects.items.map((p) => p.name).sort(), ['db', 'web']);
    assert.equal(projects.items.find((p) => p.name === 'db')?.ingestToken, undefined, 'the ingest token only for admins of the project');
    assert.equal((await get(`/api/v1/projects/${ids.billing!.project}`)).statusCode, 404);
    assert.equal((await get(`/api/v1/checks/${ids.billing!.check}`)).statusCode, 404);
    assert.equal((await get(`/api/v1/hosts/${ids.billing!.host}`)).statusCode, 404);
    assert.equal((await get('/api/v1/hosts?project=billing')).statusCode, 403);
    assert.equal((await get(`/api/v1/checks/${ids.db!.check}`)).statusCode, 200);
    const checks = (await get('/api/v1/checks')).json() as { items: { projectId: number }[] };
    assert.ok(checks.items.length > 0);
    assert.ok(checks.items.every((c) => c.projectId === project.web || c.projectId === project.db), JSON.stringify(checks.items));
    const overview = (await get('/api/v1/overview')).json() as { checks: { projectId: number }[]; projects: { name: string }[] };
    assert.ok(overview.checks.every((c) => c.projectId !== project.billing));
    assert.deepEqual(overview.projects.map((p) => p.name).sort(), ['db', 'web']);
    const silences = (await get('/api/v1/silences')).json() as { items: { project: string | null }[] };
    assert.ok(silences.items.every((s) => s.project !== 'billing'));
  });
});
