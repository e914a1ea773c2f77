import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pluginReport, stateFromExit } from './plugin-result.js';
import type { RunResult } from './run-command.js';

const run = (over: Partial<RunResult>): RunResult => ({ exitCode: 0, signal: null, output: '', stderr: '', truncatedBytes: 0, timedOut: false, spawnError: undefined, durationMs: 1, ...over });

test('exit code to state: 0 OK, 1 WARN, 2 FAIL, 3 and others UNK, signals and timeouts UNK', () => {
  const table: Array<[Partial<RunResult>, string]> = [
    [{ exitCode: 0 }, 'OK'], [{ exitCode: 1 }, 'WARN'], [{ exitCode: 2 }, 'FAIL'], [{ exitCode: 3 }, 'UNK'],
    [{ exitCode: 4 }, 'UNK'], [{ exitCode: 255 }, 'UNK'], [{ exitCode: null, signal: 'SIGKILL' }, 'UNK'],
    [{ exitCode: null, timedOut: true }, 'UNK'], [{ exitCode: null, spawnError: 'ENOENT' }, 'UNK'],
  ];
  for (const [r, state] of table) assert.equal(stateFromExit(run(r)), state, JSON.stringify(r));
});

test('info is the text without perfdata, trailing whitespace trimmed; metrics keep only present fields', () => {
  const rep = pluginReport(run({ exitCode: 1, output: 'DISK WARNING - 9% free | /=91%;80;90;0;100\n\n' }), 10);
  assert.deepEqual(rep, { state: 'WARN', info: 'DISK WARNING - 9% free', metrics: [{ name: '/', value: 91, unit: '%', warn: '80', crit: '90', min: 0, max: 100 }], fatal: undefined });
});

test('commands that cannot start are fatal (sh 126/127, spawn errors); timeouts say so in the info', () => {
  assert.match(pluginReport(run({ exitCode: 127, output: 'sh: 1: check_x: not found\n' }), 5).fatal ?? '', /cannot start command \(exit 127\): sh: 1: check_x: not found/);
  assert.match(pluginReport(run({ exitCode: 126, output: '' }), 5).fatal ?? '', /exit 126\): no output/);
  assert.equal(pluginReport(run({ exitCode: null, spawnError: 'spawn /x ENOENT' }), 5).info, 'cannot start command: spawn /x ENOENT');
  assert.equal(pluginReport(run({ exitCode: null, timedOut: true, signal: 'SIGKILL', output: 'partial' }), 5).info, 'partial\nTimed out after 5 s (killed)');
  assert.equal(pluginReport(run({ exitCode: 2 }), 5).fatal, undefined);
});
