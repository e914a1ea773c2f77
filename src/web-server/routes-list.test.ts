import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { appFixture, type AppFixture } from '../test-support/app-fixture.js';
import { addUser, login } from '../users/test-support/session.js';
import { listRoutes, parseRouteTree } from './routes-list.js';

let f: AppFixture;
before(async () => { f = await appFixture(); });
after(async () => { await f.close(); });

test('parses nested route trees into full paths with each method', () => {
  const tree = ['└── / (GET, HEAD)', '    ├── api/v1/checks (GET, HEAD)', '    │   └── /:id (GET, HEAD, DELETE)', '    │       └── /flips (GET, HEAD)', '    └── healthz (GET)'].join('\n');
  assert.deepEqual(parseRouteTree(tree).filter((r) => r.method !== 'HEAD'), [
    { method: 'GET', path: '/' }, { method: 'GET', path: '/api/v1/checks' }, { method: 'GET', path: '/api/v1/checks/:id' },
    { method: 'DELETE', path: '/api/v1/checks/:id' }, { method: 'GET', path: '/api/v1/checks/:id/flips' }, { method: 'GET', path: '/healthz' },
  ]);
});

test('lists the real app routes, including those of other plugins, each one Fastify confirms', () => {
  const list = listRoutes(f.app);
  for (const r of list) assert.ok(f.app.hasRoute({ method: r.method as 'GET', url: r.path }), `${r.method} ${r.path}`);
  const routes = list.map((r) => `${r.method} ${r.path}`);
  for (const r of ['GET /check/*', 'GET /host/*']) assert.ok(routes.includes(r), r);
  for (const r of ['DELETE /api/v1/checks/:id', 'POST /api/set/service/status', 'GET /api/v1/live', 'POST /api/v1/session']) assert.ok(routes.includes(r), r);
});

test('GET /api/v1/ui/routes answers the /api/v1 routes to a logged-in user only', async () => {
  assert.equal((await f.app.inject({ method: 'GET', url: '/api/v1/ui/routes' })).statusCode, 401);
  await addUser(f.store, 'vic', 'viewer');
  const s = await login(f.app, 'vic');
  const res = await s.inject({ method: 'GET', url: '/api/v1/ui/routes' });
  assert.equal(res.statusCode, 200);
  const routes = res.json().routes as string[];
  assert.ok(routes.includes('DELETE /api/v1/checks/:id'));
  assert.ok(routes.every((r) => / \/api\/v1\//.test(r)));
});
