// `oversee agent` end to end: a spawned agent with monitors from a directory (Nagios plugin, tcp,
// exec probes), pushing to a spawned server, driven by the `oversee agent …` client commands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { startServerProcess, runOversee, OVERSEE_BIN, REPO_ROOT, childEnv } from './support/server.js';
import { PLUGINS, ServerReader, eventually, freePort, pluginsSkipReason, spawnOversee, type CliProcess } from './agent-e2e-support.js';

const skip = pluginsSkipReason();
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

test('the agent refuses root without --allow-root and non-loopback listening without a token', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'agent-safety-'));
  if (isRoot) {
    const r = await runOversee(['agent', '-d', dir, '--listen', '127.0.0.1:0']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /refusing to run as root.*--allow-root/);
  }
  const open = await runOversee(['agent', '-d', dir, '--listen', '0.0.0.0:0', '--allow-root']);
  assert.equal(open.code, 2);
  assert.match(open.stderr, /beyond loopback.*--token/);
  writeFileSync(join(dir, 'bad.toml'), '[[monitor]]\nname = "x"\ninterval = 10\n[monitor.probe]\ntype = "exec"\ncommand = "/bin/true"\n[[monitor.actions]]\ntype = "exec"\ncommand = "/bin/true"\nretries = 3\n');
  const bad = await runOversee(['agent', '-d', dir, '--listen', '127.0.0.1:0', '--allow-root']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /bad\.toml:10: monitor\[0\]\.actions\[0\]\.retries: unknown key/);
});

function monitorsToml(serverPort: string, events: string): string {
  return `
[[monitor]]
name = "plugin-crit"
interval = 1
timeout = 5
  [monitor.probe]
  type = "nagios"
  command = "${PLUGINS}/check_dummy"
  args = ["2", "down for maintenance"]
  [[monitor.actions]]
  type = "exec"
  command = "/bin/sh"
  args = ["-c", "echo $GOMA_EVENT >> ${events}"]

[[monitor]]
name = "server-port"
interval = 1
timeout = 2
max = 1
  [monitor.probe]
  type = "tcp"
  host = "127.0.0.1"
  port = ${serverPort}
  [[monitor.actions]]
  type = "push"
  service = "tcp-server-port"

[[monitor]]
name = "exec-ok"
interval = 2
  [monitor.probe]
  type = "exec"
  command = "/bin/true"
  [monitor.filter]
  type = "average"
  window = 3
  [[monitor.actions]]
  type = "exec"
  command = "/bin/true"
`;
}

/** `oversee agent -s addr register -` with `toml` on stdin; resolves with stdout (rejects on failure). */
function registerFromStdin(addr: string, toml: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [OVERSEE_BIN, 'agent', '-s', addr, 'register', '-'], { cwd: REPO_ROOT, env: childEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    p.stderr.on('data', (c: Buffer) => { out += c.toString(); });
    p.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}: ${out}`))));
    p.stdin.end(toml);
  });
}

async function startAgent(args: string[]): Promise<CliProcess> {
  const agent = spawnOversee(args);
  await eventually(async () => /Oversee agent listening on/.test(agent.output()) || (agent.proc.exitCode !== null ? Promise.reject(new Error(agent.output())) : false), 20_000, 'agent listening');
  return agent;
}

test('agent loads monitors, pushes their states, keeps failing state across a restart, and obeys the CLI', { skip }, async () => {
  const server = await startServerProcess();
  const dir = mkdtempSync(join(tmpdir(), 'agent-e2e-'));
  const confDir = join(dir, 'conf');
  const events = join(dir, 'events');
  mkdirSync(confDir);
  writeFileSync(join(confDir, 'monitors.toml'), monitorsToml(new URL(server.url).port, events));
  const port = await freePort();
  const addr = `127.0.0.1:${port}`;
  const agentArgs = ['-s', server.url, '-i', 'agent-host:k', 'agent', '-d', confDir, '--listen', addr, '--state-dir', join(dir, 'state'), '--allow-root', '--retry-max', '1'];
  let agent = await startAgent(agentArgs);
  const reader = new ServerReader(server.url, server.adminToken ?? '');
  const cli = (...args: string[]): ReturnType<typeof runOversee> => runOversee(['agent', '-s', addr, ...args]);
  try {
    // 1. Pushed states: the plugin's own state and text, the tcp connect time within [0, 1].
    const crit = await eventually(() => reader.check('agent-host', 'plugin-crit'), 20_000, 'plugin-crit pushed');
    assert.equal(crit.state, 'ERR');
    assert.match(crit.info, /^CRITICAL: down for maintenance\nvalue 2 outside \[0, 0\]$/);
    const tcp = await eventually(() => reader.check('agent-host', 'tcp-server-port'), 20_000, 'tcp pushed');
    assert.equal(tcp.state, 'OK');
    assert.match(tcp.info, /connected in [\d.]+ ms\nvalue [\d.e-]+ within \[0, 1\]/);
    assert.equal(tcp.periodS, 3, 'period = max(interval/0.8, interval+timeout)');
    assert.equal((await reader.check('agent-host', 'exec-ok'))?.state ?? 'OK', 'OK');
    // 2. The client commands.
    const list = await cli('list');
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(list.stdout.trim().split('\n'), ['0\tplugin-crit\trunning\tFAILING', '1\tserver-port\trunning\tok', '2\texec-ok\trunning\tok']);
    assert.equal((await cli('show', '0')).stdout, 'id: 0\nname: plugin-crit\nrunning: true\nfailing: true\n');
    assert.match((await cli('stop', '1')).stdout, /monitor 1 stopped/);
    assert.match((await cli('show', '1')).stdout, /running: false/);
    assert.match((await cli('start', '1')).stdout, /monitor 1 started/);
    const again = await cli('start', '1');
    assert.equal(again.code, 1);
    assert.match(again.stderr, /agent answered 500: monitor already started/);
    assert.equal((await cli('verbosity')).stdout.trim(), 'info');
    assert.equal((await cli('verbosity', 'debug')).code, 0);
    assert.equal((await cli('verbosity')).stdout.trim(), 'debug');
    const extra = join(dir, 'extra.toml');
    writeFileSync(extra, '[[monitor]]\nname = "registered"\ninterval = 1\n[monitor.probe]\ntype = "exec"\ncommand = "/bin/false"\n[[monitor.actions]]\ntype = "push"\n');
    const reg = await cli('register', extra);
    assert.equal(reg.code, 0, reg.stderr);
    assert.match(reg.stdout, /registered registered as 3/);
    assert.equal((await eventually(() => reader.check('agent-host', 'registered'), 20_000, 'registered pushed')).state, 'ERR');
    writeFileSync(extra, '[[monitor]]\nname = "bad"\ninterval = "fast"\nactions = []\n[monitor.probe]\ntype = "exec"\ncommand = "/bin/true"\n');
    const badReg = await cli('register', extra);
    assert.equal(badReg.code, 2);
    assert.match(badReg.stderr, /extra\.toml:3: monitor\[0\]\.interval: expected a number/);
    const piped = await registerFromStdin(addr, '[[monitor]]\nname = "from-stdin"\ninterval = 5\nactions = []\n[monitor.probe]\ntype = "exec"\ncommand = "/bin/true"\n');
    assert.match(piped, /registered from-stdin as 4/);
    assert.match((await cli('unregister', '4')).stdout, /monitor 4 unregistered/);
    assert.match((await cli('unregister', '3')).stdout, /monitor 3 unregistered/);
    const gone = await cli('show', '3');
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /404 page not found/);
    // 3. Restart: the failing monitor does not fire `fail` again.
    assert.equal(await agent.stop(), 0);
    assert.deepEqual(readFileSync(events, 'utf8').trim().split('\n'), ['init', 'fail']);
    agent = await startAgent(agentArgs);
    await eventually(async () => (await cli('show', '0')).stdout.includes('failing: true'), 20_000, 'failing after restart');
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(readFileSync(events, 'utf8').trim().split('\n'), ['init', 'fail', 'init']);
    assert.ok(existsSync(join(dir, 'state', 'failing.json')));
  } finally {
    await agent.stop();
    await server.stop();
  }
});
