import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Project } from '../../domain/types.js';
import { errorCode, pageOf, startHarness, type Harness } from './test-support/harness.js';

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
