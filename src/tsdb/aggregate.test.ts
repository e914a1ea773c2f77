import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GroupAccumulator, gridTimestamps, makeGrid, parseAggregation, samplesAsBuckets } from './aggregate.js';

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
