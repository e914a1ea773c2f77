import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import { loadConfig, resolveConfig } from './load.js';
import type { ConfigInput, ServerConfig } from './load.js';

const file = (text: string): { path: string; text: string } => ({ path: '/etc/oversee/oversee.toml', text });

test('defaults apply when no flag, env or file sets anything', () => {
  const c = resolveConfig({ cwd: '/work' });
  assert.deepEqual(
    { host: c.host, port: c.port, data: c.data, store: c.store, bodyLimit: c.bodyLimit, logLevel: c.logLevel,
      historyRetentionDays: c.historyRetentionDays, statsdPort: c.statsdPort, graphitePort: c.graphitePort, configFile: c.configFile, raw: c.raw },
    { host: '127.0.0.1', port: 5000, data: '/work/data', store: { kind: 'sqlite', path: '/work/data/oversee.db' }, bodyLimit: 1048576,
      logLevel: 'info', historyRetentionDays: 30, statsdPort: 8125, graphitePort: 2003, configFile: null, raw: {} },
  );
  assert.equal(c.origins.port, 'default');
});

test('precedence is flag over env over file over default, per setting', () => {
  const toml = '[server]\nport = 1111\nhost = "10.0.0.1"\nlog_level = "warn"\nstatsd_port = 9125\n';
  const cases: Array<{ name: string; input: Partial<ConfigInput>; want: Partial<ServerConfig> }> = [
    { name: 'file only', input: { file: file(toml) }, want: { port: 1111, host: '10.0.0.1', logLevel: 'warn', statsdPort: 9125 } },
    { name: 'env beats file', input: { file: file(toml), env: { OVERSEE_PORT: '2222', OVERSEE_LOG_LEVEL: 'debug' } }, want: { port: 2222, host: '10.0.0.1', logLevel: 'debug' } },
    { name: 'flag beats env and file', input: { file: file(toml), env: { OVERSEE_PORT: '2222' }, flags: { port: '3333' } }, want: { port: 3333, host: '10.0.0.1' } },
    { name: 'empty env value counts as unset', input: { file: file(toml), env: { OVERSEE_PORT: '' } }, want: { port: 1111 } },
    { name: 'flag without file or env', input: { flags: { host: '0.0.0.0', bodyLimit: '2MiB' } }, want: { host: '0.0.0.0', bodyLimit: 2097152, port: 5000 } },
  ];
  for (const { name, input, want } of cases) {
    const c = resolveConfig({ cwd: '/work', ...input });
    for (const [k, v] of Object.entries(want)) assert.deepEqual(c[k as keyof ServerConfig], v, `${name}: ${k}`);
  }
  const c = resolveConfig({ cwd: '/work', file: file(toml), env: { OVERSEE_PORT: '2222' }, flags: { host: '::' } });
  assert.deepEqual([c.origins.host, c.origins.port, c.origins.logLevel, c.origins.data], ['flag', 'env', 'file', 'default']);
});

test('relative paths from the file resolve against its directory, from flags and env against the working directory', () => {
  const fromFile = resolveConfig({ cwd: '/work', file: file('[server]\ndata = "var"\nstore = "db/o.db"\n') });
  assert.equal(fromFile.data, '/etc/oversee/var');
  assert.deepEqual(fromFile.store, { kind: 'sqlite', path: '/etc/oversee/db/o.db' });
  const fromEnv = resolveConfig({ cwd: '/work', env: { OVERSEE_DATA: 'd2' } });
  assert.equal(fromEnv.data, '/work/d2');
  assert.deepEqual(fromEnv.store, { kind: 'sqlite', path: '/work/d2/oversee.db' });
});

test('every kind of bad setting stops with a ConfigError naming the key as the user wrote it', () => {
  const cases: Array<{ input: Partial<ConfigInput>; key: string; message: string }> = [
    { input: { file: file('[server]\nport = "abc"\n') }, key: 'server.port', message: 'config: server.port: must be an integer 0-65535, got "abc"' },
    { input: { env: { OVERSEE_PORT: 'abc' } }, key: 'OVERSEE_PORT', message: 'config: OVERSEE_PORT: must be an integer 0-65535, got "abc"' },
    { input: { flags: { port: '70000' } }, key: '--port', message: 'config: --port: must be an integer 0-65535, got "70000"' },
    { input: { env: { OVERSEE_BODY_LIMIT: 'huge' } }, key: 'OVERSEE_BODY_LIMIT', message: 'config: OVERSEE_BODY_LIMIT: must be a size in bytes from 1024 to 1073741824 (e.g. 1048576, "512KiB", "1MiB"), got "huge"' },
    { input: { flags: { logLevel: 'loud' } }, key: '--log-level', message: 'config: --log-level: must be one of fatal, error, warn, info, debug, trace, silent, got "loud"' },
    { input: { file: file('[server]\nhistory_retention_days = -1\n') }, key: 'server.history_retention_days', message: 'config: server.history_retention_days: must be an integer 0-36500, got -1' },
    { input: { file: file('[server]\nstatsd_port = 99999\n') }, key: 'server.statsd_port', message: 'config: server.statsd_port: must be an integer 0-65535, got 99999' },
    { input: { env: { OVERSEE_GRAPHITE_PORT: 'x' } }, key: 'OVERSEE_GRAPHITE_PORT', message: 'config: OVERSEE_GRAPHITE_PORT: must be an integer 0-65535, got "x"' },
    { input: { env: { OVERSEE_HOST: 'a b' } }, key: 'OVERSEE_HOST', message: 'config: OVERSEE_HOST: must be a host name or IP address (e.g. 127.0.0.1, 0.0.0.0, ::), got "a b"' },
    { input: { flags: { store: 'postgres://u@db/oversee?schema=A' } }, key: '--store', message: 'config: --store: ?schema= must be a lower-case identifier ([a-z_][a-z0-9_]*, at most 63), got "A"' },
    { input: { file: file('[server]\nprot = 1\n') }, key: 'server.prot', message: 'config: server.prot: unknown setting (known: host, port, data, store, body_limit, log_level, history_retention_days, statsd_port, graphite_port, trust_proxy)' },
    { input: { file: file('[server]\nbodyLimit = 1\n') }, key: 'server.bodyLimit', message: 'config: server.bodyLimit: unknown setting; did you mean "body_limit"?' },
    { input: { file: file('port = 1\n') }, key: 'port', message: 'config: port: unknown section or key at the top level (known: server, metrics, alerting, channels, routes, silences, oddeye, limits)' },
    { input: { file: file('[servers]\nport = 1\n') }, key: 'servers', message: 'config: servers: unknown section or key at the top level (known: server, metrics, alerting, channels, routes, silences, oddeye, limits)' },
    { input: { file: file('server = 5\n') }, key: 'server', message: 'config: server: must be a table ([server]), got 5' },
  ];
  for (const { input, key, message } of cases) {
    assert.throws(() => resolveConfig({ cwd: '/work', ...input }), (err: unknown) => {
      assert.ok(err instanceof ConfigError, `${key}: ${String(err)}`);
      assert.equal(err.key, key);
      assert.equal(err.message, message);
      return true;
    });
  }
});

test('invalid TOML names the file and the position', () => {
  assert.throws(() => resolveConfig({ cwd: '/', file: file('[server]\nport = \n') }), (err: unknown) =>
    err instanceof ConfigError && err.key === '/etc/oversee/oversee.toml' && /not valid TOML at line 2, column \d+/.test(err.message));
});

test('sections owned by other modules pass through raw and untouched', () => {
  const toml = [
    '[server]', 'port = 5001',
    '[alerting]', 'reminder = "1h"',
    '[[channels]]', 'name = "ops"', 'type = "webhook"', 'url = "http://x"',
    '[[routes]]', 'channel = "ops"',
    '[[silences]]', 'match = "db"',
  ].join('\n');
  const c = resolveConfig({ cwd: '/', file: file(toml) });
  assert.equal(c.port, 5001);
  assert.deepEqual(JSON.parse(JSON.stringify(c.raw)), {
    alerting: { reminder: '1h' },
    channels: [{ name: 'ops', type: 'webhook', url: 'http://x' }], routes: [{ channel: 'ops' }], silences: [{ match: 'db' }],
  });
  assert.deepEqual(resolveConfig({ cwd: '/', file: file('[server]\n') }).raw, {});
});

test('loadConfig reads the file named by --config or OVERSEE_CONFIG, the flag winning', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'oversee-config-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'a.toml'), '[server]\nport = 6001\n');
  await writeFile(join(dir, 'b.toml'), '[server]\nport = 6002\n');
  assert.equal((await loadConfig({ cwd: dir, env: { OVERSEE_CONFIG: 'b.toml' } })).port, 6002);
  const both = await loadConfig({ cwd: dir, configFlag: 'a.toml', env: { OVERSEE_CONFIG: 'b.toml' } });
  assert.equal(both.port, 6001);
  assert.equal(both.configFile, join(dir, 'a.toml'));
  await assert.rejects(loadConfig({ cwd: dir, configFlag: 'missing.toml' }), (err: unknown) =>
    err instanceof ConfigError && err.key === '--config' && err.message.includes('cannot read config file') && err.message.includes('ENOENT'));
});
