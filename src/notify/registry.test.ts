import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OverseeError } from '../errors.js';
import { NOTIFIERS, parseChannel, redactedConfig } from './registry.js';

test('every registered notifier is keyed by its own type name', () => {
  for (const [key, n] of Object.entries(NOTIFIERS)) assert.equal(n.type, key);
  assert.deepEqual(Object.keys(NOTIFIERS).sort(), ['email', 'exec', 'slack', 'webhook']);
});

const rejects: Array<{ raw: unknown; field: string }> = [
  { raw: null, field: 'channel' },
  { raw: { type: 'webhook', url: 'http://x/' }, field: 'name' },
  { raw: { name: 'has space', type: 'webhook', url: 'http://x/' }, field: 'name' },
  { raw: { name: 'ops', type: 'pager' }, field: 'type' },
  { raw: { name: 'ops', type: 'webhook' }, field: 'url' },
];
for (const { raw, field } of rejects) {
  test(`parseChannel rejects ${JSON.stringify(raw)} naming ${field}`, () => {
    assert.throws(() => parseChannel(raw), (e: unknown) => e instanceof OverseeError && e.details?.field === field);
  });
}

test('parseChannel hands type-specific fields to the notifier and ignores enabled', () => {
  const ch = parseChannel({ name: 'ops', type: 'webhook', url: 'http://x/', secret: 'k', enabled: false });
  assert.equal(ch.name, 'ops');
  assert.equal(ch.type, 'webhook');
  assert.deepEqual(ch.config, { url: 'http://x/', headers: {}, secret: 'k', timeoutMs: null });
});

test('redactedConfig hides secrets of every type', () => {
  assert.equal(redactedConfig(parseChannel({ name: 'w', type: 'webhook', url: 'http://x/', secret: 'k' })).secret, '***');
  assert.equal(redactedConfig(parseChannel({ name: 'm', type: 'email', host: 'h', from: 'a@b.c', to: 'x@y.z', user: 'u', password: 'p' })).password, '***');
  assert.equal(redactedConfig(parseChannel({ name: 's', type: 'slack', url: 'https://hooks.slack.com/T/B/x' })).url, '***');
  assert.equal(redactedConfig(parseChannel({ name: 'w2', type: 'webhook', url: 'http://x/' })).secret, null);
  assert.deepEqual(redactedConfig(parseChannel({ name: 'w3', type: 'webhook', url: 'http://x/', headers: { Authorization: 'Bearer s3cr3t' } })).headers,
    { Authorization: '***' });
});
