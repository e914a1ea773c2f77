// GET /api/v1/overview: every check, counts per state, and the Severe entries (ERR now, or left ERR
// less than two minutes ago).
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appFixture, type AppFixture } from '../test-support/app-fixture.js';
import { addUser, login, type SessionClient } from '../users/test-support/session.js';

describe('GET /api/v1/overview', () => {
  let f: AppFixture;
  let s: SessionClient;
  const report = (services: { name: string; state: string }[]) => f.app.inject({
    method: 'POST', url: '/api/set/service/status', payload: { server: { name: 'web1', key: 'k' }, period: 60, services },
  });
  beforeEach(async () => {
    f = await appFixture();
    await addUser(f.store, 'vic', 'viewer');
    s = await login(f.app, 'vic');
  });
  afterEach(async () => { await f.close(); });

  test('lists every check with counts per state and the ERR ones as Severe', async () => {
    await report([{ name: 'a', state: 'OK' }, { name: 'b', state: 'ERR' }, { name: 'c', state: 'WARN' }, { name: 'd', state: 'OK' }]);
    const o = (await s.inject({ method: 'GET', url: '/api/v1/overview' })).json();
    assert.equal(o.checks.length, 4);
    assert.deepEqual(o.counts, { ERR: 1, WARN: 1, UNK: 0, OK: 2 });
    assert.deepEqual(o.severe.map((e: { name: string; clearedAt: number | null }) => [e.name, e.clearedAt]), [['b', null]]);
    assert.deepEqual(o.projects.map((p: { name: string }) => p.name), ['default']);
  });

  test('a check that left ERR stays Severe (cleared) for two minutes, then goes', async () => {
    await report([{ name: 'b', state: 'ERR' }]);
    f.clock.t += 1000;
    await report([{ name: 'b', state: 'OK' }]);
    const clearedAt = f.clock.t;
    f.clock.t += 119_000;
    let o = (await s.inject({ method: 'GET', url: '/api/v1/overview' })).json();
    assert.deepEqual(o.severe.map((e: { name: string; clearedAt: number | null }) => [e.name, e.clearedAt]), [['b', clearedAt]]);
    f.clock.t += 2000;
    o = (await s.inject({ method: 'GET', url: '/api/v1/overview' })).json();
    assert.deepEqual(o.severe, []);
  });

  test('answers 401 without credentials and works with an API token', async () => {
    assert.equal((await f.app.inject({ method: 'GET', url: '/api/v1/overview' })).statusCode, 401);
    const { createToken } = await import('../api/auth.js');
    const { token } = await createToken(f.store, { name: 't', role: 'viewer', projectId: null }, f.clock);
    assert.equal((await f.app.inject({ method: 'GET', url: '/api/v1/overview', headers: { authorization: `Bearer ${token}` } })).statusCode, 200);
  });
});
