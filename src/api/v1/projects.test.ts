import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Project } from '../../domain/types.js';
import { errorCode, pageOf, seedHost, startHarness, type Harness } from './test-support/harness.js';

describe('/api/v1/projects', () => {
  let h: Harness;
  let other: Project;
  before(async () => {
    h = await startHarness();
    other = await h.store.projects.create('other', h.clock.now());
  });
  after(async () => h.close());

  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  const roles: ['viewer' | 'editor' | 'admin', boolean][] = [['viewer', false], ['editor', false], ['admin', true]];
  for (const [role, seesToken] of roles) {
    it(`${role} ${seesToken ? 'sees' : 'does not see'} each project's ingest token`, async () => {
      const list = pageOf<Partial<Project>>((await h.call('GET', '/api/v1/projects', h.tokens[role])).body);
      assert.deepEqual(list.items.map((p) => p.name), ['default', 'other']);
      assert.equal(list.nextCursor, null);
      for (const p of list.items) assert.equal(typeof p.ingestToken === 'string' && UUID.test(p.ingestToken), seesToken);
      const one = (await h.call('GET', `/api/v1/projects/${other.id}`, h.tokens[role])).body as Partial<Project>;
      assert.equal(one.name, 'other');
      assert.equal(one.ingestToken, seesToken ? other.ingestToken : undefined);
    });
  }

  it('answers 404 OVS_ERR_NOT_FOUND for an unknown project', async () => {
    const res = await h.call('GET', '/api/v1/projects/4242');
    assert.equal(res.status, 404);
    assert.equal(errorCode(res.body), 'OVS_ERR_NOT_FOUND');
  });
});

describe('/api/v1/projects administration', () => {
  let h: Harness;
  before(async () => { h = await startHarness(); });
  after(async () => h.close());
  const send = async (method: 'POST' | 'PATCH' | 'DELETE', url: string, token: string, body?: unknown): Promise<{ status: number; body: unknown }> => {
    const res = await h.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(body === undefined ? {} : { payload: body as object }) });
    return { status: res.statusCode, body: res.body === '' ? undefined : (JSON.parse(res.body) as unknown) };
  };
  const message = (body: unknown): string => String((body as { error?: { message?: string } }).error?.message);

  it('POST creates a project (admin of every project) with a description; the answer has its ingest token', async () => {
    const res = await send('POST', '/api/v1/projects', h.tokens.admin, { name: 'web', description: 'front tier' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const p = res.body as Project;
    assert.equal(p.name, 'web');
    assert.equal(p.description, 'front tier');
    assert.match(p.ingestToken, /^[0-9a-f-]{36}$/);
    assert.deepEqual(await h.store.projects.getByName('web'), p);
    assert.equal((await send('POST', '/api/v1/projects', h.tokens.admin, { name: 'bare' })).status, 201);
    assert.equal((await h.store.projects.getByName('bare'))?.description, '');
  });

  it('POST refuses editors and project admins (403) and bad or taken names (400/409 naming the field)', async () => {
    const web = (await h.store.projects.getByName('web'))!;
    for (const token of [h.tokens.editor, await h.token('admin', web.id)]) {
      const res = await send('POST', '/api/v1/projects', token, { name: 'nope' });
      assert.equal(res.status, 403, JSON.stringify(res.body));
    }
    const bad: [unknown, RegExp][] = [
      [{}, /name/], [{ name: '' }, /^name/], [{ name: 'has space' }, /^name/], [{ name: '123' }, /^name/], [{ name: 'x'.repeat(65) }, /^name/],
      [{ name: 'ok', description: 'x'.repeat(1001) }, /^description/], [{ name: 'ok', colour: 'red' }, /^colour: is not a known field/],
    ];
    for (const [body, field] of bad) {
      const res = await send('POST', '/api/v1/projects', h.tokens.admin, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(message(res.body), field, JSON.stringify(res.body));
    }
    const taken = await send('POST', '/api/v1/projects', h.tokens.admin, { name: 'web' });
    assert.equal(taken.status, 409);
    assert.equal(errorCode(taken.body), 'OVS_ERR_CONFLICT');
    assert.equal(await h.store.projects.getByName('nope'), null);
  });

  it('PATCH renames and describes (admin of the project); a taken name is 409; default keeps its name', async () => {
    const web = (await h.store.projects.getByName('web'))!;
    const webAdmin = await h.token('admin', web.id);
    const res = await send('PATCH', `/api/v1/projects/${web.id}`, webAdmin, { name: 'www', description: 'renamed' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual({ name: (res.body as Project).name, description: (res.body as Project).description }, { name: 'www', description: 'renamed' });
    assert.equal((await send('PATCH', `/api/v1/projects/${web.id}`, webAdmin, { name: 'bare' })).status, 409);
    assert.equal((await send('PATCH', `/api/v1/projects/${web.id}`, h.tokens.editor, { description: 'x' })).status, 403);
    const bare = (await h.store.projects.getByName('bare'))!;
    assert.equal((await send('PATCH', `/api/v1/projects/${bare.id}`, webAdmin, { description: 'x' })).status, 404, 'another project is invisible');
    const def = await send('PATCH', `/api/v1/projects/${h.defaultProjectId}`, h.tokens.admin, { name: 'renamed-default' });
    assert.equal(def.status, 400);
    assert.match(message(def.body), /^name: /);
    assert.equal((await send('PATCH', '/api/v1/projects/4242', h.tokens.admin, { description: 'x' })).status, 404);
    assert.equal((await h.store.projects.get(web.id))?.name, 'www');
  });

  it('DELETE refuses a project with hosts or checks (409) unless force=true, and never deletes default', async () => {
    const www = (await h.store.projects.getByName('www'))!;
    await seedHost(h.store, www.id, 'w1', [['disk', 'OK']], h.clock.now());
    const busy = await send('DELETE', `/api/v1/projects/${www.id}`, h.tokens.admin);
    assert.equal(busy.status, 409);
    assert.match(message(busy.body), /holds 1 hosts and 1 checks/);
    assert.equal((await send('DELETE', `/api/v1/projects/${www.id}`, await h.token('admin', www.id))).status, 403, 'a project admin may not delete');
    assert.ok(await h.store.projects.get(www.id));
    assert.equal((await send('DELETE', `/api/v1/projects/${www.id}?force=true`, h.tokens.admin)).status, 204);
    assert.equal(await h.store.projects.get(www.id), null);
    assert.equal((await h.store.hosts.list({ limit: 10, projectId: www.id })).items.length, 0);
    assert.equal((await h.store.tokens.list()).some((t) => t.projectId === www.id), false, 'its tokens went with it');
    const bare = (await h.store.projects.getByName('bare'))!;
    assert.equal((await send('DELETE', `/api/v1/projects/${bare.id}`, h.tokens.admin)).status, 204);
    const def = await send('DELETE', `/api/v1/projects/${h.defaultProjectId}?force=true`, h.tokens.admin);
    assert.equal(def.status, 409);
    assert.equal((await send('DELETE', '/api/v1/projects/4242', h.tokens.admin)).status, 404);
  });
});
