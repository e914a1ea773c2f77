import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { openTsdbPutAnswer, openTsdbTimestampMs, parseOpenTsdbBody, putOpenTsdbPoints, putOpenTsdbText } from './opentsdb.js';

interface Got { metric: string; tags: Record<string, string>; ts: number; value: number }
function collect(body: unknown): { got: Got[]; r: ReturnType<typeof putOpenTsdbPoints> } {
  const got: Got[] = [];
  const r = putOpenTsdbPoints(body, (metric, tags, ts, value) => { got.push({ metric, tags, ts, value }); });
  return { got, r };
}

import { CASES, ok } from './opentsdb-test-cases.js';

for (const c of CASES) {
  test(`opentsdb point: ${c.name}`, () => {
    const { got, r } = collect(c.dp);
    if (c.error === null) {
      assert.equal(r.success, 1);
      assert.equal(got.length, 1);
    } else {
      assert.deepEqual(r, { success: 0, failed: 1, errors: [{ datapoint: c.dp, error: c.error }] });
      assert.equal(got.length, 0);
    }
  });
}

test('timestamps: seconds become ms, ms stay ms', () => {
  assert.equal(openTsdbTimestampMs(1346846400), 1346846400000);
  assert.equal(openTsdbTimestampMs(1346846400123), 1346846400123);
  assert.equal(openTsdbTimestampMs(-5), null);
});

test('an array keeps its good points and reports each bad one', () => {
  const body = [ok, { ...ok, value: 'x' }, { ...ok, timestamp: 1346846410 }];
  const { got, r } = collect(body);
  assert.equal(got.length, 2);
  assert.equal(got[0]!.ts, 1346846400000);
  assert.deepEqual(got[0]!.tags, { host: 'web01', dc: 'lga' });
  assert.deepEqual(openTsdbPutAnswer(r, { summary: true }), { status: 400, body: { failed: 1, success: 2 } });
  assert.deepEqual(openTsdbPutAnswer(r, { details: true }).body, { errors: [{ datapoint: body[1], error: 'Unable to parse value to a number' }], failed: 1, success: 2 });
  assert.equal(openTsdbPutAnswer(r, {}).status, 400);
});

test('answers 204 without a body when everything was stored', () => {
  assert.deepEqual(openTsdbPutAnswer({ success: 3, failed: 0, errors: [] }, {}), { status: 204, body: null });
  assert.deepEqual(openTsdbPutAnswer({ success: 3, failed: 0, errors: [] }, { summary: true }), { status: 200, body: { failed: 0, success: 3 } });
});

test('an error returned by the sink counts the point as failed', () => {
  const r = putOpenTsdbPoints([ok, ok], () => 'too old');
  assert.equal(r.failed, 2);
  assert.equal(r.errors[0]!.error, 'too old');
});

test('bad JSON text is recognised', () => {
  assert.equal(parseOpenTsdbBody('{"metric":'), null);
  assert.deepEqual(parseOpenTsdbBody('[]'), { body: [] });
});

test('fuzz: never throws, counts add up, and the sink only sees complete valid points', () => {
  const dp = fc.oneof(fc.anything(), fc.record({
    metric: fc.oneof(fc.string(), fc.constant('sys.cpu'), fc.integer()),
    timestamp: fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 12 })),
    value: fc.oneof(fc.double(), fc.string({ maxLength: 6 }), fc.constant(null)),
    tags: fc.oneof(fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(fc.string({ maxLength: 5 }), fc.integer())), fc.anything()),
  }, { requiredKeys: [] }));
  fc.assert(fc.property(fc.oneof(dp, fc.array(dp, { maxLength: 5 })), (body) => {
    const { got, r } = collect(body);
    assert.equal(r.success + r.failed, Array.isArray(body) ? body.length : 1);
    assert.equal(got.length, r.success);
    for (const g of got) {
      assert.ok(g.metric.length > 0 && Number.isFinite(g.value) && Number.isInteger(g.ts) && g.ts > 0);
      for (const v of Object.values(g.tags)) assert.equal(typeof v, 'string');
    }
  }), { numRuns: 2000 });
});

test('putOpenTsdbText: null for text that is not JSON, the points otherwise', () => {
  assert.equal(putOpenTsdbText('[{"metric":', () => undefined), null);
  const got: string[] = [];
  assert.deepEqual(putOpenTsdbText('[{"metric":"a\\u002eb","timestamp":1,"value":2,"tags":{"h":"x"}}]', (m) => { got.push(m); }), { success: 1, failed: 0, errors: [] });
  assert.deepEqual(got, ['a.b']);
});

test('a tag named __proto__ is refused rather than silently lost', () => {
  const { got, r } = collect(JSON.parse('{"metric":"m","timestamp":1,"value":1,"tags":{"__proto__":"x"}}'));
  assert.equal(got.length, 0);
  assert.match(r.errors[0]!.error, /__proto__/);
});
