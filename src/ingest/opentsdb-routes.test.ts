import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, beforeEach, describe, it } from 'node:test';
import fc from 'fast-check';
import { appFixture, type AppFixture } from '../test-support/app-fixture.js';
import { RecordingSink } from './samples-test-support.js';

const JSON_HEADERS = { 'content-type': 'application/json' };
const point = (over: Record<string, unknown> = {}) => ({ metric: 'sys.cpu.user', timestamp: 1356998400, value: 42.5, tags: { host: 'web01' }, ...over });

describe('OpenTSDB POST /api/put', () => {
  let f: AppFixture;
  let projectId: number;
  const sink = new RecordingSink();
  before(async () => {
    f = await appFixture({ samples: sink });
    projectId = (await f.store.projects.getByName('default'))!.id;
  });
  after(async () => { await f.close(); });
  beforeEach(() => { sink.written = []; sink.failWith = null; });

  const put = (body: unknown, query = '', headers: Record<string, string> = JSON_HEADERS) =>
    f.app.inject({ method: 'POST', url: `/api/put${query}`, headers, payload: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body) });

  it('answers 204 with no body to a single point and stores it as a gauge in the default project (seconds → ms)', async () => {
    const r = await put(point());
    assert.equal(r.statusCode, 204);
    assert.equal(r.body, '');
    assert.deepEqual(sink.written, [{ projectId, samples: [{ name: 'sys.cpu.user', tags: { host: 'web01' }, timestampMs: 1356998400000, value: 42.5, type: 'gauge' }] }]);
  });

  it('takes an array, millisecond timestamps and numeric strings', async () => {
    const r = await put([point(), point({ timestamp: 1356998400123, value: '7' }), point({ tags: {} })]);
    assert.equal(r.statusCode, 204);
    assert.deepEqual(sink.all().map((s) => [s.timestampMs, s.value]), [[1356998400000, 42.5], [1356998400123, 7], [1356998400000, 42.5]]);
  });

  const answers: [string, string, number, unknown][] = [
    ['?summary, all good', '?summary', 200, { failed: 0, success: 2 }],
    ['?details, all good', '?details', 200, { errors: [], failed: 0, success: 2 }],
  ];
  for (const [what, query, status, body] of answers) {
    it(`answers ${status} ${JSON.stringify(body)} with ${what}`, async () => {
      const r = await put([point(), point()], query);
      assert.equal(r.statusCode, status);
      assert.deepEqual(r.json(), body);
    });
  }

  it('stores the good points of a mixed batch and answers 400 as OpenTSDB does (plain, ?summary, ?details)', async () => {
    const bad = point({ value: 'abc' });
    const plain = await put([point(), bad]);
    assert.equal(plain.statusCode, 400);
    assert.equal(plain.json().error.message, 'One or more data points had errors');
    assert.equal(sink.count(), 1);
    assert.deepEqual((await put([point(), bad], '?summary')).json(), { failed: 1, success: 1 });
    const details = await put([point(), bad, point({ metric: 'n'.repeat(300) })], '?details');
    assert.equal(details.statusCode, 400);
    assert.deepEqual(details.json().errors.map((e: { error: string }) => e.error), ['Unable to parse value to a number', 'name: longer than 256 characters']);
  });

  it('answers 400 "Unable to parse the given JSON" to a body that is not JSON, stores nothing', async () => {
    const r = await put('{"metric":');
    assert.equal(r.statusCode, 400);
    assert.deepEqual(r.json(), { error: { code: 400, message: 'Unable to parse the given JSON' } });
    assert.equal(sink.count(), 0);
  });

  it('accepts a gzip body and a body without a content type', async () => {
    const gz = await put(gzipSync(JSON.stringify([point()])), '', { ...JSON_HEADERS, 'content-encoding': 'gzip' });
    assert.equal(gz.statusCode, 204);
    const bare = await f.app.inject({ method: 'POST', url: '/api/put', payload: JSON.stringify(point()) });
    assert.equal(bare.statusCode, 204);
    assert.equal(sink.count(), 2);
    const broken = await put(Buffer.from('not gzip'), '', { ...JSON_HEADERS, 'content-encoding': 'gzip' });
    assert.equal(broken.statusCode, 400);
  });

  it('answers 5xx and acknowledges nothing when the store cannot make the points durable', async () => {
    sink.failWith = new Error('disk full');
    const r = await put([point()]);
    assert.equal(r.statusCode, 500);
  });

  it('fuzz: random bodies always get 204/200/400, and a refused body stores nothing', async () => {
    const dp = fc.record({
      metric: fc.oneof(fc.constant('m.x'), fc.string({ maxLength: 5 })), timestamp: fc.oneof(fc.integer(), fc.constant(1_600_000_000), fc.string({ maxLength: 3 })),
      value: fc.oneof(fc.double(), fc.string({ maxLength: 3 })), tags: fc.oneof(fc.dictionary(fc.string({ maxLength: 3 }), fc.string({ maxLength: 3 })), fc.constant(null)),
    }, { requiredKeys: [] });
    const body = fc.oneof(fc.array(dp, { maxLength: 5 }).map((a) => JSON.stringify(a)), dp.map((d) => JSON.stringify(d)), fc.string({ maxLength: 40 }));
    await fc.assert(fc.asyncProperty(body, fc.constantFrom('', '?summary', '?details'), async (payload, query) => {
      sink.written = [];
      const r = await put(payload, query);
      assert.ok([200, 204, 400].includes(r.statusCode), `${r.statusCode} for ${payload}`);
      if (r.statusCode === 204) return;
      let parsed: unknown;
      try { parsed = JSON.parse(payload); } catch { assert.equal(sink.count(), 0); return; }
      const success = r.statusCode === 200 || query !== '' ? (r.json() as { success: number }).success : null;
      if (success !== null) assert.equal(sink.count(), success, `stored exactly the points reported as success (${JSON.stringify(parsed)})`);
    }), { numRuns: 300 });
  });
});
