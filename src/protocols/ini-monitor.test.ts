import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseIniMonitorConfig, schedulingIntervalS, IniMonitorError } from './ini-monitor.js';

test('parses the overcli example with an [overc] section, comments and both separators', () => {
  const cfg = parseIniMonitorConfig(
    [
      '# monitor config',
      '[overc]',
      'server = http://localhost:5000/',
      'my-name: web1',
      'my-key = 1234',
      '',
      '[service:app]',
      'period=60',
      'command=./plugin.d/app.sh "httpd"',
      '; another',
      '[service:echo]',
      'PERIOD = 5',
      'command = echo 1',
      'max-lag = 1.5',
      'timeout = 3',
    ].join('\n'),
    'm.ini',
  );
  assert.deepEqual(cfg.overc, { server: 'http://localhost:5000/', name: 'web1', key: '1234' });
  assert.deepEqual(cfg.services, [
    { name: 'app', period: 60, command: './plugin.d/app.sh "httpd"', maxLag: 0, timeout: undefined, line: 7 },
    { name: 'echo', period: 5, command: 'echo 1', maxLag: 1.5, timeout: 3, line: 11 },
  ]);
});

test('an indented line continues the previous value (ConfigParser rule)', () => {
  const cfg = parseIniMonitorConfig('[service:x]\nperiod=10\ncommand=echo a\n  && echo b\n');
  assert.equal(cfg.services[0]?.command, 'echo a\n&& echo b');
});

const BAD: Array<{ name: string; text: string; line: number | undefined; key: string | undefined; message: RegExp }> = [
  { name: 'unknown key in a service', text: '[service:a]\nperiod=10\ncommand=true\nperiodd=3\n', line: 4, key: '[service:a] periodd', message: /unknown key/ },
  { name: 'unknown section', text: '[services:a]\nperiod=1\n', line: 1, key: undefined, message: /unknown section/ },
  { name: 'missing period', text: '[service:a]\ncommand=true\n', line: 1, key: '[service:a] period', message: /missing required/ },
  { name: 'missing command', text: '[service:a]\nperiod=5\n', line: 1, key: '[service:a] command', message: /missing required/ },
  { name: 'period not a number', text: '[service:a]\nperiod=ten\ncommand=true\n', line: 2, key: '[service:a] period', message: /positive number/ },
  { name: 'period zero', text: '[service:a]\nperiod=0\ncommand=true\n', line: 2, key: '[service:a] period', message: /positive number/ },
  { name: 'negative max-lag', text: '[service:a]\nperiod=5\ncommand=true\nmax-lag=-1\n', line: 4, key: '[service:a] max-lag', message: /non-negative/ },
  { name: 'unknown overc key', text: '[overc]\nserver=x\nname=y\n', line: 3, key: '[overc] name', message: /unknown key/ },
  { name: 'key before any section', text: 'period=5\n', line: 1, key: 'period', message: /outside/ },
  { name: 'duplicate section', text: '[service:a]\nperiod=5\ncommand=x\n[service:a]\n', line: 4, key: undefined, message: /duplicate section/ },
  { name: 'garbage line', text: '[service:a]\njust words\n', line: 2, key: undefined, message: /cannot parse/ },
];

for (const c of BAD) {
  test(`rejects ${c.name}, naming file, line and key`, () => {
    assert.throws(() => parseIniMonitorConfig(c.text, '/etc/m.ini'), (err: unknown) => {
      assert.ok(err instanceof IniMonitorError);
      assert.equal(err.file, '/etc/m.ini');
      assert.equal(err.line, c.line);
      assert.equal(err.key, c.key);
      assert.match(err.message, c.message);
      assert.ok(err.message.startsWith(`/etc/m.ini${c.line !== undefined ? `:${c.line}` : ''}`));
      return true;
    });
  });
}

test('scheduling interval is period×0.8 − max-lag, never below one second', () => {
  const table: Array<[number, number, number]> = [[60, 0, 48], [60, 8, 40], [10, 0, 8], [1, 0, 1], [5, 10, 1]];
  for (const [period, maxLag, want] of table) assert.equal(schedulingIntervalS({ period, maxLag }), want);
});

test('parser either returns a config or throws IniMonitorError for any text (fuzz)', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (s) => {
      try {
        parseIniMonitorConfig(s);
      } catch (err) {
        assert.ok(err instanceof IniMonitorError, String(err));
      }
    }),
    { numRuns: 2000 },
  );
});
