import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { OvercClient, parseServerId } from './overc.js';
import { OverseeClientError } from './errors.js';
import { startRecordingServer } from './test-support/recording-server.js';

test('ping, service status with metrics and alerts post the OverC JSON bodies', async () => {
  const srv = await startRecordingServer((r) => ({ body: r.url.endsWith('/ping') ? '{"pong":1}' : '{"ok":1}' }));
  try {
    const c = new OvercClient({ url: srv.url, name: 'web1', key: 's3cret' });
    assert.deepEqual(await c.ping(), { pong: 1 });
    await c.reportServices(60, [{ name: 'app', state: 'OK', info: 'up', metrics: [{ name: 'time', value: 0.5, unit: 's' }] }]);
    await c.sendAlerts([{ message: 'down', service: 'app' }]);
    assert.deepEqual(srv.requests.map((r) => [r.method, r.url, r.headers['content-type']]), [
      ['POST', '/api/ping', 'application/json'],
      ['POST', '/api/set/service/status', 'application/json'],
      ['POST', '/api/set/alerts', 'application/json'],
    ]);
    assert.deepEqual(JSON.parse(srv.requests[0]?.body ?? ''), { server: { name: 'web1', key: 's3cret' } });
    assert.deepEqual(JSON.parse(srv.requests[1]?.body ?? ''), {
      server: { name: 'web1', key: 's3cret' }, period: 60,
      services: [{ name: 'app', state: 'OK', info: 'up', metrics: [{ name: 'time', value: 0.5, unit: 's' }] }],
    });
    assert.deepEqual(JSON.parse(srv.requests[2]?.body ?? ''), { server: { name: 'web1', key: 's3cret' }, alerts: [{ message: 'down', service: 'app' }] });
  } finally {
    await srv.close();
  }
});

test('keeps a path prefix and turns user:pass@ into Basic auth', async () => {
  const srv = await startRecordingServer(() => ({ body: '{"pong":1}' }));
  try {
    const c = new OvercClient({ url: srv.url.replace('http://', 'http://ann:p%40ss@') + '/mon', name: 'a', key: 'b' });
    await c.ping();
    assert.equal(srv.requests[0]?.url, '/mon/api/ping');
    assert.equal(srv.requests[0]?.headers['authorization'], `Basic ${Buffer.from('ann:p@ss').toString('base64')}`);
  } finally {
    await srv.close();
  }
});

test('4xx and 5xx answers throw OverseeClientError with status and the server message', async () => {
  const table: Array<{ status: number; body: string; message: RegExp; retryable: boolean }> = [
    { status: 403, body: '{"error":"Invalid server key"}', message: /403: Invalid server key/, retryable: false },
    { status: 400, body: '{"error":"services[0].name: required"}', message: /400: services\[0\]\.name: required/, retryable: false },
    { status: 503, body: 'busy', message: /503: busy/, retryable: true },
  ];
  for (const row of table) {
    const srv = await startRecordingServer(() => ({ status: row.status, body: row.body }));
    try {
      const c = new OvercClient({ url: srv.url, name: 'a', key: 'b' });
      await assert.rejects(c.ping(), (err: unknown) => {
        assert.ok(err instanceof OverseeClientError);
        assert.equal(err.kind, 'http');
        assert.equal(err.status, row.status);
        assert.equal(err.retryable, row.retryable);
        assert.match(err.message, row.message);
        return true;
      });
    } finally {
      await srv.close();
    }
  }
});

test('an unreachable server is a retryable network error; a silent one times out', async () => {
  const c = new OvercClient({ url: 'http://127.0.0.1:1', name: 'a', key: 'b' });
  await assert.rejects(c.ping(), (err: unknown) => err instanceof OverseeClientError && err.kind === 'network' && err.retryable && /cannot reach/.test(err.message));
  const silent = createServer(() => { /* never answers */ });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const addr = silent.address();
  assert.ok(addr && typeof addr === 'object');
  try {
    const slow = new OvercClient({ url: `http://127.0.0.1:${addr.port}`, name: 'a', key: 'b', timeoutMs: 100 });
    await assert.rejects(slow.ping(), (err: unknown) => err instanceof OverseeClientError && err.kind === 'timeout');
  } finally {
    silent.close();
  }
});

test('parseServerId splits at the first colon and rejects missing parts', () => {
  assert.deepEqual(parseServerId('web1:k:ey'), { name: 'web1', key: 'k:ey' });
  for (const bad of ['web1', ':key', 'web1:']) assert.throws(() => parseServerId(bad), OverseeClientError);
});

test('bad URLs are config errors', () => {
  for (const url of ['not a url', 'ftp://x/']) assert.throws(() => new OvercClient({ url, name: 'a', key: 'b' }), (e: unknown) => e instanceof OverseeClientError && e.kind === 'config');
});
