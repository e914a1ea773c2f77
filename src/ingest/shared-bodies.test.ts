import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { OpenTsdbParserPool } from './opentsdb-parser-pool.js';
import { openTsdbRoutes } from './opentsdb-routes.js';
import { metricsAppFixture, storedPoints } from './samples-test-support.js';
import { collectBody, isSharedBody, SharedBodySlots, type SharedBody } from './shared-bodies.js';

const T_S = 1_699_999_000;
const T_MS = T_S * 1000;

/** Runs collectBody over `chunks` written to a stream; resolves with its outcome. */
function collect(chunks: (string | Buffer)[], contentLength: string | undefined, limit: number, slots: SharedBodySlots | null): Promise<{ err: Error | null; body?: Buffer | SharedBody }> {
  const s = new PassThrough();
  const out = new Promise<{ err: Error | null; body?: Buffer | SharedBody }>((resolve) => {
    collectBody(s, contentLength, limit, slots, (err, body) => resolve({ err, ...(body !== undefined ? { body } : {}) }));
  });
  for (const c of chunks) s.write(c);
  s.end();
  return out;
}

describe('request bodies in shared memory', () => {
  it('reads a body with a Content-Length that fits into a slot, byte for byte', async () => {
    const slots = new SharedBodySlots(64, 2);
    const r = await collect(['{"a":', Buffer.from('1}')], '7', 1000, slots);
    assert.equal(r.err, null);
    assert.ok(isSharedBody(r.body));
    assert.equal(slots.view(r.body).toString(), '{"a":1}');
    assert.equal(slots.lent, 1);
    slots.release(r.body);
    slots.release(r.body); // idempotent
    assert.equal(slots.lent, 0);
  });

  it('falls back to a Buffer: no Content-Length, larger than a slot, every slot lent, or no slots', async () => {
    const slots = new SharedBodySlots(8, 1);
    const chunked = await collect(['abc', 'def'], undefined, 100, slots);
    assert.ok(Buffer.isBuffer(chunked.body) && chunked.body.toString() === 'abcdef');
    const large = await collect(['0123456789'], '10', 100, slots);
    assert.ok(Buffer.isBuffer(large.body));
    const held = await collect(['x'], '1', 100, slots);
    assert.ok(isSharedBody(held.body));
    const busy = await collect(['y'], '1', 100, slots);
    assert.ok(Buffer.isBuffer(busy.body) && busy.body.toString() === 'y');
    const none = await collect(['z'], '1', 100, null);
    assert.ok(Buffer.isBuffer(none.body));
  });

  it('refuses a body over the limit (413) and one that differs from its Content-Length (400), giving the slot back', async () => {
    const slots = new SharedBodySlots(64, 1);
    const declared = await collect(['x'.repeat(10)], '200', 100, slots);
    assert.equal((declared.err as Error & { statusCode: number }).statusCode, 413);
    const streamed = await collect(['x'.repeat(60), 'x'.repeat(60)], undefined, 100, slots);
    assert.equal((streamed.err as Error & { statusCode: number }).statusCode, 413);
    const longer = await collect(['x'.repeat(20)], '10', 100, slots);
    assert.equal((longer.err as Error & { code: string; statusCode: number }).statusCode, 400);
    assert.equal((longer.err as Error & { code: string }).code, 'FST_ERR_CTP_INVALID_CONTENT_LENGTH');
    const shorter = await collect(['x'.repeat(5)], '10', 100, slots);
    assert.equal((shorter.err as Error & { statusCode: number }).statusCode, 400);
    assert.equal(slots.lent, 0);
  });

  it('over real HTTP: puts parsed in place by a thread store every point, and every slot comes back, also from aborted requests and refused bodies', async () => {
    const g = await metricsAppFixture();
    const pool = new OpenTsdbParserPool(1);
    const app = (await import('fastify')).default({ bodyLimit: 512 * 1024 });
    try {
      const projectId = (await g.store.projects.getByName('default'))!.id;
      await app.register(openTsdbRoutes, { metrics: g.metrics, samples: g.tsdb, projectId, maxInflatedBytes: 1 << 24, parsers: pool });
      const address = await app.listen({ host: '127.0.0.1', port: 0 });
      const port = Number(new URL(address).port);
      const post = (body: string | Buffer, headers: Record<string, string | number> = {}) => new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/api/put?summary', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => { text += c; });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        });
        req.on('error', reject);
        req.end(body);
      });
      const body = (b: number) => JSON.stringify(Array.from({ length: 800 }, (_, i) => ({ metric: 'shm.m', timestamp: T_S + b * 800 + i, value: b * 800 + i, tags: { host: `h${i % 5}` } })));
      const answers = await Promise.all(Array.from({ length: 12 }, (_, b) => post(body(b))));
      for (const a of answers) assert.deepEqual(JSON.parse(a.body), { failed: 0, success: 800 });
      assert.equal(pool.completed, 12, 'parsed by the thread');
      const got = await storedPoints(g.tsdb, projectId, 'shm.m', T_MS, T_MS + 9_600_000 - 1);
      assert.equal(got.length, 12 * 800);
      for (const [, t, v] of got) assert.equal(v, (t - T_MS) / 1000);

      // A body over the server's limit: 413, nothing stored.
      const big = await post('x'.repeat(600 * 1024));
      assert.equal(big.status, 413);
      // Content-Length promises 100 kB, the client sends 10 kB and goes away.
      await new Promise<void>((resolve) => {
        const sock = connect(port, '127.0.0.1', () => {
          sock.write(`POST /api/put HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n${'['.padEnd(10_000, ' ')}`);
          setTimeout(() => { sock.destroy(); resolve(); }, 100);
        });
      });
      // A body that is not JSON: 400 from the reference parser, slot back.
      assert.equal((await post(`${body(20)}]`)).status, 400);
      for (let i = 0; i < 50 && pool.bodies.lent > 0; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(pool.bodies.lent, 0, 'every slot given back');
    } finally {
      await app.close();
      await g.close();
    }
  });
});
