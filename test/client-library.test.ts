// `oversee/client` against a spawned `oversee serve`: OverC reports with perfdata metrics, and
// okerr indicators through the director, with throttling and a rejected secret.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerProcess, type ServerProcess } from './support/server.js';
import { ServerReader, eventually } from './agent-e2e-support.js';
import { OvercClient, OkerrProject, OverseeClientError } from '../src/client/index.js';

let server: ServerProcess;
let reader: ServerReader;

before(async () => {
  server = await startServerProcess();
  reader = new ServerReader(server.url, server.adminToken ?? '');
});
// server is unset when start-up failed (the failure is reported by before()).
after(async () => { await (server as ServerProcess | undefined)?.stop(); });

test('OvercClient reports states with metrics and alerts; a wrong key is a 403 OverseeClientError', async () => {
  const c = new OvercClient({ url: server.url, name: 'lib-host', key: 'k' });
  assert.deepEqual(await c.ping(), { pong: 1 });
  await c.reportServices(30, [
    { name: 'api', state: 'OK', info: 'fine', metrics: [{ name: 'time', value: 0.012, unit: 's', warn: '0.5', crit: '1', min: 0, max: 10 }] },
    { name: 'queue', state: 'FAIL', info: 'stuck', period: 120 },
  ]);
  await c.sendAlerts([{ message: 'disk almost full', service: 'api' }]);
  assert.equal((await reader.check('lib-host', 'api'))?.state, 'OK');
  const q = await reader.check('lib-host', 'queue');
  assert.equal(q?.state, 'ERR');
  assert.equal(q?.periodS, 120);
  await assert.rejects(new OvercClient({ url: server.url, name: 'lib-host', key: 'other' }).ping(), (e: unknown) => e instanceof OverseeClientError && e.status === 403 && !e.retryable);
});

test('okerr indicator: director, numerical method, throttling, and a bad secret', async () => {
  const projects = await reader.get<{ items: Array<{ name: string; ingestToken: string }> }>('/api/v1/projects');
  const token = projects.items.find((p) => p.name === 'default')?.ingestToken;
  assert.ok(token, 'default project has an ingest token');
  let now = Date.now();
  const project = new OkerrProject({ textid: 'default', secret: token, url: `${server.url}/`, env: {}, now: () => now });
  const disk = project.indicator('disk:/', { method: 'numerical|maxlim=90' });
  assert.equal((await disk.update('42', 'used 42%')).sent, true);
  const check = await eventually(() => reader.check('okerr', 'disk:/'), 10_000, 'indicator stored');
  assert.equal(check.state, 'OK');
  assert.equal((await disk.update('42', 'used 42%')).skipped, 'throttled');
  now += 1000;
  assert.equal((await disk.update('95', 'used 95%')).sent, true, 'a change is sent at once');
  assert.equal((await reader.check('okerr', 'disk:/'))?.state, 'ERR');
  const bad = new OkerrProject({ textid: 'default', secret: 'wrong', url: server.url, env: {} }).indicator('disk:/');
  await assert.rejects(bad.update('1'), (e: unknown) => e instanceof OverseeClientError && e.status === 400 && /Bad secret/.test(e.message));
});
