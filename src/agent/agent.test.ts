import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from './agent.js';
import { FailStateStore } from './fail-state.js';
import { memoryLogger } from './logger.js';
import { ManualTimers } from './test-support/manual-timers.js';
import { parseMonitorJson, GomaMonitorError } from '../protocols/goma-monitor.js';

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

function fixture(): { dir: string; valueFile: string; events: string; def: (extra?: Record<string, unknown>) => ReturnType<typeof parseMonitorJson>; setValue(v: string): void; readEvents(): string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'agent-'));
  const valueFile = join(dir, 'value');
  const events = join(dir, 'events');
  writeFileSync(valueFile, '0');
  return {
    dir, valueFile, events,
    def: (extra = {}) => parseMonitorJson(JSON.stringify({
      name: 'disk', interval: 10, timeout: 2, min: 0, max: 0.5,
      probe: { type: 'exec', command: '/bin/cat', args: [valueFile], parse: true },
      actions: [{ type: 'exec', command: '/bin/sh', args: ['-c', `echo "$GOMA_EVENT $GOMA_VALUE$GOMA_DURATION" >> ${events}`] }],
      ...extra,
    })),
    setValue: (v) => writeFileSync(valueFile, v),
    readEvents: () => (existsSync(events) ? readFileSync(events, 'utf8').trim().split('\n').map((l) => l.trimEnd()) : []),
  };
}

function newAgent(timers: ManualTimers, stateFile: string): Agent {
  return new Agent({ timers, logger: memoryLogger(), outbox: undefined, failState: new FailStateStore(stateFile), implicitPush: false });
}

test('fires init at start, fail once when the value leaves [min,max], recover once with the duration', async () => {
  const f = fixture();
  const timers = new ManualTimers(0);
  const agent = newAgent(timers, join(f.dir, 'failing.json'));
  const id = agent.register(f.def());
  const m = agent.monitor(id);
  assert.ok(m);
  const step = async (value: string, expectRuns: number): Promise<void> => {
    f.setValue(value);
    await timers.advance(expectRuns === 1 ? 0 : 10_000);
    await until(() => m.runs === expectRuns);
  };
  await step('0.1', 1);
  await step('0.9', 2);
  await step('1.5', 3);
  assert.equal(agent.info(id)?.failing, true);
  await step('0.2', 4);
  await step('0.3', 5);
  await until(() => f.readEvents().length === 3);
  assert.deepEqual(f.readEvents(), ['init', 'fail 0.9', 'recover 20']);
  assert.equal(agent.info(id)?.failing, false);
  agent.shutdown();
});

test('a restart does not re-fire fail for a monitor that was failing; recover counts from the first failure', async () => {
  const f = fixture();
  const stateFile = join(f.dir, 'failing.json');
  const timers = new ManualTimers(0);
  const a1 = newAgent(timers, stateFile);
  f.setValue('9');
  const id1 = a1.register(f.def());
  await timers.advance(0);
  await until(() => a1.monitor(id1)?.runs === 1);
  a1.shutdown();
  assert.deepEqual(JSON.parse(readFileSync(stateFile, 'utf8')), { disk: 0 });
  // "restart": a new agent on the same state file, 100 s later.
  await timers.advance(100_000);
  const a2 = newAgent(timers, stateFile);
  const id2 = a2.register(f.def());
  assert.equal(a2.info(id2)?.failing, false, 'not started yet');
  await timers.advance(0);
  await until(() => a2.monitor(id2)?.runs === 1);
  assert.equal(a2.info(id2)?.failing, true);
  f.setValue('0');
  await timers.advance(10_000);
  await until(() => a2.monitor(id2)?.runs === 2);
  await until(() => f.readEvents().length === 4);
  assert.deepEqual(f.readEvents(), ['init', 'fail 9', 'init', 'recover 110']);
  a2.shutdown();
});

test('an explicit stop forgets the failing state, as goma does', async () => {
  const f = fixture();
  const stateFile = join(f.dir, 'failing.json');
  const timers = new ManualTimers(0);
  const agent = newAgent(timers, stateFile);
  f.setValue('9');
  const id = agent.register(f.def());
  await timers.advance(0);
  await until(() => agent.monitor(id)?.runs === 1);
  assert.equal(agent.info(id)?.failing, true);
  agent.stop(id);
  assert.deepEqual(agent.info(id), { id: String(id), name: 'disk', running: false, failing: false });
  assert.deepEqual(JSON.parse(readFileSync(stateFile, 'utf8')), {});
  assert.throws(() => { agent.start(id); agent.start(id); }, /already started/);
  assert.equal(agent.unregister(id), true);
  assert.equal(agent.info(id), undefined);
  agent.shutdown();
});

test('the average filter smooths values before the range check', async () => {
  const f = fixture();
  const timers = new ManualTimers(0);
  const agent = newAgent(timers, join(f.dir, 'failing.json'));
  const id = agent.register(f.def({ filter: { type: 'average', window: 2 } }));
  const m = agent.monitor(id);
  f.setValue('0.8');
  await timers.advance(0);
  await until(() => m?.runs === 1);
  assert.equal(agent.info(id)?.failing, false, '(0 + 0.8) / 2 = 0.4 is within [0, 0.5]');
  await timers.advance(10_000);
  await until(() => m?.runs === 2);
  assert.equal(agent.info(id)?.failing, true, '(0.8 + 0.8) / 2 is not');
  agent.shutdown();
});

test('unknown probe, filter and action types are rejected naming the key', () => {
  const f = fixture();
  const agent = newAgent(new ManualTimers(0), join(f.dir, 'failing.json'));
  const table: Array<[Record<string, unknown>, RegExp]> = [
    [{ probe: { type: 'ping' } }, /monitor\[0\]\.probe\.type: unknown probe type "ping"/],
    [{ filter: { type: 'median' } }, /monitor\[0\]\.filter\.type: unknown filter type/],
    [{ actions: [{ type: 'sms' }] }, /monitor\[0\]\.actions\[0\]\.type: unknown action type/],
    [{ actions: [{ type: 'push' }] }, /push needs a server/],
  ];
  for (const [extra, re] of table) assert.throws(() => agent.register(f.def(extra)), (e: unknown) => e instanceof GomaMonitorError && re.test(e.message));
  assert.deepEqual(agent.list(), []);
});

test('loadDir reads every *.toml file; a bad file names file and line', () => {
  const f = fixture();
  const confDir = join(f.dir, 'conf');
  const agent = newAgent(new ManualTimers(0), join(f.dir, 'failing.json'));
  const good = `[[monitor]]\nname = "a"\ninterval = 5\n[monitor.probe]\ntype = "exec"\ncommand = "/bin/true"\n[[monitor.actions]]\ntype = "exec"\ncommand = "/bin/true"\n`;
  const bad = `[[monitor]]\nname = "b"\n[monitor.probe]\ntype = "exec"\ncommand = "/bin/true"\ntimeout_s = 3\n[[monitor.actions]]\ntype = "exec"\ncommand = "/bin/true"\n`;
  mkdirp(confDir);
  writeFileSync(join(confDir, '1.toml'), good);
  writeFileSync(join(confDir, 'notes.txt'), 'ignored');
  assert.deepEqual(agent.loadDir(confDir), [0]);
  writeFileSync(join(confDir, '2.toml'), bad);
  assert.throws(() => agent.loadDir(confDir), (e: unknown) => e instanceof GomaMonitorError && e.file.endsWith('2.toml') && e.line === 6 && e.key === 'monitor[0].probe.timeout_s');
  agent.shutdown();
});

function mkdirp(d: string): void {
  if (!existsSync(d)) mkdirSync(d, { recursive: true });
}
