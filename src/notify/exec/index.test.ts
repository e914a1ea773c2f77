import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { OverseeError } from '../../errors.js';
import { sampleMessage } from '../testing.js';
import { DeliveryError, type NotifyMessage } from '../types.js';
import { exec } from './index.js';

const ctx = { fetch, timeoutMs: 5000 };

// Gone, or a zombie waiting for a reaper (PID 1 in a container may never reap it).
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe('exec channel', () => {
  let dir: string;
  const script = (name: string, body: string): string => {
    const p = join(dir, name);
    writeFileSync(p, `#!/bin/sh\n${body}\n`);
    chmodSync(p, 0o755);
    return p;
  };
  before(() => { dir = mkdtempSync(join(tmpdir(), 'oversee-exec-')); });
  after(() => { rmSync(dir, { recursive: true, force: true }); });

  test('passes the message as JSON on stdin and as OVERSEE_* variables plus configured env', async () => {
    const out = join(dir, 'out');
    const cmd = script('record.sh', `cat > "$1.json"\nenv | grep -E '^(OVERSEE_|TEAM=)' | sort > "$1.env"`);
    await exec.send(exec.parseConfig({ command: cmd, args: [out], env: { TEAM: 'ops' } }), sampleMessage(), ctx);
    const json = JSON.parse(readFileSync(`${out}.json`, 'utf8')) as NotifyMessage;
    assert.equal(json.subject, 'web1/disk: OK -> ERR');
    assert.equal(json.events[0]?.checkName, 'disk');
    const env = Object.fromEntries(readFileSync(`${out}.env`, 'utf8').trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    assert.equal(env.OVERSEE_HOST, 'web1');
    assert.equal(env.OVERSEE_CHECK, 'disk');
    assert.equal(env.OVERSEE_STATE, 'ERR');
    assert.equal(env.OVERSEE_OLD_STATE, 'OK');
    assert.equal(env.OVERSEE_EVENT_KIND, 'problem');
    assert.equal(env.OVERSEE_INFO, '/ is 97% full');
    assert.equal(env.OVERSEE_EVENT_COUNT, '1');
    assert.equal(env.TEAM, 'ops');
  });

  test('a non-zero exit is a transient failure carrying stderr', async () => {
    const cmd = script('fail.sh', 'echo "mail relay down" >&2\nexit 3');
    const err = await exec.send(exec.parseConfig({ command: cmd }), sampleMessage(), ctx).then(() => null, (e: unknown) => e);
    assert.ok(err instanceof DeliveryError);
    assert.equal(err.permanent, false);
    assert.match(err.message, /exit code 3: mail relay down/);
  });

  test('a hung command is killed at the timeout, with its children, as a transient failure', async () => {
    const pidFile = join(dir, 'child.pid');
    const cmd = script('hang.sh', `sleep 30 &\necho $! > "${pidFile}"\nwait`);
    const started = Date.now();
    const err = await exec.send(exec.parseConfig({ command: cmd, timeout_ms: 300 }), sampleMessage(), ctx).then(() => null, (e: unknown) => e);
    assert.ok(Date.now() - started < 3000, 'returned long before the sleep would end');
    assert.ok(err instanceof DeliveryError);
    assert.match(err.message, /timed out after 300 ms/);
    assert.equal(err.permanent, false);
    const childPid = Number(readFileSync(pidFile, 'utf8'));
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(!isRunning(childPid), 'the grandchild sleep was killed too');
  });

  test('a command that exits 0 leaving a background process behind succeeds at once', async () => {
    const pidFile = join(dir, 'bg.pid');
    const cmd = script('bg.sh', `sleep 5 &\necho $! > "${pidFile}"\nexit 0`);
    const started = Date.now();
    await exec.send(exec.parseConfig({ command: cmd, timeout_ms: 3000 }), sampleMessage(), ctx);
    assert.ok(Date.now() - started < 2000, 'did not wait for the background process');
    process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
  });

  test('a command that does not exist is a permanent failure', async () => {
    const err = await exec.send(exec.parseConfig({ command: join(dir, 'missing.sh') }), sampleMessage(), ctx).then(() => null, (e: unknown) => e);
    assert.ok(err instanceof DeliveryError);
    assert.equal(err.permanent, true);
  });

  test('a long info reaches stdin in full and the environment cut to 4096 characters', async () => {
    const out = join(dir, 'long');
    const cmd = script('long.sh', `cat > "$1.json"\nprintf %s "$OVERSEE_INFO" > "$1.info"`);
    await exec.send(exec.parseConfig({ command: cmd, args: [out] }), sampleMessage({ message: 'x'.repeat(200_000) }), ctx);
    assert.equal((JSON.parse(readFileSync(`${out}.json`, 'utf8')) as NotifyMessage).events[0]?.message.length, 200_000);
    assert.equal(readFileSync(`${out}.info`, 'utf8').length, 4096);
  });

  test('a command that ignores stdin still succeeds', async () => {
    const cmd = script('ignore.sh', 'exit 0');
    await exec.send(exec.parseConfig({ command: cmd }), sampleMessage({ message: 'y'.repeat(100_000) }), ctx);
  });
});

describe('exec config validation names the field', () => {
  const cases: Array<{ raw: Record<string, unknown>; field: string }> = [
    { raw: {}, field: 'command' },
    { raw: { command: 'notify.sh' }, field: 'command' },
    { raw: { command: '/bin/true', args: [1] }, field: 'args' },
    { raw: { command: '/bin/true', env: { A: 1 } }, field: 'env.A' },
    { raw: { command: '/bin/true', timeout_ms: 0 }, field: 'timeout_ms' },
  ];
  for (const { raw, field } of cases) {
    test(`rejects ${JSON.stringify(raw)} naming ${field}`, () => {
      assert.throws(() => exec.parseConfig(raw), (e: unknown) => e instanceof OverseeError && e.details?.field === field);
    });
  }
});
