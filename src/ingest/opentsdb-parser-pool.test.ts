import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { OpenTsdbKeyTable } from '../protocols/opentsdb-fast.js';
import { parseAnswerer } from './opentsdb-parse-worker.js';
import { MirroredKeys, OpenTsdbParserPool } from './opentsdb-parser-pool.js';
import { openTsdbRoutes } from './opentsdb-routes.js';
import { metricsAppFixture, storedPoints } from './samples-test-support.js';

const T_S = 1_699_999_000;
const T_MS = T_S * 1000;

interface Point {
  metric: string;
  timestamp: number;
  value: number | string;
  tags: Record<string, string>;
  extra?: number;
}

const seriesOf = (s: number): { metric: string; tags: Record<string, string> } => ({ metric: `m.${s % 5}`, tags: s % 3 === 0 ? {} : { host: `h${s}`, dc: `dc${s % 2}` } });

describe('OpenTSDB parser threads: the writer thread\'s mirror of a thread\'s key table', () => {
  it('names every sample\'s series right, also when the table starts over and when bodies fall to the reference parser (property)', () => {
    const body = fc.array(fc.record({ s: fc.integer({ min: 0, max: 40 }), odd: fc.integer({ min: 0, max: 30 }) }), { minLength: 1, maxLength: 30 });
    fc.assert(fc.property(fc.array(body, { minLength: 1, maxLength: 12 }), (bodies) => {
      // A table of at most 8 keys starts over often; the mirror must follow.
      const answer = parseAnswerer(new OpenTsdbKeyTable(8));
      let mirror = new MirroredKeys();
      bodies.forEach((pts, id) => {
        const points: Point[] = pts.map(({ s, odd }, i) => ({ ...seriesOf(s), timestamp: T_S + i, value: odd === 0 ? 'x' : i * 1.5, ...(odd === 1 ? { extra: 1 } : {}) }));
        const { res } = answer({ id, body: new TextEncoder().encode(JSON.stringify(points)) });
        if (res.keys.reset) mirror = new MirroredKeys();
        mirror.learn(res.keys);
        if (res.kind === 'keyed') {
          assert.equal(res.count, points.length);
          for (let i = 0; i < res.count; i++) {
            const k: number = res.series[i]!;
            assert.equal(mirror.name(k), points[i]!.metric);
            assert.deepEqual(mirror.tags(k), points[i]!.tags);
            assert.equal(res.values[i], points[i]!.value);
            assert.equal(res.timestamps[i], (T_S + i) * 1000);
          }
        } else {
          // A bad value or an unknown key: the reference parser's columns, bad points counted.
          assert.equal(res.kind, 'columns');
          if (res.kind !== 'columns') return;
          const bad = points.filter((p) => typeof p.value === 'string').length;
          assert.equal(res.failed, bad);
          assert.equal(res.cols.count, points.length - bad);
        }
      });
    }), { numRuns: 150 });
  });

  it('refuses keys out of step (a lost answer) instead of naming series wrongly', () => {
    const m = new MirroredKeys();
    m.learn({ reset: false, from: 0, names: ['a'], tags: [{}] });
    assert.throws(() => m.learn({ reset: false, from: 2, names: ['c'], tags: [{}] }), /out of step/);
  });

  it('through real threads whose tables start over: every point lands in its own series with its value', async () => {
    const g = await metricsAppFixture();
    const pool = new OpenTsdbParserPool(2, undefined, { maxKeys: 10 });
    try {
      const projectId = (await g.store.projects.getByName('default'))!.id;
      const app = (await import('fastify')).default();
      await app.register(openTsdbRoutes, { metrics: g.metrics, samples: g.tsdb, projectId, maxInflatedBytes: 1 << 24, parsers: pool });
      const SERIES = 60;
      const puts = [];
      for (let b = 0; b < 6; b++) {
        // 60 series × 10 timestamps per body, in a different series order each time: tables of 10 keys start over many times.
        const points: Point[] = [];
        for (let t = 0; t < 10; t++) {
          for (let j = 0; j < SERIES; j++) {
            const s = (j * [7, 11, 13, 17, 19, 23][b]!) % SERIES; // a permutation: the factors are prime to 60
            points.push({ metric: `pool.s${s}`, timestamp: T_S + b * 10 + t, value: s * 1000 + b * 10 + t, tags: { host: `h${s % 4}` } });
          }
        }
        puts.push(app.inject({ method: 'POST', url: '/api/put?summary', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(points) }));
      }
      for (const r of await Promise.all(puts)) assert.deepEqual(r.json(), { failed: 0, success: 600 });
      assert.equal(pool.completed, 6, 'every body parsed by a thread (none fell back inline)');
      for (let s = 0; s < SERIES; s++) {
        const got = await storedPoints(g.tsdb, projectId, `pool.s${s}`, T_MS, T_MS + 60_000);
        assert.equal(got.length, 60, `pool.s${s}`);
        for (const [tags, t, v] of got) {
          assert.deepEqual(tags, { host: `h${s % 4}` });
          assert.equal(v, s * 1000 + (t - T_MS) / 1000);
        }
      }
      await app.close();
    } finally {
      await pool.close();
      await g.close();
    }
  });
});
