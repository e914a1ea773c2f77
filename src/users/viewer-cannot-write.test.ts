// A viewer cannot change anything through any route of the API: every non-GET route of /api/v1 is
// enumerated from Fastify itself (so routes added later are covered), called with real ids as a
// viewer (API token and session cookie), and the store must be unchanged afterwards.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { createToken } from '../api/auth.js';
import { listRoutes } from '../web-server/routes-list.js';
import { openSqliteUserStore } from './sqlite-store.js';
import { addUser, login, type SessionClient } from './test-support/session.js';
import { CSRF_HEADER } from './sessions.js';
import { DEFAULT_BODY, exampleOf, fullApp, KNOWN_BODIES, objectOf, type OpenApi } from './test-support/full-app.js';

/** Why some writes are not role-checked (and so not in this test). */
const EXEMPT: Record<string, string> = {
  'POST /api/v1/session': 'logging in is how a viewer gets a session; it changes no data',
  'DELETE /api/v1/session': 'a viewer may end their own session',
};

describe('a viewer cannot write through any route', () => {
  let f: Awaited<ReturnType<typeof fullApp>>;
  let token: string;
  let session: SessionClient;
  const ids: Record<string, number> = {};
  const names: Record<string, string> = {};
  let adminToken = '';

  const snapshot = async (): Promise<unknown> => {
    const users = openSqliteUserStore(f.store.db);
    return {
      projects: await f.store.projects.list(),
      hosts: (await f.store.hosts.list({ limit: 1000 })).items,
      checks: (await f.store.checks.list({ limit: 1000 })).items,
      tokens: (await f.store.tokens.list()).map((t) => ({ ...t, lastUsedAt: null })),
      alerts: (await f.store.history.alerts({ limit: 1000 })).items,
      users: (await users.listUsers()).map((u) => ({ ...u, lastLoginAt: null })),
      dashboards: await users.listDashboards(undefined),
      // Alerting configuration, rules and series, read over the API as an admin.
      ...Object.fromEntries(await Promise.all(['channels', 'routes', 'silences', 'rules', 'series'].map(async (what) => {
        const res = await f.app.inject({ method: 'GET', url: `/api/v1/${what}`, headers: { authorization: `Bearer ${adminToken}` } });
        assert.equal(res.statusCode, 200, `${what}: ${res.body}`);
        return [what, res.json() as unknown];
      }))),
    };
  };

  before(async () => {
    f = await fullApp();
    await f.app.inject({
      method: 'POST', url: '/api/set/service/status',
      payload: { server: { name: 'web1', key: 'k' }, period: 60, services: [{ name: 'disk', state: 'ERR', info: 'full' }] },
    });
    const check = (await f.store.checks.list({ limit: 1 })).items[0]!;
    const admin = await addUser(f.store, 'ann', 'admin');
    await addUser(f.store, 'vic', 'viewer');
    const users = openSqliteUserStore(f.store.db);
    const dash = await users.saveDashboard({ projectId: null, name: 'd', spec: { charts: [] }, createdBy: 'ann', now: 1 });
    const { record } = await createToken(f.store, { name: 'other', role: 'admin', projectId: null }, f.clock);
    // Real objects behind every kind of path parameter, made through the API as an admin.
    adminToken = (await createToken(f.store, { name: 'setup', role: 'admin', projectId: null }, f.clock)).token;
    const asAdmin = async (url: string, payload: Record<string, unknown>): Promise<Record<string, unknown>> => {
      const res = await f.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${adminToken}` }, payload });
      assert.ok(res.statusCode < 300, `${url}: ${res.statusCode} ${res.body}`);
      return res.json() as Record<string, unknown>;
    };
    await asAdmin('/api/v1/channels', { name: 'ops', type: 'webhook', url: 'http://127.0.0.1:9/' });
    await asAdmin('/api/v1/routes', { name: 'all', channels: ['ops'] });
    const silence = await asAdmin('/api/v1/silences', { duration_s: 60 });
    const rules = await f.app.inject({ method: 'GET', url: '/api/v1/rules', headers: { authorization: `Bearer ${adminToken}` } });
    names.channels = 'ops';
    names.routes = 'all';
    ids.silence = Number(silence.id);
    const rule = (rules.json() as { items?: { id: number }[] }).items?.[0];
    if (rule !== undefined) ids.rule = rule.id;
    Object.assign(ids, { check: check.id, host: check.hostId, project: check.projectId, user: admin.id, dashboard: dash!.id, token: record.id });
    token = (await createToken(f.store, { name: 'viewer', role: 'viewer', projectId: null }, f.clock)).token;
    session = await login(f.app, 'vic');
  });
  after(async () => { await f.close(); });

  test('every non-GET /api/v1 route answers 403 (409 for setup) to a viewer and nothing changes', async () => {
    const routes = listRoutes(f.app)
      .filter((r) => r.path.startsWith('/api/v1/') && !['GET', 'HEAD', 'OPTIONS'].includes(r.method))
      .filter((r) => EXEMPT[`${r.method} ${r.path}`] === undefined);
    assert.ok(routes.length >= 25, `found only ${routes.length} write routes: ${JSON.stringify(routes)}`);
    for (const r of ['POST /api/v1/checks/:id/ack', 'POST /api/v1/silences', 'POST /api/v1/channels/:name/test', 'POST /api/v1/samples', 'POST /api/v1/rules']) {
      assert.ok(routes.some((x) => `${x.method} ${x.path}` === r), `${r} is among the routes tried`);
    }
    const openapi = (await f.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as OpenApi;
    const before = await snapshot();
    const answers: string[] = [];
    for (const r of routes) {
      // Fill every :param with the id of a real object, so a 404 cannot hide a missing role check.
      const url = r.path.replace(/\/(\w+)\/:(\w+)/g, (_m, kind: string, param: string) =>
        `/${kind}/${param === 'name' ? names[kind] ?? 'none' : String(ids[param === 'id' ? objectOf(`/${kind}/:id`) : param] ?? ids.check)}`);
      // A body valid for the route's schema (from the OpenAPI document), so a 400 cannot hide a missing role check.
      const oaPath = r.path.replace(/:(\w+)/g, '{$1}');
      const op = (openapi.paths?.[oaPath] ?? openapi.paths?.[oaPath.slice('/api/v1'.length)])?.[r.method.toLowerCase()];
      const bodySchema = op?.requestBody?.content?.['application/json']?.schema;
      const known = KNOWN_BODIES[`${r.method} ${r.path}`];
      const bodies = [...(known !== undefined ? [known] : []), ...(bodySchema !== undefined ? [exampleOf(bodySchema) as Record<string, unknown>] : []), DEFAULT_BODY, {}];
      for (const how of ['token', 'session'] as const) {
        // Try bodies until one passes validation: a 400 says nothing about the role check.
        let res: LightMyRequestResponse | undefined;
        for (const payload of bodies) {
          res = how === 'token'
            ? await f.app.inject({ method: r.method as 'POST', url, headers: { authorization: `Bearer ${token}` }, payload })
            : await session.inject({ method: r.method as 'POST', url, headers: { [CSRF_HEADER]: '1' }, payload });
          if (res.statusCode !== 400) break;
        }
        answers.push(`${r.method} ${url} (${how}) → ${res!.statusCode}`);
        // 403: role (or, for /setup without a cookie, the CSRF rule) refused; 409: /setup once a user
        // exists. A 401 would mean the credential was not even read.
        const expected = r.path === '/api/v1/setup' ? [403, 409] : [403];
        assert.ok(expected.includes(res!.statusCode), `${r.method} ${url} as a viewer (${how}) answered ${res!.statusCode}: ${res!.body}`);
      }
    }
    assert.deepEqual(await snapshot(), before, answers.join('\n'));
  });

  test('the viewer itself is still logged in and can read', async () => {
    assert.equal((await session.inject({ method: 'GET', url: '/api/v1/overview' })).statusCode, 200);
  });
});

