import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MonitorRunner, loadMonitorConfig } from './monitor-runner.js';
import { Outbox, type OutboxEntry } from './outbox.js';
import { memoryLogger } from './logger.js';
import { ManualTimers } from './test-support/manual-timers.js';

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function setup(ini: string): { dir: string; file: string; runner: MonitorRunner; outbox: Outbox; timers: ManualTimers; log: ReturnType<typeof memoryLogger> } {
  const dir = mkdtempSync(join(tmpdir(), 'monitor-'));
  const file = join(dir, 'config.ini');
  writeFileSync(file, ini);
  const timers = new ManualTimers(0);
  const log = memoryLogger();
  const outbox = new Outbox({ dir: join(dir, 'outbox'), timers, logger: log });
  outbox.open();
  const runner = new MonitorRunner({ configPath: file, outbox, timers, logger: log, watchIntervalMs: 0 });
  return { dir, file, runner, outbox, timers, log };
}

const statuses = (o: Outbox): Array<Extract<OutboxEntry, { kind: 'status' }>> => o.pending().flatMap((e) => (e.kind === 'status' ? [e] : []));
const alerts = (o: Outbox): Array<Extract<OutboxEntry, { kind: 'alert' }>> => o.pending().flatMap((e) => (e.kind === 'alert' ? [e] : []));

test('reports every service at start: exit code to state, output to info, perfdata to metrics', async () => {
  const { runner, outbox, file, timers } = setup([
    '[service:ok]', 'period=60', "command=printf 'HTTP OK - 0.1 s |time=0.1s;1;2;0;10 size=5B\\n  \\n'",
    '[service:warn]', 'period=60', 'command=echo disk 91%; exit 1',
    '[service:fail]', 'period=60', 'command=echo down >&2; exit 2',
    '[service:unk3]', 'period=60', 'command=exit 3',
    '[service:unk7]', 'period=60', 'command=echo odd; exit 7',
    '[service:signal]', 'period=60', 'command=kill -9 $$',
  ].join('\n'));
  runner.start(loadMonitorConfig(file));
  await timers.advance(0);
  await until(() => runner.runs === 6);
  runner.stop();
  const byName = new Map(statuses(outbox).map((e) => [e.service.name, e]));
  assert.deepEqual(byName.get('ok')?.service, {
    name: 'ok', state: 'OK', info: 'HTTP OK - 0.1 s', period: 60,
    metrics: [{ name: 'time', value: 0.1, unit: 's', warn: '1', crit: '2', min: 0, max: 10 }, { name: 'size', value: 5, unit: 'B' }],
  });
  assert.deepEqual(byName.get('warn')?.service, { name: 'warn', state: 'WARN', info: 'disk 91%', period: 60 });
  assert.deepEqual(byName.get('fail')?.service, { name: 'fail', state: 'FAIL', info: 'down', period: 60 });
  assert.equal(byName.get('unk3')?.service.state, 'UNK');
  assert.equal(byName.get('unk7')?.service.state, 'UNK');
  assert.equal(byName.get('signal')?.service.state, 'UNK');
  assert.match(byName.get('signal')?.service.info ?? '', /Killed by SIGKILL/);
  assert.ok(statuses(outbox).every((e) => e.change), 'first reports are changes');
});

test('runs each service every period×0.8 − max-lag; unchanged states are marked as repeats', async () => {
  const { runner, outbox, file, timers } = setup('[service:a]\nperiod=10\ncommand=true\n[service:b]\nperiod=10\nmax-lag=3\ncommand=true\n');
  runner.start(loadMonitorConfig(file));
  await timers.advance(0);
  const times = (): Record<string, number[]> => {
    const out: Record<string, number[]> = { a: [], b: [] };
    for (const e of statuses(outbox)) out[e.service.name]?.push(e.at);
    return out;
  };
  await until(() => runner.runs === 2);
  for (const [step, total] of [[5000, 3], [3000, 4], [2000, 5], [5000, 6], [1000, 7]] as const) {
    await timers.advance(step);
    await until(() => runner.runs === total);
  }
  runner.stop();
  assert.deepEqual(times(), { a: [0, 8000, 16000], b: [0, 5000, 10000, 15000] });
  assert.deepEqual(statuses(outbox).map((e) => e.change), [true, true, false, false, false, false, false]);
});

test('a command that hangs is killed at its timeout and reported UNK', async () => {
  const { runner, outbox, file, timers } = setup('[service:hang]\nperiod=60\ntimeout=0.3\ncommand=echo started; sleep 30\n');
  runner.start(loadMonitorConfig(file));
  await timers.advance(0);
  await until(() => runner.runs === 1);
  runner.stop();
  const [e] = statuses(outbox);
  assert.equal(e?.service.state, 'UNK');
  assert.equal(e?.service.info, 'started\nTimed out after 0.3 s (killed)');
});

test('a command that cannot be started is reported UNK and raised as an alert once', async () => {
  const { runner, outbox, file, timers } = setup('[service:gone]\nperiod=5\ncommand=/nonexistent/check_thing -w 1\n');
  runner.start(loadMonitorConfig(file));
  await timers.advance(0);
  await until(() => runner.runs === 1);
  await timers.advance(4000);
  await until(() => runner.runs === 2);
  runner.stop();
  assert.deepEqual(statuses(outbox).map((e) => e.service.state), ['UNK', 'UNK']);
  const a = alerts(outbox);
  assert.equal(a.length, 1);
  assert.equal(a[0]?.alert.service, 'gone');
  assert.match(a[0]?.alert.message ?? '', /cannot start command \(exit 127\).*not found/);
});

test('a config change that breaks the file is alerted and the old services keep running; a fix applies', async () => {
  const { runner, outbox, file, timers } = setup('[service:a]\nperiod=10\ncommand=true\n');
  runner.start(loadMonitorConfig(file));
  await timers.advance(0);
  await until(() => runner.runs === 1);
  writeFileSync(file, '[service:a]\nperiod=ten\ncommand=true\n');
  runner.reload();
  runner.reload();
  const a = alerts(outbox);
  assert.equal(a.length, 1, 'alerted once');
  assert.match(a[0]?.alert.message ?? '', /config .*config\.ini is broken.*config\.ini:2: \[service:a\] period/);
  assert.deepEqual(runner.serviceNames(), ['a']);
  writeFileSync(file, '[service:a]\nperiod=10\ncommand=true\n[service:b]\nperiod=10\ncommand=exit 1\n');
  utimesSync(file, new Date(), new Date());
  runner.reload();
  await timers.advance(0);
  await until(() => runner.runs === 2);
  runner.stop();
  assert.deepEqual(runner.serviceNames(), ['a', 'b']);
  assert.equal(statuses(outbox).find((e) => e.service.name === 'b')?.service.state, 'WARN');
});
