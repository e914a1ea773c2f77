// overcli-compatible client commands against a real `oversee serve` process.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServerProcess, runOversee, type ServerProcess } from './support/server.js';
import { ServerReader, freePort } from './agent-e2e-support.js';

let server: ServerProcess;
let reader: ServerReader;

before(async () => {
  server = await startServerProcess();
  assert.ok(server.adminToken, 'admin token printed on first start');
  reader = new ServerReader(server.url, server.adminToken);
});
// server is unset when start-up failed (the failure is reported by before()).
after(async () => { await (server as ServerProcess | undefined)?.stop(); });

test('ping, service-status and alert report to the server and say what happened', async () => {
  const id = ['-s', server.url, '-i', 'web1:key1'];
  const ping = await runOversee([...id, 'ping']);
  assert.equal(ping.code, 0, ping.stderr);
  assert.match(ping.stdout, /pong from .* as web1: \{"pong":1\}/);
  for (const [state, info] of [['OK', 'runs fine'], ['FAIL', 'broken'], ['warn', 'hmm']] as const) {
    const r = await runOversee([...id, 'service-status', '60', 'app', state, info]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`reported web1/app = ${state.toUpperCase()} \\(period 60 s\\)`));
  }
  const alert = await runOversee([...id, 'alert', '--service', 'app', 'Something bad has happened']);
  assert.equal(alert.code, 0, alert.stderr);
  const check = await reader.check('web1', 'app');
  assert.equal(check?.state, 'WARN');
  assert.equal(check?.info, 'hmm');
  assert.equal(check?.periodS, 60);
  assert.deepEqual((await reader.flips(check?.id ?? 0)).map((f) => `${f.oldState}->${f.newState}`), ['OK->ERR', 'ERR->WARN']);
  assert.ok((await reader.alerts()).some((a) => a.message === 'Something bad has happened' && a.checkId === check?.id));
});

test('server and id also come from OVERSEE_SERVER / OVERSEE_SERVER_ID', async () => {
  const r = await runOversee(['service-status', '30', 'env-svc', 'OK'], { env: { OVERSEE_SERVER: server.url, OVERSEE_SERVER_ID: 'web2:k2' } });
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await reader.check('web2', 'env-svc'))?.state, 'OK');
});

test('4xx, unreachable server and bad arguments exit non-zero with a clear message', async () => {
  const port = await freePort();
  const table: Array<{ args: string[]; message: RegExp }> = [
    { args: ['-s', server.url, '-i', 'web1:wrong', 'ping'], message: /ping failed: .* answered 403: Invalid server key/ },
    { args: ['-s', `http://127.0.0.1:${port}`, '-i', 'web1:key1', 'ping'], message: /ping failed: cannot reach http:\/\/127\.0\.0\.1:\d+\/api\/ping: .*ECONNREFUSED/ },
    { args: ['-s', server.url, '-i', 'web1:key1', 'service-status', 'soon', 'app', 'OK'], message: /PERIOD must be a positive number/ },
    { args: ['-s', server.url, '-i', 'web1', 'ping'], message: /server id must be "name:key"/ },
    { args: ['-i', 'web1:key1', 'ping'], message: /no server URL/ },
    { args: ['-s', server.url, '-i', 'web1:key1', 'service-status', '60', '', 'OK'], message: /service-status failed: .* answered 400/ },
  ];
  for (const row of table) {
    const r = await runOversee(row.args);
    assert.notEqual(r.code, 0, row.args.join(' '));
    assert.match(r.stderr, row.message, row.args.join(' '));
  }
});
