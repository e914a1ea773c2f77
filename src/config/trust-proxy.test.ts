// The trust_proxy setting: off by default, set from the file (boolean or string), env or flag with the
// usual precedence, and a bad value stops start-up naming the key as written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../errors.js';
import { resolveConfig } from './load.js';

const file = (text: string): { path: string; text: string } => ({ path: '/etc/oversee/oversee.toml', text });

test('trust_proxy is false unless set, and follows flag > env > file', () => {
  assert.equal(resolveConfig({ cwd: '/w' }).trustProxy, false);
  assert.equal(resolveConfig({ cwd: '/w', file: file('[server]\ntrust_proxy = true\n') }).trustProxy, true);
  assert.equal(resolveConfig({ cwd: '/w', file: file('[server]\ntrust_proxy = "true"\n') }).trustProxy, true);
  assert.equal(resolveConfig({ cwd: '/w', file: file('[server]\ntrust_proxy = true\n'), env: { OVERSEE_TRUST_PROXY: 'false' } }).trustProxy, false);
  const c = resolveConfig({ cwd: '/w', env: { OVERSEE_TRUST_PROXY: 'false' }, flags: { trustProxy: 'TRUE' } });
  assert.equal(c.trustProxy, true);
  assert.equal(c.origins.trustProxy, 'flag');
});

test('a bad trust_proxy value names the key the way it was written', () => {
  const cases: Array<[Parameters<typeof resolveConfig>[0], string]> = [
    [{ cwd: '/w', file: file('[server]\ntrust_proxy = 1\n') }, 'config: server.trust_proxy: must be one of true, false, got 1'],
    [{ cwd: '/w', env: { OVERSEE_TRUST_PROXY: 'yes' } }, 'config: OVERSEE_TRUST_PROXY: must be one of true, false, got "yes"'],
    [{ cwd: '/w', flags: { trustProxy: 'on' } }, 'config: --trust-proxy: must be one of true, false, got "on"'],
  ];
  for (const [input, message] of cases) {
    assert.throws(() => resolveConfig(input), (err: unknown) => err instanceof ConfigError && err.message === message, message);
  }
});
