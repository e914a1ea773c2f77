import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from './agent.js';
import { FailStateStore } from './fail-state.js';
import { memoryLogger } from './logger.js';
import { ManualTimers } from './test-support/manual-timers.js';
import { startControlApi, parseListen, isLoopback, type RunningControlApi } from './control-api.js';
import { VERSION } from '../version.js';

const MONITOR = { name: 'monitor1', interval: 10, timeout: 1, min: 0, max: 0.3, probe: { type: 'exec', command: '/bin/true' }, filter: { type: 'average' }, actions: [{ type: 'exec', command: '/bin/true' }] };

async function start(token?: string): Promise<{ api: RunningControlApi; base: string; agent: Agent; logger: ReturnType<typeof memoryLogger> }> {
  const logger = memoryLogger();
  logger.level = 'info';
  const agent = new Agent({ timers: new ManualTimers(0), logger, outbox: undefined, failState: new FailStateStore(join(mkdtempSync(join(tmpdir(), 'ctl-')), 'f.json')), implicitPush: false });
  const api = await startControlApi({ agent, logger, token }, '127.0.0.1', 0);
  return { api, base: `http://${api.address}`, agent, logger };
}

async function call(base: string, method: string, path: string, body?: string, type?: string, auth?: string): Promise<{ status: number; type: string; text: string }> {
  const headers: Record<string, string> = {};
  if (type) headers['content-type'] = type;
  if (auth) headers['authorization'] = auth;
  const r = await fetch(base + path, { method, headers, body });
  return { status: r.status, type: r.headers.get('content-type') ?? '', text: await r.text() };
}

test("goma's REST API: register, list, show, stop, start, unregister with goma's answers", async () => {
  const { api, base, agent } = await start();
  try {
    assert.deepEqual(await call(base, 'GET', '/list'), { status: 200, type: 'application/json; charset=utf-8', text: '[]' });
    const reg = await call(base, 'POST', '/register', JSON.stringify(MONITOR), 'application/json');
    assert.deepEqual(reg, { status: 200, type: 'text/plain; charset=utf-8', text: '0' });
    assert.equal((await call(base, 'POST', '/register', JSON.stringify({ ...MONITOR, name: 'm2' }), 'application/json; charset=utf-8')).text, '1');
    assert.deepEqual(JSON.parse((await call(base, 'GET', '/list')).text), [
      { id: '0', name: 'monitor1', running: true, failing: false },
      { id: '1', name: 'm2', running: true, failing: false },
    ]);
    assert.deepEqual(JSON.parse((await call(base, 'GET', '/monitor/0')).text), { id: '0', name: 'monitor1', running: true, failing: false });
    assert.deepEqual(await call(base, 'POST', '/monitor/0', 'stop', 'text/plain'), { status: 200, type: 'text/plain; charset=utf-8', text: '' });
    assert.equal(JSON.parse((await call(base, 'GET', '/monitor/0')).text).running, false);
    assert.equal((await call(base, 'POST', '/monitor/0', 'start\n', 'text/plain')).status, 200);
    assert.deepEqual(await call(base, 'POST', '/monitor/0', 'start', 'text/plain'), { status: 500, type: 'text/plain; charset=utf-8', text: 'monitor already started\n' });
    assert.deepEqual(await call(base, 'POST', '/monitor/0', 'restart', 'text/plain'), { status: 400, type: 'text/plain; charset=utf-8', text: 'unknown action\n' });
    assert.equal((await call(base, 'PATCH', '/monitor/0')).text, 'invalid method\n');
    assert.equal((await call(base, 'DELETE', '/monitor/1')).status, 200);
    assert.deepEqual(await call(base, 'GET', '/monitor/1'), { status: 404, type: 'text/plain; charset=utf-8', text: '404 page not found\n' });
    assert.equal((await call(base, 'GET', '/monitor/abc')).status, 404);
    assert.equal(agent.list().length, 1);
  } finally {
    agent.shutdown();
    await api.close();
  }
});

test('/register answers 400 with the reason for bad content type, bad JSON and bad definitions', async () => {
  const { api, base, agent } = await start();
  try {
    const table: Array<{ body: string; type: string; text: RegExp }> = [
      { body: JSON.stringify(MONITOR), type: 'text/plain', text: /^bad content type\n$/ },
      { body: '{', type: 'application/json', text: /invalid JSON/ },
      { body: JSON.stringify({ ...MONITOR, min: 1, max: 0 }), type: 'application/json', text: /monitor\[0\]\.min: min \(1\) is greater than max \(0\)/ },
      { body: JSON.stringify({ ...MONITOR, probe: { type: 'exec', command: '/bin/true', shell: true } }), type: 'application/json', text: /monitor\[0\]\.probe\.shell: unknown key/ },
      { body: JSON.stringify({ ...MONITOR, interval: '10' }), type: 'application/json', text: /monitor\[0\]\.interval: expected a number/ },
      { body: JSON.stringify({ ...MONITOR, actions: undefined }), type: 'application/json', text: /monitor\[0\]\.actions: missing required key/ },
    ];
    for (const row of table) {
      const r = await call(base, 'POST', '/register', row.body, row.type);
      assert.equal(r.status, 400, row.body);
      assert.match(r.text, row.text);
    }
    assert.equal(agent.list().length, 0, 'nothing registered');
    assert.equal((await call(base, 'GET', '/register')).status, 405);
  } finally {
    agent.shutdown();
    await api.close();
  }
});

test('/verbosity and /version', async () => {
  const { api, base, agent, logger } = await start();
  try {
    assert.deepEqual(await call(base, 'GET', '/verbosity'), { status: 200, type: 'text/plain; charset=utf-8', text: 'info' });
    assert.equal((await call(base, 'PUT', '/verbosity', 'warning', 'text/plain')).status, 200);
    assert.equal(logger.level, 'warn');
    assert.equal((await call(base, 'GET', '/verbosity')).text, 'warning');
    assert.equal((await call(base, 'POST', '/verbosity', 'debug', 'text/plain')).status, 200);
    assert.equal((await call(base, 'POST', '/verbosity', 'loud', 'text/plain')).status, 400);
    assert.equal((await call(base, 'DELETE', '/verbosity')).text, 'Bad method\n');
    assert.deepEqual(await call(base, 'GET', '/version'), { status: 200, type: 'text/plain; charset=utf-8', text: VERSION });
    assert.equal((await call(base, 'GET', '/nope')).status, 404);
  } finally {
    agent.shutdown();
    await api.close();
  }
});

test('with a token every request needs Authorization: Bearer', async () => {
  const { api, base, agent } = await start('s3cret');
  try {
    assert.equal((await call(base, 'GET', '/list')).status, 401);
    assert.equal((await call(base, 'GET', '/list', undefined, undefined, 'Bearer wrong!')).status, 401);
    assert.equal((await call(base, 'GET', '/list', undefined, undefined, 'Bearer s3cret')).status, 200);
  } finally {
    agent.shutdown();
    await api.close();
  }
});

test('listen addresses parse like goma, and loopback is recognised', () => {
  assert.deepEqual(parseListen('localhost:3838'), { host: 'localhost', port: 3838 });
  assert.deepEqual(parseListen(':3838'), { host: '0.0.0.0', port: 3838 });
  assert.deepEqual(parseListen('[::1]:9'), { host: '::1', port: 9 });
  assert.throws(() => parseListen('3838'), /host:port/);
  assert.deepEqual(['127.0.0.1', '127.1.2.3', '::1', 'localhost', '0.0.0.0', '10.0.0.1'].map(isLoopback), [true, true, true, true, false, false]);
});
