import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mergeSamples, sliceRange } from './samples.js';
import { DEFAULT_TIERS, DEFAULT_TIER_SPEC, chooseTier, formatTierSpec, parseDuration, parseTierSpec, replaceBuckets, rollup, tierProblem } from './tiers.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

test('durations and whisper-like tier specs', () => {
  assert.deepEqual(['10s', '1m', '2h', '90d', '1w', '2y', 'x', '5'].map(parseDuration), [10_000, MIN, 2 * HOUR, 90 * DAY, 7 * DAY, 730 * DAY, null, null]);
  const tiers = parseTierSpec('raw:7d,1m:90d,1h:2y');
  assert.deepEqual(tiers.map((t) => [t.resolutionMs, t.retentionMs]), DEFAULT_TIERS.map((t) => [t.resolutionMs, t.retentionMs]));
  assert.equal(tierProblem(tiers), null);
  assert.throws(() => parseTierSpec('1m:90d'), /raw/);
  assert.throws(() => parseTierSpec('raw:7d,1h:2y,1m:90d'), /increase/);
  assert.throws(() => parseTierSpec('raw:7d,7m:90d'), /divide/);
  assert.throws(() => parseTierSpec('raw:forever'), /retention/);
});

test('the default spec gives exactly DEFAULT_TIERS (chunk spans too); bad specs name the part', () => {
  assert.deepEqual(parseTierSpec(DEFAULT_TIER_SPEC), DEFAULT_TIERS);
  assert.deepEqual(parseTierSpec(' raw:30h , 10s:1d '), [
    { resolutionMs: 0, retentionMs: 30 * HOUR, chunkSpanMs: 2 * HOUR }, { resolutionMs: 10_000, retentionMs: DAY, chunkSpanMs: DAY },
  ]);
  assert.deepEqual(parseTierSpec('raw:14d,5m:1y,2h:10y').map((t) => t.chunkSpanMs), [2 * HOUR, 3 * DAY, 60 * DAY]);
  assert.deepEqual(parseTierSpec('raw:2d').map((t) => t.retentionMs), [2 * DAY]);
  for (const spec of [DEFAULT_TIER_SPEC, 'raw:14d,5m:1y,2h:10y', 'raw:30h,10s:1d']) assert.deepEqual(parseTierSpec(formatTierSpec(parseTierSpec(spec))), parseTierSpec(spec));
  const bad: Array<[string, RegExp]> = [
    ['', /empty/], ['10s:7d,1m:90d', /first tier must be raw.*'10s:7d'/], ['raw:7d,raw:9d', /only the first/],
    ['raw:7d,1m', /'1m': expected resolution:retention/], ['raw:7d,1x:9d', /bad resolution '1x'/], ['raw:0d', /bad retention '0d'/],
    ['raw:1d,1m:90d', /longer than 26h/], ['raw:7d,1m:90d,', /expected resolution:retention/],
  ];
  for (const [spec, re] of bad) assert.throws(() => parseTierSpec(spec), re, spec);
});

test('tier choice: coarsest that fits the step and reaches back far enough', () => {
  const now = 1000 * DAY;
  const cases: Array<[number, number, number]> = [
    [10_000, now - HOUR, 0], [MIN, now - HOUR, 1], [5 * MIN, now - 8 * DAY, 1], [HOUR, now - 8 * DAY, 2],
    [10_000, now - 30 * DAY, 1], [10_000, now - 365 * DAY, 2], [HOUR, now - 5 * 365 * DAY, 2],
  ];
  for (const [step, from, want] of cases) assert.equal(chooseTier(DEFAULT_TIERS, step, from, now), want, `step ${step} from ${now - from}`);
});

const samplesArb = fc.array(fc.tuple(fc.integer({ min: 0, max: 4 * HOUR }), fc.oneof(fc.integer({ min: -100, max: 100 }), fc.double({ noNaN: true, min: -1e6, max: 1e6 }))), { maxLength: 200 });

test('mergeSamples sorts and keeps the last write of each timestamp (brute force)', () => {
  fc.assert(fc.property(fc.array(samplesArb, { maxLength: 4 }), (parts) => {
    const arrays = parts.map((p) => ({ n: p.length, ts: Float64Array.from(p.map((x) => x[0])), vals: Float64Array.from(p.map((x) => x[1])) }));
    const m = mergeSamples(arrays);
    const want = new Map<number, number>();
    for (const p of parts) for (const [t, v] of p) want.set(t, v);
    const sorted = [...want.entries()].sort((a, b) => a[0] - b[0]);
    assert.deepEqual(Array.from(m.ts.subarray(0, m.n)), sorted.map((x) => x[0]));
    assert.deepEqual(Array.from(m.vals.subarray(0, m.n)), sorted.map((x) => x[1]));
    const s = sliceRange(m, HOUR, 2 * HOUR);
    assert.deepEqual(Array.from(s.ts), sorted.map((x) => x[0]).filter((t) => t >= HOUR && t <= 2 * HOUR));
  }));
});

test('rollup buckets equal brute force min/max/sum/count/last', () => {
  fc.assert(fc.property(samplesArb, fc.constantFrom(MIN, 15 * MIN, HOUR), (pairs, res) => {
    const merged = mergeSamples([{ n: pairs.length, ts: Float64Array.from(pairs.map((x) => x[0])), vals: Float64Array.from(pairs.map((x) => x[1])) }]);
    const b = rollup(merged, res);
    const groups = new Map<number, number[]>();
    for (let i = 0; i < merged.n; i++) {
      const k = Math.floor(merged.ts[i]! / res) * res;
      groups.set(k, [...(groups.get(k) ?? []), merged.vals[i]!]);
    }
    assert.equal(b.n, groups.size);
    [...groups.entries()].forEach(([k, vs], i) => {
      assert.equal(b.ts[i], k);
      assert.equal(b.min[i], Math.min(...vs));
      assert.equal(b.max[i], Math.max(...vs));
      assert.ok(Math.abs(b.sum[i]! - vs.reduce((x, y) => x + y, 0)) < 1e-6);
      assert.equal(b.count[i], vs.length);
      assert.equal(b.last[i], vs[vs.length - 1]);
    });
  }));
});

test('rollup min/max order -0 below +0 in either arrival order (found by the property above)', () => {
  for (const vals of [[-0, 0], [0, -0]]) {
    const b = rollup({ n: 2, ts: Float64Array.from([3 * HOUR, 3 * HOUR + 1]), vals: Float64Array.from(vals) }, MIN);
    assert.ok(Object.is(b.min[0], -0) && Object.is(b.max[0], 0), `${vals}: min ${b.min[0]}, max ${b.max[0]}`);
  }
});

test('replaceBuckets swaps exactly the buckets in [from, to)', () => {
  const base = rollup({ n: 4, ts: Float64Array.from([0, MIN, 2 * MIN, 3 * MIN]), vals: Float64Array.from([1, 2, 3, 4]) }, MIN);
  const fresh = rollup({ n: 1, ts: Float64Array.from([MIN + 5]), vals: Float64Array.from([20]) }, MIN);
  const r = replaceBuckets(base, MIN, 3 * MIN, fresh);
  assert.deepEqual(Array.from(r.ts.subarray(0, r.n)), [0, MIN, 3 * MIN]);
  assert.deepEqual(Array.from(r.last.subarray(0, r.n)), [1, 20, 4]);
});
