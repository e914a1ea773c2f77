import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifySchemaValidationError } from 'fastify';
import { OverseeError } from '../../errors.js';
import { fieldOf, toOverseeError, validationError } from './errors.js';
import { errorCode, errorMessage, startHarness, type Harness } from './test-support/harness.js';

function ajvError(instancePath: string, keyword: string, params: Record<string, unknown> = {}, message = 'is wrong'): FastifySchemaValidationError {
  return { instancePath, keyword, params, message, schemaPath: '#' };
}

describe('fieldOf', () => {
  const cases: [string, FastifySchemaValidationError, string][] = [
    ['a top-level field', ajvError('/limit', 'type'), 'limit'],
    ['a nested field with an index', ajvError('/services/2/name', 'type'), 'services[2].name'],
    ['a missing property', ajvError('', 'required', { missingProperty: 'name' }), 'name'],
    ['a missing nested property', ajvError('/services/0', 'required', { missingProperty: 'state' }), 'services[0].state'],
    ['an unknown property', ajvError('', 'additionalProperties', { additionalProperty: 'extra' }), 'extra'],
    ['the whole value', ajvError('', 'type'), 'body'],
    ['an escaped slash', ajvError('/a~1b', 'type'), 'a/b'],
  ];
  for (const [what, err, want] of cases) {
    it(`names ${what} as ${want}`, () => assert.equal(fieldOf(err, 'body'), want));
  }
});

describe('validationError', () => {
  it('words an enum error with its allowed values', () => {
    const e = validationError([ajvError('/state', 'enum', { allowedValues: ['OK', 'ERR'] })], 'querystring');
    assert.equal(e.code, 'OVS_ERR_VALIDATION');
    assert.equal(e.message, 'state: must be one of OK, ERR');
    assert.deepEqual(e.details, { field: 'state' });
  });
});

describe('toOverseeError', () => {
  const fastifyErrors: [string, object, string, number][] = [
    ['body too large', { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413, message: 'Request body is too large' }, 'OVS_ERR_BODY_TOO_LARGE', 413],
    ['unsupported media type', { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415, message: 'Unsupported Media Type' }, 'OVS_ERR_UNSUPPORTED_MEDIA_TYPE', 415],
    ['invalid JSON', { code: 'FST_ERR_CTP_INVALID_JSON_BODY', statusCode: 400, message: 'bad json' }, 'OVS_ERR_BAD_JSON', 400],
    ['another 4xx', { code: 'FST_SOMETHING', statusCode: 400, message: 'x' }, 'OVS_ERR_BAD_REQUEST', 400],
    ['a plain Error', new Error('secret detail'), 'OVS_ERR_INTERNAL', 500],
    ['a thrown string', { toString: () => 'x' }, 'OVS_ERR_INTERNAL', 500],
  ];
  for (const [what, err, code, status] of fastifyErrors) {
    it(`maps ${what} to ${code}`, () => {
      const e = toOverseeError(err);
      assert.equal(e.code, code);
      assert.equal(e.status, status);
    });
  }

  it('hides the message of unexpected errors', () => {
    assert.equal(toOverseeError(new Error('secret detail')).message, 'internal error');
  });

  it('passes an OverseeError through unchanged', () => {
    const e = new OverseeError('OVS_ERR_CONFLICT', 'taken');
    assert.equal(toOverseeError(e), e);
  });
});

describe('error answers of the plugin', () => {
  let h: Harness;
  before(async () => { h = await startHarness(); });
  after(async () => h.close());

  it('answers 413 OVS_ERR_BODY_TOO_LARGE to a body over the limit', async () => {
    const res = await h.app.inject({
      method: 'POST', url: '/api/v1/tokens', payload: JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024), role: 'viewer' }),
      headers: { authorization: `Bearer ${h.tokens.admin}`, 'content-type': 'application/json' },
    });
    assert.equal(res.statusCode, 413);
    assert.equal(errorCode(res.json()), 'OVS_ERR_BODY_TOO_LARGE');
    assert.equal(errorMessage(res.json()), 'body is larger than the limit of 1048576 bytes (setting server.body_limit, OVERSEE_BODY_LIMIT, --body-limit)');
  });

  it('answers 415 OVS_ERR_UNSUPPORTED_MEDIA_TYPE to a body that is not JSON', async () => {
    const res = await h.app.inject({
      method: 'POST', url: '/api/v1/tokens', payload: 'name=x',
      headers: { authorization: `Bearer ${h.tokens.admin}`, 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(res.statusCode, 415);
    assert.equal(errorCode(res.json()), 'OVS_ERR_UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers 503 OVS_ERR_UNAVAILABLE when the store is closed', async () => {
    const broken = await startHarness();
    await broken.store.close();
    const res = await broken.call('GET', '/api/v1/checks');
    assert.equal(res.status, 503);
    assert.equal(errorCode(res.body), 'OVS_ERR_UNAVAILABLE');
    await broken.close();
  });
});
