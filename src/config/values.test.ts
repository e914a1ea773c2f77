import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BadValue, parseBytes, parseChoice, parseHost, parseIntInRange, parsePath, parseStore } from './values.js';

test('parseIntInRange accepts integers and integer strings within range', () => {
  const cases: Array<[unknown, number]> = [[0, 0], [5000, 5000], ['65535', 65535], [' 42 ', 42], ['+7', 7], [1.0, 1]];
  for (const [input, want] of cases) assert.equal(parseIntInRange(input, 0, 65535), want, String(input));
});

test('parseIntInRange rejects non-integers and out-of-range values, quoting what it got', () => {
  const cases: Array<[unknown, string]> = [
    ['abc', 'must be an integer 0-65535, got "abc"'],
    [70000, 'must be an integer 0-65535, got 70000'],
    [-1, 'must be an integer 0-65535, got -1'],
    [1.5, 'must be an integer 0-65535, got 1.5'],
    ['1.5', 'must be an integer 0-65535, got "1.5"'],
    ['', 'must be an integer 0-65535, got ""'],
    [true, 'must be an integer 0-65535, got true'],
    [[1], 'must be an integer 0-65535, got an array'],
    [{ a: 1 }, 'must be an integer 0-65535, got a table'],
  ];
  for (const [input, message] of cases) {
    assert.throws(() => parseIntInRange(input, 0, 65535), (err: unknown) => err instanceof BadValue && err.message === message, String(input));
  }
});

test('parseBytes understands plain numbers and binary units', () => {
  const cases: Array<[unknown, number]> = [
    [1048576, 1048576], ['2048', 2048], ['512KiB', 524288], ['512k', 524288], ['1MiB', 1048576],
    ['1mb', 1048576], ['1.5M', 1572864], ['1 GiB', 1073741824], ['4096b', 4096],
  ];
  for (const [input, want] of cases) assert.equal(parseBytes(input, 1024, 1024 ** 3), want, String(input));
});

test('parseBytes rejects unknown units, negative sizes and sizes out of range', () => {
  for (const input of ['1TB', '-5', 'lots', 1023, '2GiB', 0, 1.5, null]) {
    assert.throws(() => parseBytes(input, 1024, 1024 ** 3), BadValue, String(input));
  }
});

test('parseChoice is case-insensitive and lists the choices on error', () => {
  assert.equal(parseChoice('DEBUG', ['info', 'debug'] as const), 'debug');
  assert.throws(() => parseChoice('loud', ['info', 'debug'] as const), { message: 'must be one of info, debug, got "loud"' });
  assert.throws(() => parseChoice(3, ['info'] as const), BadValue);
});

test('parseHost accepts names and addresses and strips IPv6 brackets', () => {
  const cases: Array<[string, string]> = [['127.0.0.1', '127.0.0.1'], ['localhost', 'localhost'], ['::', '::'], ['[::1]', '::1'], ['0.0.0.0', '0.0.0.0']];
  for (const [input, want] of cases) assert.equal(parseHost(input), want);
  for (const bad of ['', 'a b', 'http://x', 5]) assert.throws(() => parseHost(bad), BadValue, String(bad));
});

test('parsePath makes relative paths absolute against the base directory', () => {
  assert.equal(parsePath('data', '/srv/oversee'), '/srv/oversee/data');
  assert.equal(parsePath('/var/lib/oversee', '/srv'), '/var/lib/oversee');
  for (const bad of ['', '  ', 3]) assert.throws(() => parsePath(bad, '/'), BadValue, String(bad));
});

test('parseStore takes SQLite paths and PostgreSQL URLs with an optional schema', () => {
  const cases: Array<[string, string]> = [
    ['db/x.db', '/base/db/x.db'], ['/abs/x.db', '/abs/x.db'], ['sqlite:x.db', '/base/x.db'], ['sqlite:///abs/x.db', '/abs/x.db'],
  ];
  for (const [input, want] of cases) assert.deepEqual(parseStore(input, '/base'), { kind: 'sqlite', path: want }, input);
  assert.deepEqual(parseStore('postgres://u@h/db', '/base'), { kind: 'postgres', url: 'postgres://u@h/db', schema: 'public', poolSize: 16, path: 'postgres://u@h/db' });
  assert.deepEqual(parseStore('postgresql://u:secret@h:5433/db?schema=ovs&sslmode=disable&pool=30', '/base'),
    { kind: 'postgres', url: 'postgresql://u:secret@h:5433/db?sslmode=disable', schema: 'ovs', poolSize: 30, path: 'postgresql://u:***@h:5433/db?sslmode=disable' });
  assert.throws(() => parseStore('postgres://h/db?pool=1', '/base'), /pool= must be a whole number of connections from 2 to 200/);
  assert.throws(() => parseStore('postgres://h/db?schema=Bad-Name', '/base'), /schema= must be a lower-case identifier/);
  assert.throws(() => parseStore('mysql://h/db', '/base'), /unsupported URL scheme "mysql"/);
});
