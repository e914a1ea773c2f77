// `oversee monitor config.ini` end to end: real Debian monitoring-plugins against a real server,
// and an outage: the server stops, states change, the server comes back, every change arrives once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess, runOversee } from './support/server.js';
import { PLUGINS, ServerReader, eventually, freePort, pluginsSkipReason, spawnOversee } from './agent-e2e-support.js';

const skip = pluginsSkipReason();

test('monitor --once runs the real plugins and the server stores their states and texts', { skip }, async () => {
  const server = await startServerProcess();
  try {
    const reader = new ServerReader(server.url, server.adminToken ?? '');
    const port = new URL(server.url).port;
    const closed = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'monitor-e2e-'));
    const ini = join(dir, 'config.ini');
    writeFileSync(ini, [
      '[overc]', `server = ${server.url}`, 'my-name = plugins-host', 'my-key = k',
      '[service:dummy-ok]', 'period = 60', `command = ${PLUGINS}/check_dummy 0 "all good"`,
      '[service:dummy-warn]', 'period = 60', `command = ${PLUGINS}/check_dummy 1 "a bit off"`,
      '[service:dummy-crit]', 'period = 60', `command = ${PLUGINS}/check_dummy 2 "broken"`,
      '[service:tcp-server]', 'period = 60', `command = ${PLUGINS}/check_tcp -H 127.0.0.1 -p ${port}`,
      '[service:tcp-closed]', 'period = 60', `command = ${PLUGINS}/check_tcp -H 127.0.0.1 -p ${closed}`,
      '[service:http]', 'period = 60', `command = ${PLUGINS}/check_http -H 127.0.0.1 -p ${port} -u /api/v1/openapi.json`,
      '[service:load]', 'period = 60', `command = ${PLUGINS}/check_load -w 100,100,100 -c 200,200,200`,
      '[service:disk]', 'period = 60', `command = ${PLUGINS}/check_disk -w 1% -c 0% -p /`,
      '[service:procs]', 'period = 60', `command = ${PLUGINS}/check_procs -w 100000 -c 200000`,
      '[service:missing]', 'period = 60', `command = ${PLUGINS}/check_does_not_exist`,
    ].join('\n'));
    const r = await runOversee(['monitor', ini, '--once', '--state-dir', join(dir, 'state')], { timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /reported 10 services/);
    const byName = new Map((await reader.checks()).filter((c) => c.hostName === 'plugins-host').map((c) => [c.name, c]));
    const expect: Record<string, [string, RegExp]> = {
      'dummy-ok': ['OK', /^OK: all good$/],
      'dummy-warn': ['WARN', /^WARNING: a bit off$/],
      'dummy-crit': ['ERR', /^CRITICAL: broken$/],
      'tcp-server': ['OK', /^TCP OK - [\d.]+ second response time on 127\.0\.0\.1 port \d+$/],
      'tcp-closed': ['ERR', /Connection refused/],
      http: ['OK', /^HTTP OK: HTTP\/1\.1 200 OK/],
      load: ['OK', /^LOAD OK - total load average/],
      disk: ['OK', /^DISK OK/],
      procs: ['OK', /^PROCS OK: \d+ processes$/],
      missing: ['UNK', /cannot start command \(exit 127\)|not found/],
    };
    for (const [name, [state, info]] of Object.entries(expect)) {
      const c = byName.get(name);
      assert.equal(c?.state, state, `${name}: ${c?.info}`);
      assert.match(c?.info ?? '', info, name);
      assert.ok(!(c?.info ?? '').includes('|'), `${name}: perfdata is not left in the info`);
    }
    // The plugin that cannot be started is the monitor's own fatal error: it is also an alert.
    assert.ok((await reader.alerts()).some((a) => /service missing: cannot start command/.test(a.message)));
  } finally {
    await server.stop();
  }
});

test('a bad config stops monitor with file, line and key; unreachable server keeps reports queued', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'monitor-bad-'));
  const ini = join(dir, 'bad.ini');
  writeFileSync(ini, '[service:a]\nperiod = 10\ncomand = true\n');
  const bad = await runOversee(['-s', 'http://127.0.0.1:1/', '-i', 'h:k', 'monitor', ini]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /bad\.ini:3: \[service:a\] comand: unknown key/);
  writeFileSync(ini, '[service:a]\nperiod = 10\ncommand = true\n');
  const port = await freePort();
  const down = await runOversee(['-s', `http://127.0.0.1:${port}/`, '-i', 'h:k', 'monitor', ini, '--once', '--wait', '2', '--state-dir', join(dir, 'state')]);
  assert.equal(down.code, 1);
  assert.match(down.stderr, /1 reports could not be delivered .* kept in the outbox/);
  // The next run against a live server delivers the queued report too.
  const server = await startServerProcess();
  try {
    const ok = await runOversee(['-s', server.url, '-i', 'h:k', 'monitor', ini, '--once', '--state-dir', join(dir, 'state')]);
    assert.equal(ok.code, 0, ok.stderr);
    const reader = new ServerReader(server.url, server.adminToken ?? '');
    const check = await reader.check('h', 'a');
    assert.equal(check?.state, 'OK');
    const history = await reader.get<{ items: unknown[] }>(`/api/v1/checks/${check?.id ?? 0}/history?limit=10`);
    assert.equal(history.items.length, 2, 'the queued report and the new one');
  } finally {
    await server.stop();
  }
});

test('outage: reports made while the server is down arrive after it returns, in order, each change once', async () => {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'outage-data-'));
  const dir = mkdtempSync(join(tmpdir(), 'outage-'));
  const stateFile = join(dir, 'state');
  writeFileSync(stateFile, '0');
  const ini = join(dir, 'config.ini');
  // period 60 s (so the server does not expire the check during the outage), max-lag 47 s → runs every second.
  writeFileSync(ini, `[service:flappy]\nperiod = 60\nmax-lag = 47\ncommand = echo "state $(cat ${stateFile})"; exit $(cat ${stateFile})\n`);
  let server = await startServerProcess({ dataDir, args: ['--port', String(port)] });
  const token = server.adminToken ?? '';
  const monitor = spawnOversee(['-s', server.url, '-i', 'outage-host:k', 'monitor', ini, '--state-dir', join(dir, 'outbox'), '--retry-max', '1']);
  try {
    const reader = new ServerReader(server.url, token);
    await eventually(async () => (await reader.check('outage-host', 'flappy'))?.state === 'OK', 20_000, 'first report');
    await server.stop();
    // While the server is down: OK → ERR → WARN → OK → ERR, each held for a few runs.
    const sequence = ['2', '1', '0', '2'];
    for (const s of sequence) {
      writeFileSync(stateFile, s);
      await new Promise((r) => setTimeout(r, 2500));
    }
    server = await startServerProcess({ dataDir, args: ['--port', String(port)] });
    const reader2 = new ServerReader(server.url, token);
    const check = await eventually(async () => {
      const c = await reader2.check('outage-host', 'flappy');
      return c?.info === 'state 2' && c.state === 'ERR' ? c : undefined;
    }, 30_000, 'replay after the outage');
    writeFileSync(stateFile, '0');
    await eventually(async () => (await reader2.check('outage-host', 'flappy'))?.state === 'OK', 20_000, 'live again');
    const flips = (await reader2.flips(check.id)).filter((f) => f.reason === 'reported').map((f) => `${f.oldState}->${f.newState}`);
    assert.deepEqual(flips, ['OK->ERR', 'ERR->WARN', 'WARN->OK', 'OK->ERR', 'ERR->OK'], monitor.output());
  } finally {
    await monitor.stop();
    await server.stop();
  }
});
