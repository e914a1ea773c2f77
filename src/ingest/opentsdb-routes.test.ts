import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { AppFixture } from '../test-support/app-fixture.js';
import { appFixture } from '../test-support/app-fixture.js';
import type { Tsdb } from '../tsdb/index.js';
import { OpenTsdbParserPool } from './opentsdb-parser-pool.js';
import { OPENTSDB_WORKER_MIN_BYTES, openTsdbRoutes } from './opentsdb-routes.js';
import { metricsAppFixture, RecordingSink, storedPoints } from './samples-test-support.js';

const JSON_HEADERS = { 'content-type': 'application/json' };
/** Within the tsdb's raw retention at the fixture's clock (1.7e12 ms). */
const T_S = 1_699_999_000;
const T_MS = T_S * 1000;
const point = (over: Record<string, unknown> = {}) => ({ metric: 'sys.cpu.user', timestamp: T_S, value: 42.5, tags: { host: 'web01' }, ...over });

describe('OpenTSDB POST /api/put', () => {
  let f: AppFixture & { tsdb: Tsdb };
  let projectId: number;
  before(async () => {
    f = await metricsAppFixture();
    projectId = (await f.store.projects.getByName('default'))!.id;
  });
  after(async () => { await f.close(); });

  const put = (body: unknown, query = '', headers: Record<string, string> = JSON_HEADERS) =>
    f.app.inject({ method: 'POST', url: `/api/put${query}`, headers, payload: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body) });
  const stored = (name: string) => storedPoints(f.tsdb, projectId, name, T_MS - 60_000, T_MS + 60_000);
  const seriesCount = () => f.tsdb.series({ projectId }).length;

  it('answers 204 with no body to a single point and stores it durably in the default project (seconds → ms)', async () => {
    const r = await put(point({ metric: 'a.single' }));
    assert.equal(r.statusCode, 204);
    assert.equal(r.body, '');
    assert.deepEqual(await stored('a.single'), [[{ host: 'web01' }, T_MS, 42.5]]);
    assert.equal(f.tsdb.series({ projectId, namePrefix: 'a.single' })[0]?.type, 'gauge');
  });

  it('takes an array, millisecond timestamps and numeric strings', async () => {
    const r = await put([point({ metric: 'b.arr' }), point({ metric: 'b.arr', timestamp: T_MS + 2000, value: '7' }), point({ metric: 'b.arr', tags: {} })]);
    assert.equal(r.statusCode, 204);
    assert.deepEqual(await stored('b.arr'), [[{ host: 'web01' }, T_MS, 42.5], [{ host: 'web01' }, T_MS + 2000, 7], [{}, T_MS, 42.5]]);
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
    const plain = await put([point({ metric: 'c.mixed' }), bad]);
    assert.equal(plain.statusCode, 400);
    assert.equal(plain.json().error.message, 'One or more data points had errors');
    assert.equal((await stored('c.mixed')).length, 1);
    assert.deepEqual((await put([point(), bad], '?summary')).json(), { failed: 1, success: 1 });
    const details = await put([point(), bad, point({ timestamp: T_S - 30 * 86400 })], '?details');
    assert.equal(details.statusCode, 400);
    assert.deepEqual(details.json().errors.map((e: { error: string }) => e.error), ['Unable to parse value to a number', 'timestamp is older than the raw retention']);
  });

  it('answers 400 "Unable to parse the given JSON" to a body that is not JSON, stores nothing', async () => {
    const before = seriesCount();
    const r = await put('{"metric":');
    assert.equal(r.statusCode, 400);
    assert.deepEqual(r.json(), { error: { code: 400, message: 'Unable to parse the given JSON' } });
    assert.equal(seriesCount(), before);
  });

  it('accepts a gzip body and a body without a content type', async () => {
    const gz = await put(gzipSync(JSON.stringify([point({ metric: 'd.gz' })])), '', { ...JSON_HEADERS, 'content-encoding': 'gzip' });
    assert.equal(gz.statusCode, 204);
    const bare = await f.app.inject({ method: 'POST', url: '/api/put', payload: JSON.stringify(point({ metric: 'd.bare' })) });
    assert.equal(bare.statusCode, 204);
    assert.equal((await stored('d.gz')).length + (await stored('d.bare')).length, 2);
    const broken = await put(Buffer.from('not gzip'), '', { ...JSON_HEADERS, 'content-encoding': 'gzip' });
    assert.equal(broken.statusCode, 400);
  });

  it('answers 5xx and acknowledges nothing when the store cannot make the points durable', async () => {
    const sink = new RecordingSink();
    sink.failWith = new Error('disk full');
    const g = await appFixture({ tsdb: null });
    try {
      const app = (await import('fastify')).default();
      await app.register(openTsdbRoutes, { metrics: g.metrics, samples: sink, projectId: 1, maxInflatedBytes: 1 << 20 });
      const r = await app.inject({ method: 'POST', url: '/api/put', headers: JSON_HEADERS, payload: JSON.stringify(point()) });
      assert.equal(r.statusCode, 500);
      assert.equal(sink.written.length, 0);
      await app.close();
    } finally {
      await g.close();
    }
  });

  describe('the byte-level fast path', () => {
    const plainBody = (metric: string, n: number, over: (i: number) => Record<string, unknown> = () => ({})) =>
      JSON.stringify(Array.from({ length: n }, (_, i) => point({ metric, timestamp: T_S + i, value: i + 0.25, tags: { host: `h${i % 3}`, dc: 'x' }, ...over(i) })));

    it('stores the same points and series as the reference path; tag order and path do not make new series', async () => {
      assert.equal((await put(plainBody('f.same', 30))).statusCode, 204);
      // ?details always takes the reference path; another tag order is the same series.
      const ref = await put(plainBody('f.same', 30, (i) => ({ timestamp: T_S + 100 + i, tags: { dc: 'x', host: `h${i % 3}` } })), '?details');
      assert.deepEqual(ref.json(), { errors: [], failed: 0, success: 30 });
      assert.equal(f.tsdb.series({ projectId, namePrefix: 'f.same' }).length, 3);
      const pts = await storedPoints(f.tsdb, projectId, 'f.same', T_MS, T_MS + 200_000);
      assert.equal(pts.length, 60);
      assert.deepEqual(pts.filter(([, ts]) => ts === T_MS + 4000), [[{ dc: 'x', host: 'h1' }, T_MS + 4000, 4.25]]);
      assert.deepEqual(pts.filter(([, ts]) => ts === T_MS + 104_000), [[{ dc: 'x', host: 'h1' }, T_MS + 104_000, 4.25]]);
    });

    it('counts store refusals exactly as the reference path does (?summary vs ?details)', async () => {
      const over = (i: number) => (i % 10 === 0 ? { timestamp: T_S - 30 * 86400 } : i % 10 === 1 ? { metric: 'n'.repeat(300) } : i % 10 === 2 ? { timestamp: T_S + 3 * 86400 } : {});
      const fastAnswer = await put(plainBody('f.refused', 100, over), '?summary');
      const refAnswer = await put(plainBody('f.refused', 100, over), '?details');
      assert.equal(fastAnswer.statusCode, 400);
      assert.deepEqual(fastAnswer.json(), { failed: 30, success: 70 });
      assert.deepEqual([refAnswer.json().failed, refAnswer.json().success], [30, 70]);
      const plain = await put(plainBody('f.refused', 100, over));
      assert.equal(plain.statusCode, 400);
      assert.equal(plain.json().error.message, 'One or more data points had errors');
      assert.equal(f.tsdb.series({ projectId, namePrefix: 'n' }).length, 0);
    });

    it('a body with a bad point gets the reference answer, and its good points are stored once', async () => {
      const body = JSON.stringify([point({ metric: 'f.bad', tags: { host: 'a' } }), point({ metric: 'f.bad', value: 'abc' })]);
      const r = await put(body, '?summary');
      assert.deepEqual(r.json(), { failed: 1, success: 1 });
      assert.equal((await stored('f.bad')).length, 1);
    });
  });

  describe('large bodies through the parser threads', () => {
    const big = (metric: string, n: number, over: (i: number) => Record<string, unknown> = () => ({})) =>
      Array.from({ length: n }, (_, i) => point({ metric, timestamp: T_MS + i * 10, value: i, tags: { host: `h${i % 7}` }, ...over(i) }));

    it('stores every point of a 1000-point body and answers 204', async () => {
      const body = JSON.stringify(big('w.all', 1000));
      assert.ok(body.length > OPENTSDB_WORKER_MIN_BYTES);
      const r = await put(body);
      assert.equal(r.statusCode, 204, r.body);
      assert.equal(f.tsdb.series({ projectId, namePrefix: 'w.all' }).length, 7);
      const counted = await f.tsdb.query({ projectId, name: 'w.all', from: T_MS, to: T_MS + 19_999, step: 20_000, agg: 'count', groupBy: [], tier: 0 });
      assert.deepEqual(counted.series[0]?.values, [1000]);
    });

    it('gives the same counts as the inline path for protocol and store refusals (?summary)', async () => {
      const points = big('w.mixed', 1200, (i) => (i % 100 === 0 ? { value: 'x' } : i % 150 === 1 ? { timestamp: T_S - 30 * 86400 } : {}));
      const threaded = (await put(JSON.stringify(points), '?summary')).json();
      const inline = (await put(JSON.stringify(points), '?details')).json();
      assert.deepEqual(threaded, { failed: 20, success: 1180 });
      assert.deepEqual([inline.failed, inline.success], [20, 1180]);
    });

    it('answers 400 "Unable to parse the given JSON" to a large body that is not JSON', async () => {
      const r = await put(`${JSON.stringify(big('w.bad', 800))}]`);
      assert.equal(r.statusCode, 400);
      assert.deepEqual(r.json(), { error: { code: 400, message: 'Unable to parse the given JSON' } });
    });

    it('a large body is parsed by a thread (fast path or reference), a small one inline', async () => {
      const g = await metricsAppFixture();
      const pool = new OpenTsdbParserPool(2);
      try {
        const app = (await import('fastify')).default();
        await app.register(openTsdbRoutes, { metrics: g.metrics, samples: g.tsdb, projectId, maxInflatedBytes: 1 << 24, parsers: pool });
        // A plainly valid large body: the thread's byte-level fast path, keys mirrored here.
        const plain = await app.inject({ method: 'POST', url: '/api/put', headers: JSON_HEADERS, payload: JSON.stringify(big('w.fast', 1000)) });
        assert.equal(plain.statusCode, 204, plain.body);
        assert.equal(pool.completed, 1);
        // The same series again (keys known to the thread: only handles are looked up).
        const again = await app.inject({ method: 'POST', url: '/api/put?summary', headers: JSON_HEADERS, payload: JSON.stringify(big('w.fast', 1000, (i) => ({ timestamp: T_MS + 10_000 + i * 10 }))) });
        assert.deepEqual(again.json(), { failed: 0, success: 1000 });
        // One the fast path leaves to the reference (an unknown key) is parsed by the reference in a thread.
        const large = await app.inject({ method: 'POST', url: '/api/put', headers: JSON_HEADERS, payload: JSON.stringify(big('w.thread', 1000, (i) => (i === 0 ? { extra: 1 } : {}))) });
        assert.equal(large.statusCode, 204, large.body);
        assert.equal(pool.completed, 3);
        await app.inject({ method: 'POST', url: '/api/put', headers: JSON_HEADERS, payload: JSON.stringify(big('w.small', 3)) });
        assert.equal(pool.completed, 3);
        assert.equal(g.tsdb.series({ projectId, namePrefix: 'w.thread' }).length, 7);
        assert.equal(g.tsdb.series({ projectId, namePrefix: 'w.fast' }).length, 7);
        const counted = await g.tsdb.query({ projectId, name: 'w.fast', from: T_MS, to: T_MS + 19_999, step: 20_000, agg: 'count', groupBy: [], tier: 0 });
        assert.deepEqual(counted.series[0]?.values, [2000]);
        await app.close();
      } finally {
        await g.close();
      }
    });

    it('parses inline when the parser threads cannot start', async () => {
      const g = await metricsAppFixture();
      try {
        const app = (await import('fastify')).default();
        const pool = new OpenTsdbParserPool(1, new URL('file:///nonexistent/parser.mjs'));
        await app.register(openTsdbRoutes, { metrics: g.metrics, samples: g.tsdb, projectId, maxInflatedBytes: 1 << 24, parsers: pool });
        const r = await app.inject({ method: 'POST', url: '/api/put', headers: JSON_HEADERS, payload: JSON.stringify(big('w.fallback', 1000)) });
        assert.equal(r.statusCode, 204, r.body);
        assert.equal(g.tsdb.series({ projectId, namePrefix: 'w.fallback' }).length, 7);
        await app.close();
      } finally {
        await g.close();
      }
    });
  });

  it('without a time-series store /api/put is not served', async () => {
    const g = await appFixture();
    try {
      assert.equal((await g.app.inject({ method: 'POST', url: '/api/put', headers: JSON_HEADERS, payload: JSON.stringify(point()) })).statusCode, 404);
    } finally {
      await g.close();
    }
  });

  it('fuzz: random bodies always get 204/200/400, and exactly the points reported as success are stored', async () => {
    const dp = fc.record({
      metric: fc.constantFrom('z.a', 'z.b', 'z c', ''), timestamp: fc.oneof(fc.integer(), fc.constant(T_S), fc.constant(T_MS + 5000), fc.string({ maxLength: 3 })),
      value: fc.oneof(fc.double(), fc.string({ maxLength: 3 })), tags: fc.oneof(fc.dictionary(fc.constantFrom('h', 'k', ''), fc.string({ maxLength: 3 })), fc.constant(null)),
    }, { requiredKeys: [] });
    const body = fc.oneof(fc.array(dp, { maxLength: 5 }).map((a) => JSON.stringify(a)), dp.map((d) => JSON.stringify(d)), fc.string({ maxLength: 40 }));
    let total = 0;
    const count = async () => (await Promise.all(['z.a', 'z.b'].map((n) => storedPoints(f.tsdb, projectId, n, T_MS - 60_000, T_MS + 60_000)))).flat().length;
    await fc.assert(fc.asyncProperty(body, async (payload) => {
      const r = await put(payload, '?summary');
      assert.ok([200, 400].includes(r.statusCode), `${r.statusCode} for ${payload}`);
      const before = total;
      total = await count();
      const answer = r.json() as { success?: number; error?: unknown };
      if (answer.error !== undefined) assert.equal(total, before, 'not JSON: nothing stored');
      else assert.ok(total - before <= (answer.success ?? 0), 'no more new points than reported as success (duplicates overwrite)');
    }), { numRuns: 200 });
  });
});
