// Sessions, setup and user management through the real app (inject), on a SQLite store.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appFixture, type AppFixture } from '../test-support/app-fixture.js';
import { CSRF_HEADER } from './sessions.js';
import { addUser, login } from './test-support/session.js';

const csrf = { [CSRF_HEADER]: '1' };

describe('first-run setup', () => {
  let f: AppFixture;
  beforeEach(async () => { f = await appFixture(); });
  afterEach(async () => { await f.close(); });

  test('reports setupRequired, creates the first admin with a session, then refuses a second setup', async () => {
    const before = await f.app.inject({ method: 'GET', url: '/api/v1/session' });
    assert.deepEqual(before.json(), { user: null, setupRequired: true, csrfHeader: CSRF_HEADER });
    const res = await f.app.inject({ method: 'POST', url: '/api/v1/setup', headers: csrf, payload: { name: 'ann', password: 'correct horse' } });
    assert.equal(res.statusCode, 201);
    assert.equal(res.json().user.role, 'admin');
    assert.equal(res.json().user.projectId, null);
    const cookie = String(res.headers['set-cookie']).split(';')[0];
    const me = await f.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie } });
    assert.equal(me.json().user.name, 'ann');
    assert.equal(me.json().setupRequired, false);
    const again = await f.app.inject({ method: 'POST', url: '/api/v1/setup', headers: csrf, payload: { name: 'eve', password: 'correct horse' } });
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().error.code, 'OVS_ERR_CONFLICT');
  });

  test('two racing setups create exactly one user', async () => {
    const answers = await Promise.all(['a1', 'a2', 'a3'].map((name) =>
      f.app.inject({ method: 'POST', url: '/api/v1/setup', headers: csrf, payload: { name, password: 'correct horse' } })));
    assert.deepEqual(answers.map((a) => a.statusCode).sort(), [201, 409, 409]);
  });

  test('setup without the CSRF header is refused', async () => {
    const res = await f.app.inject({ method: 'POST', url: '/api/v1/setup', payload: { name: 'ann', password: 'correct horse' } });
    assert.equal(res.statusCode, 403);
  });
});

describe('login and sessions', () => {
  let f: AppFixture;
  beforeEach(async () => {
    f = await appFixture({ trustProxy: true });
    await addUser(f.store, 'ann', 'admin');
    await addUser(f.store, 'vic', 'viewer');
  });
  afterEach(async () => { await f.close(); });

  test('login sets an HttpOnly SameSite=Lax cookie, not Secure over plain HTTP', async () => {
    const res = await f.app.inject({ method: 'POST', url: '/api/v1/session', headers: csrf, payload: { name: 'ann', password: 'correct horse' } });
    assert.equal(res.statusCode, 200);
    const cookie = String(res.headers['set-cookie']);
    assert.match(cookie, /^oversee_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=604800$/);
  });

  test('the cookie is Secure when the request came over TLS (behind a trusted proxy)', async () => {
    const res = await f.app.inject({
      method: 'POST', url: '/api/v1/session', headers: { ...csrf, 'x-forwarded-proto': 'https' }, payload: { name: 'ann', password: 'correct horse' },
    });
    assert.match(String(res.headers['set-cookie']), /; Secure$/);
  });

  test('a wrong password or unknown user answers 401 with the same message', async () => {
    const wrong = await f.app.inject({ method: 'POST', url: '/api/v1/session', headers: csrf, payload: { name: 'ann', password: 'nope nope' } });
    const unknown = await f.app.inject({ method: 'POST', url: '/api/v1/session', headers: csrf, payload: { name: 'nobody', password: 'nope nope' } });
    assert.equal(wrong.statusCode, 401);
    assert.equal(unknown.statusCode, 401);
    assert.equal(wrong.json().error.message, unknown.json().error.message);
    assert.equal(wrong.headers['set-cookie'], undefined);
  });

  test('after 10 failed logins from one address the 11th is refused with 429 and Retry-After, even with the right password', async () => {
    for (let i = 0; i < 10; i++) {
      const r = await f.app.inject({ method: 'POST', url: '/api/v1/session', headers: csrf, payload: { name: 'ann', password: `wrong ${i}xx` } });
      assert.equal(r.statusCode, 401);
    }
    const limited = await f.app.inject({ method: 'POST', url: '/api/v1/session', headers: csrf, payload: { name: 'ann', password: 'correct horse' } });
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.json().error.code, 'OVS_ERR_RATE_LIMITED');
    assert.equal(limited.headers['retry-after'], '900');
    f.clock.t += 15 * 60_000;
    const later = await f.app.inject({ method: 'POST', url: '/api/v1/session', headers: csrf, payload: { name: 'ann', password: 'correct horse' } });
    assert.equal(later.statusCode, 200);
  });

  test('a session authenticates /api/v1 reads of the dashboard routes and logout ends it', async () => {
    const s = await login(f.app, 'ann');
    assert.equal((await s.inject({ method: 'GET', url: '/api/v1/overview' })).statusCode, 200);
    const out = await s.inject({ method: 'DELETE', url: '/api/v1/session' });
    assert.equal(out.statusCode, 204);
    assert.match(String(out.headers['set-cookie']), /Max-Age=0/);
    assert.equal((await s.inject({ method: 'GET', url: '/api/v1/overview' })).statusCode, 401);
  });

  test('a session expires after 7 days without use', async () => {
    const s = await login(f.app, 'ann');
    f.clock.t += 7 * 24 * 3600_000 + 1;
    assert.equal((await s.inject({ method: 'GET', url: '/api/v1/overview' })).statusCode, 401);
  });

  test('a cookie-authenticated write without the CSRF header, or from another origin, is refused', async () => {
    const s = await login(f.app, 'ann');
    const payload = { name: 'zed', password: 'correct horse', role: 'viewer' };
    const noHeader = await f.app.inject({ method: 'POST', url: '/api/v1/users', headers: { cookie: s.cookie }, payload });
    assert.equal(noHeader.statusCode, 403);
    const foreign = await s.inject({ method: 'POST', url: '/api/v1/users', headers: { origin: 'https://evil.example' }, payload });
    assert.equal(foreign.statusCode, 403);
    const same = await s.inject({ method: 'POST', url: '/api/v1/users', headers: { origin: 'http://localhost:80', host: 'localhost:80' }, payload });
    assert.equal(same.statusCode, 201);
  });

  test('only admins list and create users; a viewer may change only their own password', async () => {
    const admin = await login(f.app, 'ann');
    const viewer = await login(f.app, 'vic');
    assert.equal((await viewer.inject({ method: 'GET', url: '/api/v1/users' })).statusCode, 403);
    assert.equal((await viewer.inject({ method: 'POST', url: '/api/v1/users', payload: { name: 'x1', password: 'correct horse', role: 'admin' } })).statusCode, 403);
    const list = await admin.inject({ method: 'GET', url: '/api/v1/users' });
    assert.deepEqual(list.json().items.map((u: { name: string }) => u.name), ['ann', 'vic']);
    const vic = list.json().items[1] as { id: number };
    assert.equal((await viewer.inject({ method: 'PATCH', url: `/api/v1/users/${vic.id}`, payload: { role: 'admin' } })).statusCode, 403);
    const pw = await viewer.inject({ method: 'PATCH', url: `/api/v1/users/${vic.id}`, payload: { password: 'new password' } });
    assert.equal(pw.statusCode, 200);
    assert.equal((await viewer.inject({ method: 'GET', url: '/api/v1/overview' })).statusCode, 401, 'a password change ends the sessions');
    await login(f.app, 'vic', 'new password');
  });

  test('the last all-projects admin cannot be deleted or demoted', async () => {
    const admin = await login(f.app, 'ann');
    const ann = (await admin.inject({ method: 'GET', url: '/api/v1/users' })).json().items[0] as { id: number };
    assert.equal((await admin.inject({ method: 'DELETE', url: `/api/v1/users/${ann.id}` })).statusCode, 409);
    assert.equal((await admin.inject({ method: 'PATCH', url: `/api/v1/users/${ann.id}`, payload: { role: 'viewer' } })).statusCode, 409);
  });

  test('new users are validated: name characters, password length, duplicate names', async () => {
    const admin = await login(f.app, 'ann');
    const bad = await admin.inject({ method: 'POST', url: '/api/v1/users', payload: { name: 'a b', password: 'correct horse', role: 'viewer' } });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().error.message, /^name:/);
    const short = await admin.inject({ method: 'POST', url: '/api/v1/users', payload: { name: 'bob', password: 'short', role: 'viewer' } });
    assert.match(short.json().error.message, /^password:/);
    const dup = await admin.inject({ method: 'POST', url: '/api/v1/users', payload: { name: 'VIC', password: 'correct horse', role: 'viewer' } });
    assert.equal(dup.statusCode, 409);
  });
});
