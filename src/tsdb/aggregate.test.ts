import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { GroupAccumulator, gridTimestamps, makeGrid, parseAggregation, samplesAsBuckets } from './aggregate.js';
import { mergeSamples } from './samples.js';
import { rollup } from './tiers.js';

test('aggregation names', () => {
  assert.deepEqual(parseAggregation('avg'), { kind: 'avg' });
  assert.deepEqual(parseAggregation('p99.9'), { kind: 'pct', p: 99.9 });
  assert.deepEqual(parseAggregation('p100'), { kind: 'pct', p: 100 });
  assert.equal(parseAggregation('p0'), null);
  assert.equal(parseAggregation('median'), null);
});

test('the grid starts at from rounded down to the step and covers to inclusively', () => {
  const g = makeGrid(1005, 3000, 1000);
  assert.deepEqual(gridTimestamps(g), [1000, 2000, 3000]);
});

const pts = (ts: number[], vals: number[]) => samplesAsBuckets(ts.length, Float64Array.from(ts), Float64Array.from(vals));

test('rate: counter resets count the new value; the sample before the range only serves as the previous one', () => {
  const acc = new GroupAccumulator(makeGrid(10_000, 39_999, 10_000), { kind: 'rate' });
  acc.addSeries(pts([0, 10_000, 20_000, 30_000], [100, 200, 50, 150]), 'counter', 10_000, 39_999);
  assert.deepEqual(acc.values(), [10, 5, 10]);
});

test('a series of type rate answers rate with its average; groups add rates up', () => {
  const acc = new GroupAccumulator(makeGrid(0, 9_999, 10_000), { kind: 'rate' });
  acc.addSeries(pts([0, 5_000], [2, 4]), 'rate', 0, 9_999);
  acc.addSeries(pts([1_000], [10]), 'rate', 0, 9_999);
  assert.deepEqual(acc.values(), [13]);
});

test('last in a group adds up each series\' last value; empty buckets are null', () => {
  const acc = new GroupAccumulator(makeGrid(0, 19_999, 10_000), { kind: 'last' });
  acc.addSeries(pts([1_000, 2_000], [1, 2]), 'gauge', 0, 19_999);
  acc.addSeries(pts([3_000], [5]), 'gauge', 0, 19_999);
  assert.deepEqual(acc.values(), [7, null]);
});

test('percentiles on rollup buckets are within the widest bucket of the exact ones (brute force); p >= 90 never below, p <= 10 never above', () => {
  const MIN = 60_000;
  fc.assert(fc.property(
    fc.array(fc.array(fc.tuple(fc.integer({ min: 0, max: 4 * 60 * MIN - 1 }), fc.integer({ min: -1000, max: 1000 })), { minLength: 1, maxLength: 150 }), { minLength: 1, maxLength: 3 }),
    fc.constantFrom(MIN, 5 * MIN, 15 * MIN), fc.constantFrom(15 * MIN, 60 * MIN), fc.constantFrom(1, 10, 25, 50, 75, 90, 99, 100),
    (seriesList, res, step, p) => {
      const grid = makeGrid(0, 4 * 60 * MIN - 1, step);
      const exact = new GroupAccumulator(grid, { kind: 'pct', p });
      const bounded = new GroupAccumulator(grid, { kind: 'pct', p });
      const range = new Float64Array(grid.count); // widest bucket (max - min) per step
      const per: number[][] = Array.from({ length: grid.count }, () => []);
      for (const pairs of seriesList) {
        const m = mergeSamples([{ n: pairs.length, ts: Float64Array.from(pairs.map((x) => x[0])), vals: Float64Array.from(pairs.map((x) => x[1] / 10)) }]);
        exact.addSeries(samplesAsBuckets(m.n, m.ts, m.vals), 'gauge', 0, Infinity);
        const b = rollup(m, res);
        bounded.addSeries(b, 'gauge', 0, Infinity);
        for (let i = 0; i < b.n; i++) {
          const g = Math.floor(b.ts[i]! / step);
          range[g] = Math.max(range[g]!, b.max[i]! - b.min[i]!);
        }
        for (let i = 0; i < m.n; i++) per[Math.floor(m.ts[i]! / step)]!.push(m.vals[i]!);
      }
      const x = exact.values();
      const y = bounded.values();
      for (let g = 0; g < grid.count; g++) {
        if (per[g]!.length === 0) {
          assert.equal(x[g], null);
          assert.equal(y[g], null);
          continue;
        }
        const sorted = [...per[g]!].sort((a, b) => a - b);
        const want = sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1]!;
        assert.equal(x[g], want, 'raw samples: exact nearest rank');
        const err = y[g]! - want;
        const msg = `p${p}: ${y[g]} vs exact ${want}, widest bucket ${range[g]}`;
        assert.ok(Math.abs(err) <= range[g]! + 1e-9, msg);
        if (p >= 90) assert.ok(err >= 0, msg);
        if (p <= 10) assert.ok(err <= 0, msg);
      }
    },
  ), { numRuns: 300 });
});

test('a statsd timer percentile series rolled up: p99 of the rollup is the worst flush value, not an average', () => {
  // One p99 value per 10 s flush: mostly 20 ms, one slow flush of 900 ms in the minute.
  const vals = [20, 21, 19, 900, 20, 22];
  const raw = pts(vals.map((_, i) => i * 10_000), vals);
  const b = rollup({ n: raw.n, ts: raw.ts, vals: Float64Array.from(vals) }, 60_000);
  const grid = makeGrid(0, 59_999, 60_000);
  for (const [p, want] of [[99, 900], [90, 900], [50, 167], [10, 19]] as const) {
    const acc = new GroupAccumulator(grid, { kind: 'pct', p });
    acc.addSeries(b, 'gauge', 0, 59_999);
    assert.deepEqual(acc.values(), [want], `p${p}`);
  }
});
