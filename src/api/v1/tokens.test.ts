import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiToken } from '../../domain/types.js';
import { errorCode, errorMessage, pageOf, startHarness, type Harness } from './test-support/harness.js';

type Created = ApiToken & { token: string };

describe('/api/v1/tokens', () => {
  let h: Harness;
  let otherProject: number;
  before(async () => {
    h = await startHarness();
    otherProject = (await h.store.projects.create('other', h.clock.now())).id;
  });
  after(async () => h.close());

  it('creates a token (201) whose secret is shown once and works at once', async () => {
    const res = await h.call('POST', '/api/v1/tokens', h.tokens.admin, { name: 'ci', role: 'viewer' });
    assert.equal(res.status, 201);
    const created = res.body as Created;
    assert.match(created.token, /^ovs_[A-Za-z0-9_-]{43}$/);
    assert.equal(created.role, 'viewer');
    assert.equal(created.projectId, null);
    assert.equal(created.createdAt, h.clock.now());
    assert.equal((await h.call('GET', '/api/v1/checks', created.token)).status, 200);

    const list = pageOf<Record<string, unknown>>((await h.call('GET', '/api/v1/tokens', h.tokens.admin)).body).items;
    const listed = list.find((t) => t['id'] === created.id);
    assert.ok(listed);
    assert.equal(listed['name'], 'ci');
    assert.ok(list.every((t) => !('token' in t) && !('hash' in t)), 'secrets and hashes never listed');
  });

  it('revokes a token (204) so that it answers 401 afterwards', async () => {
    const created = (await h.call('POST', '/api/v1/tokens', h.tokens.admin, { name: 'temp', role: 'editor' })).body as Created;
    const del = await h.call('DELETE', `/api/v1/tokens/${created.id}`, h.tokens.admin);
    assert.equal(del.status, 204);
    assert.equal((await h.call('GET', '/api/v1/checks', created.token)).status, 401);
    assert.equal((await h.call('DELETE', `/api/v1/tokens/${created.id}`, h.tokens.admin)).status, 404);
  });

  const invalid: [string, unknown, string][] = [
    ['a missing name', { role: 'viewer' }, 'name'],
    ['an empty name', { name: '', role: 'viewer' }, 'name'],
    ['a blank name', { name: '   ', role: 'viewer' }, 'name'],
    ['a name over 100 characters', { name: 'x'.repeat(101), role: 'viewer' }, 'name'],
    ['an unknown role', { name: 'n', role: 'owner' }, 'role'],
    ['a non-integer projectId', { name: 'n', role: 'viewer', projectId: 'one' }, 'projectId'],
    ['no body', undefined, 'body'],
  ];
  for (const [what, body, field] of invalid) {
    it(`rejects ${what} with OVS_ERR_VALIDATION naming ${field}`, async () => {
      const res = await h.call('POST', '/api/v1/tokens', h.tokens.admin, body);
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(errorCode(res.body), 'OVS_ERR_VALIDATION');
      assert.ok(errorMessage(res.body).startsWith(`${field}: `), errorMessage(res.body));
    });
  }

  it('answers 400 OVS_ERR_BAD_JSON to a body that is not JSON', async () => {
    const res = await h.app.inject({
      method: 'POST', url: '/api/v1/tokens', payload: '{"name":',
      headers: { authorization: `Bearer ${h.tokens.admin}`, 'content-type': 'application/json' },
    });
    assert.equal(res.statusCode, 400);
    assert.equal(errorCode(res.json()), 'OVS_ERR_BAD_JSON');
  });

  it('answers 404 for a token for an unknown project', async () => {
    const res = await h.call('POST', '/api/v1/tokens', h.tokens.admin, { name: 'n', role: 'viewer', projectId: 777 });
    assert.equal(res.status, 404);
    assert.equal(errorCode(res.body), 'OVS_ERR_NOT_FOUND');
  });

  describe('an admin limited to one project', () => {
    let scopedAdmin: string;
    before(async () => { scopedAdmin = await h.token('admin', otherProject); });

    it('creates tokens for its own project by default', async () => {
      const res = await h.call('POST', '/api/v1/tokens', scopedAdmin, { name: 'mine', role: 'viewer' });
      assert.equal(res.status, 201);
      assert.equal((res.body as Created).projectId, otherProject);
    });

    it('may not create tokens for all projects or another project', async () => {
      for (const projectId of [null, h.defaultProjectId]) {
        const res = await h.call('POST', '/api/v1/tokens', scopedAdmin, { name: 'wide', role: 'viewer', projectId });
        assert.equal(res.status, 403, String(projectId));
        assert.equal(errorCode(res.body), 'OVS_ERR_FORBIDDEN');
      }
    });

    it('lists and revokes only its own project\'s tokens', async () => {
      const list = pageOf<ApiToken>((await h.call('GET', '/api/v1/tokens', scopedAdmin)).body).items;
      assert.ok(list.length > 0 && list.every((t) => t.projectId === otherProject));
      const global = (await h.store.tokens.list()).find((t) => t.projectId === null);
      assert.ok(global);
      assert.equal((await h.call('DELETE', `/api/v1/tokens/${global.id}`, scopedAdmin)).status, 404);
    });
  });
});
