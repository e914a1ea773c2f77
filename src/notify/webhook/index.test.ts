import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { OverseeError } from '../../errors.js';
import { sampleMessage, startHttpReceiver, type HttpReceiver } from '../testing.js';
import { DeliveryError, isPermanentFailure } from '../types.js';
import { webhook, webhookSignature } from './index.js';

const ctx = { fetch, timeoutMs: 2000 };

describe('webhook channel', () => {
  let rx: HttpReceiver;
  before(async () => { rx = await startHttpReceiver(); });
  after(async () => { await rx.close(); });

  test('POSTs the message as JSON with configured headers and a verifiable HMAC-SHA256 signature', async () => {
    rx.respond(200);
    const config = webhook.parseConfig({ url: rx.url, headers: { Authorization: 'Bearer t0k' }, secret: 's3cret' });
    await webhook.send(config, sampleMessage(), ctx);
    const req = rx.requests.at(-1);
    assert.ok(req);
    assert.equal(req.method, 'POST');
    assert.equal(req.headers['content-type'], 'application/json');
    assert.equal(req.headers.authorization, 'Bearer t0k');
    const expected = `sha256=${createHmac('sha256', 's3cret').update(req.body).digest('hex')}`;
    assert.equal(req.headers['x-oversee-signature'], expected);
    const body = JSON.parse(req.body) as { version: number; state: string; host: string; events: Array<{ key: string; checkName: string }> };
    assert.equal(body.version, 1);
    assert.equal(body.state, 'ERR');
    assert.equal(body.host, 'web1');
    assert.deepEqual(body.events.map((e) => [e.key, e.checkName]), [['flip:1', 'disk']]);
  });

  test('sends no signature header without a secret', async () => {
    await webhook.send(webhook.parseConfig({ url: rx.url }), sampleMessage(), ctx);
    assert.equal(rx.requests.at(-1)?.headers['x-oversee-signature'], undefined);
  });

  const failures: Array<{ status: number; permanent: boolean }> = [
    { status: 404, permanent: true },
    { status: 410, permanent: true },
    { status: 401, permanent: true },
    { status: 403, permanent: true },
    { status: 500, permanent: false },
    { status: 503, permanent: false },
    { status: 429, permanent: false },
  ];
  for (const { status, permanent } of failures) {
    test(`an answer ${status} is a ${permanent ? 'permanent' : 'transient'} failure`, async () => {
      rx.respond(status);
      const err = await webhook.send(webhook.parseConfig({ url: rx.url }), sampleMessage(), ctx).then(() => null, (e: unknown) => e);
      assert.ok(err instanceof DeliveryError);
      assert.match(err.message, new RegExp(`HTTP ${status}`));
      assert.equal(isPermanentFailure(err), permanent);
      rx.respond(200);
    });
  }

  test('a receiver slower than the timeout is a transient failure', async () => {
    rx.respond(200, 1000);
    const config = webhook.parseConfig({ url: rx.url, timeout_ms: 150 });
    const err = await webhook.send(config, sampleMessage(), ctx).then(() => null, (e: unknown) => e);
    rx.respond(200);
    assert.ok(err instanceof DeliveryError);
    assert.match(err.message, /timed out/);
    assert.equal(err.permanent, false);
  });

  test('a refused connection is a transient failure', async () => {
    const err = await webhook.send(webhook.parseConfig({ url: 'http://127.0.0.1:1/x' }), sampleMessage(), ctx).then(() => null, (e: unknown) => e);
    assert.ok(err instanceof DeliveryError);
    assert.equal(err.permanent, false);
  });
});

describe('webhook config validation names the field', () => {
  const cases: Array<{ raw: Record<string, unknown>; field: string }> = [
    { raw: {}, field: 'url' },
    { raw: { url: 'ftp://x/' }, field: 'url' },
    { raw: { url: 'not a url' }, field: 'url' },
    { raw: { url: 'http://x/', headers: { 'X-A': 1 } }, field: 'headers.X-A' },
    { raw: { url: 'http://x/', headers: { 'Content-Type': 'text/plain' } }, field: 'headers.Content-Type' },
    { raw: { url: 'http://x/', secret: '' }, field: 'secret' },
    { raw: { url: 'http://x/', timeout_ms: 5 }, field: 'timeout_ms' },
    { raw: { url: 'http://x/', hedaers: {} }, field: 'hedaers' },
  ];
  for (const { raw, field } of cases) {
    test(`rejects ${JSON.stringify(raw)} naming ${field}`, () => {
      assert.throws(() => webhook.parseConfig(raw), (e: unknown) => e instanceof OverseeError && e.details?.field === field);
    });
  }
});

test('webhookSignature is the documented sha256=<hex> form', () => {
  assert.equal(webhookSignature('k', 'body'), `sha256=${createHmac('sha256', 'k').update('body').digest('hex')}`);
});
