import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { appFixture, type AppFixture } from '../test-support/app-fixture.js';

const server = { name: 'web1', key: 'secret-1' };

describe('OverC push API over HTTP', () => {
  let f: AppFixture;
  before(async () => { f = await appFixture({ bodyLimit: 64 * 1024 }); });
  after(async () => { await f.close(); });

  const post = (url: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    f.app.inject({ method: 'POST', url, headers, payload: typeof body === 'string' ? body : JSON.stringify(body) });
  const countChecks = async () => (await f.store.checks.list({ limit: 10_000 })).items.length;

  it('answers a ping with {"pong":1} and registers the server on first use', async () => {
    const r = await post('/api/ping', { server });
    assert.equal(r.statusCode, 200);
    assert.deepEqual(r.json(), { pong: 1 });
    const project = (await f.store.projects.getByName('default'))!;
    const host = await f.store.hosts.getWithKey(project.id, 'web1');
    assert.ok(host?.key);
    assert.notEqual(host.key.hash, server.key, 'the key is stored hashed');
  });

  it('stores service states and answers {"ok":1}', async () => {
    const r = await post('/api/set/service/status', { server, period: '60', services: [
      { name: 'application', state: 'OK', info: 'up 32h' }, { name: 'cpu', state: 'FAIL', info: '99%' }, { name: 'queue', state: 'OK' }] });
    assert.equal(r.statusCode, 200);
    assert.deepEqual(r.json(), { ok: 1 });
    const checks = (await f.store.checks.list({ limit: 100 })).items;
    assert.deepEqual(checks.map((c) => [c.name, c.state, c.info, c.periodS, c.sourceAddress]), [
      ['application', 'OK', 'up 32h', 60, '127.0.0.1'], ['cpu', 'ERR', '99%', 60, '127.0.0.1'], ['queue', 'OK', '', 60, '127.0.0.1']]);
    const flips = await f.store.history.flips({ limit: 10 });
    assert.deepEqual(flips.items.map((x) => [x.oldState, x.newState, x.reason]), [['OK', 'ERR', 'reported']]);
  });

  it('answers 403 {"error":"Invalid server key"} to a different key and stores nothing', async () => {
    const before = await countChecks();
    const r = await post('/api/set/service/status', { server: { name: 'web1', key: 'wrong' }, period: 60, services: [{ name: 'intruder', state: 'OK' }] });
    assert.equal(r.statusCode, 403);
    assert.equal(r.json().error, 'Invalid server key');
    assert.equal(r.json().code, 'OVS_ERR_BAD_SERVER_KEY');
    assert.equal(await countChecks(), before);
    assert.equal((await post('/api/ping', { server: { name: 'web1', key: 'wrong' } })).statusCode, 403);
  });

  const bad: [string, string, unknown, number, RegExp][] = [
    ['malformed JSON', '/api/set/service/status', '{"server": {', 400, /not valid JSON/],
    ['an empty JSON body', '/api/set/service/status', '', 400, /empty/],
    ['a missing server', '/api/set/service/status', { period: 60, services: [{ name: 'x', state: 'OK' }] }, 400, /^server: required/],
    ['an empty service name', '/api/set/service/status', { server, period: 60, services: [{ name: '', state: 'OK' }] }, 400, /services\[0\]\.name/],
    ['a name over 255 characters', '/api/set/service/status', { server, period: 60, services: [{ name: 'n'.repeat(300), state: 'OK' }] }, 400, /longer than 255/],
    ['a wrong type for state', '/api/set/service/status', { server, period: 60, services: [{ name: 'x', state: 2 }] }, 400, /services\[0\]\.state: must be a string/],
    ['a bad period', '/api/set/service/status', { server, period: 'soon', services: [{ name: 'x', state: 'OK' }] }, 400, /^period:/],
    ['alerts without a list', '/api/set/alerts', { server }, 400, /^alerts: required/],
    ['a ping without server', '/api/ping', {}, 400, /^server: required/],
    ['a body over the limit', '/api/set/service/status', { server, period: 60, services: [{ name: 'x', state: 'OK', info: 'i'.repeat(70_000) }] }, 413, /limit of 65536 bytes/],
  ];
  for (const [what, url, body, status, message] of bad) {
    it(`answers ${status} to ${what}, naming the problem, and stores nothing`, async () => {
      const before = await countChecks();
      const alertsBefore = (await f.store.history.alerts({ limit: 1000 })).items.length;
      const r = await post(url, body);
      assert.equal(r.statusCode, status);
      assert.match(r.json().error, message);
      assert.equal(await countChecks(), before);
      assert.equal((await f.store.history.alerts({ limit: 1000 })).items.length, alertsBefore);
      assert.equal((await post('/api/ping', { server })).statusCode, 200, 'still serving');
    });
  }

  it('answers 415 to a body that is not JSON by content type', async () => {
    const r = await post('/api/ping', 'server=x', { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(r.statusCode, 415);
    assert.equal(r.json().code, 'OVS_ERR_UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers 415 to a JSON text sent as text/plain (not a 400 about the body), and stores nothing', async () => {
    const before = await countChecks();
    const body = JSON.stringify({ server, period: 60, services: [{ name: 'plain', state: 'OK' }] });
    for (const url of ['/api/ping', '/api/set/service/status', '/api/set/alerts']) {
      const r = await post(url, body, { 'content-type': 'text/plain' });
      assert.equal(r.statusCode, 415, url);
      assert.equal(r.json().code, 'OVS_ERR_UNSUPPORTED_MEDIA_TYPE');
      assert.match(r.json().error, /text\/plain.*application\/json/);
    }
    assert.equal(await countChecks(), before);
  });

  it('stores alerts, attached to the named service', async () => {
    const r = await post('/api/set/alerts', { server, alerts: [{ message: 'System down' }, { message: 'Cannot check state', service: 'queue' }] });
    assert.equal(r.statusCode, 200);
    assert.deepEqual(r.json(), { ok: 1 });
    const alerts = (await f.store.history.alerts({ limit: 10 })).items;
    const queue = (await f.store.checks.list({ namePrefix: 'queue', limit: 1 })).items[0]!;
    assert.equal(alerts.length, 2);
    assert.ok(alerts.some((a) => a.message === 'Cannot check state' && a.checkId === queue.id));
    assert.ok(alerts.some((a) => a.message === 'System down' && a.checkId === null));
  });

  it('counts accepted and rejected reports in /metrics-ready self-metrics', async () => {
    const text = await f.metrics.registry.metrics();
    assert.match(text, /oversee_reports_accepted_total\{protocol="overc"\} 3/);
    assert.match(text, /oversee_reports_rejected_total\{protocol="overc",reason="bad_key"\} 2/);
    assert.match(text, /oversee_store_operation_seconds_count\{op="ingest.reportStates"\} \d+/);
  });

  it('writes a back-to-OK flip and no flip for a repeated state', async () => {
    const send = (state: string) => post('/api/set/service/status', { server, period: 60, services: [{ name: 'cpu', state, info: '' }] });
    assert.equal((await send('OK')).statusCode, 200);
    assert.equal((await send('OK')).statusCode, 200);
    const cpu = (await f.store.checks.list({ namePrefix: 'cpu', limit: 1 })).items[0]!;
    const flips = (await f.store.history.flips({ checkId: cpu.id, limit: 10 })).items;
    assert.deepEqual(flips.map((x) => [x.oldState, x.newState]), [['ERR', 'OK'], ['OK', 'ERR']]);
  });

  it('lets the first OverC key claim a host created without key (OddEye, okerr), then holds it', async () => {
    const project = (await f.store.projects.getByName('default'))!;
    await f.store.hosts.register(project.id, 'shared-host', null, 1);
    const ping = (key: string) => post('/api/ping', { server: { name: 'shared-host', key } });
    assert.equal((await ping('first')).statusCode, 200);
    assert.equal((await ping('first')).statusCode, 200);
    assert.equal((await ping('second')).statusCode, 403);
  });

  it('answers unknown routes with 404 JSON', async () => {
    const r = await f.app.inject({ method: 'GET', url: '/api/nope' });
    assert.equal(r.statusCode, 404);
    assert.equal(r.json().code, 'OVS_ERR_NOT_FOUND');
  });
});
