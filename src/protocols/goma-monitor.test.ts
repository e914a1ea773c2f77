import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  parseMonitorToml, parseMonitorJson, checkParams, monitorToJson, GomaMonitorError, type ParamSchema,
} from './goma-monitor.js';

// goma's own sample.toml (shortened), with an integer `max` where goma wanted a float.
const SAMPLE = `# Sample configuration for goma monitors.

[[monitor]]
name = "monitor1"         # any descriptive string.
interval = 10             # seconds between probes.
timeout = 1               # seconds for timeout of a probe.
min = 0                   # an integer where a float is expected: accepted.
max = 0.3

  [monitor.probe]
  type = "exec"
  command = "/some/probe/cmd"

  [monitor.filter]
  type = "average"

  [[monitor.actions]]
  type = "exec"
  command = "/action/cmd"
  args = ["arg1", "argw2"]
  env = ["HOGE=123", "FUGA=456"]

[[monitor]]
name = "monitor2"

  [monitor.probe]
  type = "http"
  url = "https://www.kintone.com/"

  [[monitor.actions]]
  type = "mail"
  from = "no-reply@example.org"
  fail_to = ["admin@example.org"]

  [[monitor.actions]]
  type = "http"
  url_fail = "http://example.org/fail"
  method = "post"
`;

test('parses goma sample.toml with defaults filled in', () => {
  const defs = parseMonitorToml(SAMPLE, 'sample.toml');
  assert.equal(defs.length, 2);
  const [m1, m2] = defs;
  assert.ok(m1 && m2);
  assert.deepEqual({ ...m1, origin: undefined }, {
    name: 'monitor1', interval: 10, timeout: 1, min: 0, max: 0.3,
    probe: { type: 'exec', params: { command: '/some/probe/cmd' } },
    filter: { type: 'average', params: {} },
    actions: [{ type: 'exec', params: { command: '/action/cmd', args: ['arg1', 'argw2'], env: ['HOGE=123', 'FUGA=456'] } }],
    origin: undefined,
  });
  assert.equal(m2.interval, 60);
  assert.equal(m2.timeout, 59);
  assert.equal(m2.min, 0);
  assert.equal(m2.max, 0);
  assert.equal(m2.filter, undefined);
  assert.deepEqual(m2.actions.map((a) => a.type), ['mail', 'http']);
});

test('JSON definition round-trips through monitorToJson', () => {
  const def = parseMonitorJson(JSON.stringify({ name: 'm', interval: 10, timeout: 1, min: 0, max: 0.3, probe: { type: 'exec', command: '/bin/true' }, filter: { type: 'average' }, actions: [{ type: 'exec', command: '/bin/echo' }] }));
  assert.deepEqual(parseMonitorJson(JSON.stringify(monitorToJson(def))).probe, def.probe);
  assert.deepEqual(monitorToJson(def), { name: 'm', interval: 10, timeout: 1, min: 0, max: 0.3, probe: { type: 'exec', command: '/bin/true' }, filter: { type: 'average' }, actions: [{ type: 'exec', command: '/bin/echo' }] });
});

const BAD_TOML: Array<{ name: string; text: string; line: number | undefined; key: string | undefined; message: RegExp }> = [
  { name: 'TOML syntax error', text: '[[monitor]]\nname = \n', line: 2, key: undefined, message: /invalid/i },
  { name: 'unknown monitor key', text: '[[monitor]]\nname = "a"\nintervall = 5\nactions = []\n[monitor.probe]\ntype = "exec"\n', line: 3, key: 'monitor[0].intervall', message: /unknown key/ },
  { name: 'min greater than max', text: '[[monitor]]\nname = "a"\nmin = 2\nmax = 1\nactions = []\n[monitor.probe]\ntype="exec"\n', line: 3, key: 'monitor[0].min', message: /greater than max/ },
  { name: 'interval as a string', text: '[[monitor]]\nname = "a"\ninterval = "10"\nactions = []\n[monitor.probe]\ntype="exec"\n', line: 3, key: 'monitor[0].interval', message: /expected a number/ },
  { name: 'missing probe', text: '[[monitor]]\nname = "a"\nactions = []\n', line: 1, key: 'monitor[0].probe', message: /missing required/ },
  { name: 'missing actions in the second monitor', text: '[[monitor]]\nname = "a"\nactions = []\n[monitor.probe]\ntype="exec"\n\n[[monitor]]\nname = "b"\n[monitor.probe]\ntype="exec"\n', line: 7, key: 'monitor[1].actions', message: /missing required/ },
  { name: 'probe without type', text: '[[monitor]]\nname = "a"\nactions = []\n[monitor.probe]\ncommand="x"\n', line: 4, key: 'monitor[0].probe.type', message: /missing required/ },
  { name: 'unknown top-level key', text: 'monitors = 1\n', line: undefined, key: 'monitors', message: /unknown top-level/ },
  { name: 'missing name', text: '[[monitor]]\nactions = []\n[monitor.probe]\ntype="exec"\n', line: 1, key: 'monitor[0].name', message: /missing required/ },
];

for (const c of BAD_TOML) {
  test(`rejects ${c.name}, naming file, line and key`, () => {
    assert.throws(() => parseMonitorToml(c.text, 'm.toml'), (err: unknown) => {
      assert.ok(err instanceof GomaMonitorError, String(err));
      assert.equal(err.file, 'm.toml');
      assert.equal(err.line, c.line);
      assert.equal(err.key, c.key);
      assert.match(err.message, c.message);
      return true;
    });
  });
}

const SCHEMA = { command: { type: 'string', required: true }, args: { type: 'string[]' }, errval: { type: 'number' }, header: { type: 'string-map' }, parse: { type: 'boolean' } } as const satisfies ParamSchema;

test('checkParams accepts integers and floats as numbers and types the result', () => {
  const [def] = parseMonitorToml('[[monitor]]\nname="a"\nactions=[]\n[monitor.probe]\ntype="exec"\ncommand="x"\nerrval=3\nheader={A="b"}\n', 'f.toml');
  assert.ok(def);
  const p = checkParams(def.probe.params, SCHEMA, def.origin, 'monitor[0].probe');
  assert.equal(p.command, 'x');
  assert.equal(p.errval, 3);
  assert.deepEqual({ ...p.header }, { A: 'b' });
  assert.equal(p.args, undefined);
});

const BAD_PARAMS: Array<{ name: string; body: string; line: number; key: string; message: RegExp }> = [
  { name: 'an unknown parameter', body: 'command="x"\ncommandd="y"', line: 7, key: 'monitor[0].probe.commandd', message: /unknown key/ },
  { name: 'a wrong type', body: 'command="x"\nargs="a b"', line: 7, key: 'monitor[0].probe.args', message: /list of strings/ },
  { name: 'a missing required parameter', body: 'errval=1', line: 4, key: 'monitor[0].probe.command', message: /missing required/ },
];
for (const c of BAD_PARAMS) {
  test(`checkParams rejects ${c.name} with its line`, () => {
    const [def] = parseMonitorToml(`[[monitor]]\nname="a"\nactions=[]\n[monitor.probe]\ntype="exec"\n${c.body}\n`, 'f.toml');
    assert.ok(def);
    assert.throws(() => checkParams(def.probe.params, SCHEMA, def.origin, 'monitor[0].probe'), (err: unknown) => {
      assert.ok(err instanceof GomaMonitorError);
      assert.equal(err.key, c.key);
      assert.match(err.message, c.message);
      assert.equal(err.line, c.line);
      return true;
    });
  });
}

test('JSON errors name the key; malformed JSON is an error, not a crash', () => {
  assert.throws(() => parseMonitorJson('{"name":"x","probe":{"type":"exec"},"actions":{}}'), /monitor\[0\]\.actions: expected a list/);
  assert.throws(() => parseMonitorJson('{'), GomaMonitorError);
});

test('parseMonitorJson throws only GomaMonitorError for arbitrary JSON values (fuzz)', () => {
  fc.assert(
    fc.property(fc.json(), (s) => {
      try { parseMonitorJson(s); } catch (err) { assert.ok(err instanceof GomaMonitorError, String(err)); }
    }),
    { numRuns: 1000 },
  );
});
