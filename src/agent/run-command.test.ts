import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCommand } from './run-command.js';

test('exit code and combined output of a shell command', async () => {
  const r = await runCommand({ shell: 'echo out; echo err >&2; exit 3' }, { timeoutMs: 5000 });
  assert.equal(r.exitCode, 3);
  assert.equal(r.output, 'out\nerr\n');
  assert.equal(r.timedOut, false);
});

test('a file with arguments runs without a shell', async () => {
  const r = await runCommand({ file: '/bin/echo', args: ['a b', '$HOME'] }, { timeoutMs: 5000 });
  assert.equal(r.output, 'a b $HOME\n');
  assert.equal(r.exitCode, 0);
});

test('a command that hangs is killed with its children at the timeout', async () => {
  const t0 = Date.now();
  const r = await runCommand({ shell: 'sleep 30 & sleep 30; echo never' }, { timeoutMs: 300 });
  assert.equal(r.timedOut, true);
  assert.equal(r.exitCode, null);
  assert.ok(Date.now() - t0 < 3000, 'returns promptly');
});

test('megabytes of output are truncated at the cap, not buffered', async () => {
  const r = await runCommand({ shell: 'head -c 5000000 /dev/zero | tr "\\0" x' }, { timeoutMs: 10_000, maxOutputBytes: 1000 });
  assert.equal(r.exitCode, 0);
  assert.equal(r.truncatedBytes, 5_000_000 - 1000);
  assert.match(r.output, /^x{1000}\n… \[output truncated: 4999000 more bytes\]$/);
});

test('a missing file is a spawn error, not an exception', async () => {
  const r = await runCommand({ file: '/nonexistent/plugin' }, { timeoutMs: 1000 });
  assert.equal(r.exitCode, null);
  assert.match(r.spawnError ?? '', /ENOENT/);
});

test('stderr can be kept apart', async () => {
  const r = await runCommand({ shell: 'echo 0.5; echo warn >&2' }, { timeoutMs: 5000, separateStderr: true });
  assert.equal(r.output, '0.5\n');
  assert.equal(r.stderr, 'warn\n');
});
