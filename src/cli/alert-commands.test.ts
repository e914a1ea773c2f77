// The pure parts of the alerting commands: durations, --match, tables, and where URL and token come from.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Command } from 'commander';
import { DEFAULT_URL, formatTable, formatTime, parseDuration, parseMatch, resolveApiConnection } from './alert-commands.js';
import { CliError } from './main.js';

describe('alert commands: parsing', () => {
  const durations: Array<[string, number]> = [['90', 90], ['45s', 45], ['30m', 1800], ['2h', 7200], ['1d', 86_400], ['1h30m', 5400], ['1w', 604_800]];
  for (const [raw, seconds] of durations) {
    test(`--for ${raw} is ${seconds} s`, () => assert.equal(parseDuration(raw), seconds));
  }
  for (const raw of ['', 'soon', '2x', '1h 30m', '-1h', '0m', 'h']) {
    test(`--for ${JSON.stringify(raw)} is refused with exit code 2`, () => {
      assert.throws(() => parseDuration(raw), (e: unknown) => e instanceof CliError && e.exitCode === 2);
    });
  }

  const matches: Array<[string, { host: string; check: string }]> = [
    ['db-*:backup', { host: 'db-*', check: 'backup' }], ['web1', { host: 'web1', check: '*' }], ['*:disk*', { host: '*', check: 'disk*' }],
  ];
  for (const [raw, expected] of matches) {
    test(`--match ${raw} is host ${expected.host}, check ${expected.check}`, () => assert.deepEqual(parseMatch(raw), expected));
  }
  for (const raw of ['', ':x', 'x:']) {
    test(`--match ${JSON.stringify(raw)} is refused`, () => assert.throws(() => parseMatch(raw), CliError));
  }
});

describe('alert commands: output', () => {
  test('a table aligns every column but the last', () => {
    assert.equal(formatTable(['ID', 'NAME', 'NOTE'], [['1', 'a', 'x y'], ['10', 'long-name', '']]), 'ID  NAME       NOTE\n1   a          x y\n10  long-name\n');
  });

  test('times are UTC to the second; null is a dash', () => {
    assert.equal(formatTime(Date.UTC(2026, 0, 5, 22, 0, 7, 123)), '2026-01-05 22:00:07Z');
    assert.equal(formatTime(null), '-');
  });
});

describe('alert commands: connection', () => {
  const program = (args: string[]): Command => {
    const p = new Command().option('-s, --server <url>').exitOverride();
    p.parse(args, { from: 'user' });
    return p;
  };
  const cases: Array<[string, string[], { url?: string; token?: string }, NodeJS.ProcessEnv, { url: string; token: string }]> = [
    ['--url first', ['-s', 'http://s:1'], { url: 'http://u:1/', token: 't' }, { OVERSEE_URL: 'http://e:1' }, { url: 'http://u:1', token: 't' }],
    ['then -s', ['-s', 'http://s:1'], { token: 't' }, { OVERSEE_URL: 'http://e:1' }, { url: 'http://s:1', token: 't' }],
    ['then OVERSEE_URL and OVERSEE_TOKEN', [], {}, { OVERSEE_URL: 'http://e:1', OVERSEE_TOKEN: 'env' }, { url: 'http://e:1', token: 'env' }],
    ['then the default', [], { token: 't' }, {}, { url: DEFAULT_URL, token: 't' }],
  ];
  for (const [what, args, opts, env, expected] of cases) {
    test(`URL and token: ${what}`, () => assert.deepEqual(resolveApiConnection(program(args), opts, env), expected));
  }

  test('no token, or a URL that is not http(s), is refused with exit code 2', () => {
    for (const [opts, message] of [[{}, /no API token/], [{ url: 'ftp://x', token: 't' }, /--url must be an http/]] as const) {
      assert.throws(() => resolveApiConnection(program([]), opts, {}), (e: unknown) => e instanceof CliError && e.exitCode === 2 && message.test(e.message));
    }
  });
});
