import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createToken } from '../api/auth.js';
import { appFixture, type AppFixture } from '../test-support/app-fixture.js';

describe('okerr settings API /api/v1/projects/:id/okerr', () => {
  let f: AppFixture;
  let admin: string;
  let viewer: string;
  let projectId: number;
  before(async () => {
    f = await appFixture();
    projectId = (await f.store.projects.getByName('default'))!.id;
    admin = (await createToken(f.store, { name: 'a', role: 'admin', projectId: null })).token;
    viewer = (await createToken(f.store, { name: 'v', role: 'viewer', projectId: null })).token;
  });
  after(async () => { await f.close(); });

  const call = (method: 'GET' | 'PUT', token: string | null, body?: unknown, id = projectId) => f.app.inject({
    method, url: `/api/v1/projects/${id}/okerr`,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });
  const update = (fields: Record<string, string>) => f.app.inject({
    method: 'POST', url: '/update', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(fields).toString(),
  });

  it('shows the defaults: textid = project name, no own secret, autocreate on, the built-in policies', async () => {
    const r = await call('GET', viewer);
    assert.equal(r.statusCode, 200);
    assert.deepEqual(r.json(), {
      projectId, textid: 'default', ownSecret: false, autocreate: true,
      policies: { Default: { periodS: 3600, patienceS: 1200 }, Daily: { periodS: 86400, patienceS: 7200 } },
    });
  });

  it('an admin sets an own secret (write-only), autocreate and a policy; /update follows them', async () => {
    const r = await call('PUT', admin, { secret: 'MySecret1', autocreate: false, policies: { Minute: { periodS: 60, patienceS: 30 } } });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().ownSecret, true);
    assert.equal(r.json().secret, undefined);
    assert.deepEqual(r.json().policies.Minute, { periodS: 60, patienceS: 30 });
    assert.equal((await update({ textid: 'default', name: 'n', status: 'OK', secret: 'MySecret1' })).body,
      "Cannot create indicator 'n' in project 'default': autocreate off");
    await call('PUT', admin, { autocreate: true });
    assert.equal((await update({ textid: 'default', name: 'n', status: 'OK', secret: 'MySecret1', policy: 'Minute' })).body, 'OK');
    await call('PUT', admin, { secret: null });
    const token = (await f.store.projects.getByName('default'))!.ingestToken;
    assert.equal((await update({ textid: 'default', name: 'n', status: 'OK', secret: token })).body, 'OK');
  });

  const refused: [string, 'GET' | 'PUT', () => string | null, unknown, number][] = [
    ['no token', 'GET', () => null, undefined, 401],
    ['a viewer writing', 'PUT', () => viewer, { autocreate: false }, 403],
    ['a short secret', 'PUT', () => admin, { secret: 'short' }, 400],
    ['an unknown field', 'PUT', () => admin, { autocreat: false }, 400],
    ['a policy without patience', 'PUT', () => admin, { policies: { X: { periodS: 60 } } }, 400],
  ];
  for (const [what, method, token, body, status] of refused) {
    it(`answers ${status} to ${what}`, async () => {
      const r = await call(method, token(), body);
      assert.equal(r.statusCode, status, r.body);
      assert.match(r.json().error.code, /^OVS_ERR_/);
    });
  }

  it('answers 404 for a project the token cannot see', async () => {
    const other = await f.store.projects.create('other', f.clock.now());
    const scoped = (await createToken(f.store, { name: 's', role: 'admin', projectId })).token;
    assert.equal((await call('GET', scoped, undefined, other.id)).statusCode, 404);
    assert.equal((await call('GET', admin, undefined, 9999)).statusCode, 404);
  });
});
