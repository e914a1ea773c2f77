import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseStatsdDatagram } from '../protocols/statsd.js';
import { percentileOf, StatsdAggregator, type FlushedSample } from './statsd-aggregator.js';

function run(text: string, opts = {}): Map<string, FlushedSample> {
  const agg = new StatsdAggregator(opts);
  agg.flush(0);
  agg.addAll(parseStatsdDatagram(text).metrics);
  return new Map(agg.flush(10_000).map((s) => [s.name, s]));
}

test('counters: count with sample rates applied, and per-second rate', () => {
  const r = run('hits:1|c\nhits:1|c|@0.5\nhits:3|c');
  assert.equal(r.get('hits.count')!.value, 6);
  assert.equal(r.get('hits.rate')!.value, 0.6);
  assert.equal(r.get('hits.rate')!.type, 'rate');
  assert.equal(r.get('hits.count')!.timestampMs, 10_000);
});

test('timers: count, mean, lower, upper, sum, std, median and percentiles', () => {
  const lines = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((v) => `t:${v}|ms`).join('\n');
  const r = run(lines, { percentiles: [90, 99] });
  const v = (k: string): number => r.get(`t.${k}`)!.value;
  assert.equal(v('count'), 10);
  assert.equal(v('mean'), 5.5);
  assert.equal(v('lower'), 1);
  assert.equal(v('upper'), 10);
  assert.equal(v('sum'), 55);
  assert.ok(Math.abs(v('std') - Math.sqrt(8.25)) < 1e-12);
  assert.equal(v('median'), 5.5);
  assert.equal(v('p90'), 9);
  assert.equal(v('p99'), 10);
});

test('timer count honours the sample rate', () => {
  assert.equal(run('t:5|ms|@0.1').get('t.count')!.value, 10);
});

test('gauges keep their last value across flushes and apply +/- deltas', () => {
  const agg = new StatsdAggregator();
  agg.addAll(parseStatsdDatagram('g:10|g\ng:+5|g\ng:-3|g').metrics);
  assert.equal(agg.flush(1000).find((s) => s.name === 'g')!.value, 12);
  assert.equal(agg.flush(2000).find((s) => s.name === 'g')!.value, 12);
  agg.addAll(parseStatsdDatagram('g:4|g').metrics);
  assert.equal(agg.flush(3000).find((s) => s.name === 'g')!.value, 4);
});

test('sets count distinct members per interval; idle counters are not emitted', () => {
  const agg = new StatsdAggregator();
  agg.addAll(parseStatsdDatagram('u:a|s\nu:b|s\nu:a|s\nc:1|c').metrics);
  const first = agg.flush(1000);
  assert.equal(first.find((s) => s.name === 'u.count')!.value, 2);
  assert.deepEqual(agg.flush(2000), []);
});

test('tags keep series apart', () => {
  const agg = new StatsdAggregator();
  agg.addAll(parseStatsdDatagram('c:1|c|#host:a\nc:2|c|#host:b\nc:3|c|#host:a').metrics);
  const counts = agg.flush(1000).filter((s) => s.name === 'c.count').map((s) => [s.tags.host, s.value]);
  assert.deepEqual(counts.sort(), [['a', 4], ['b', 2]]);
});

test('percentile is the nearest rank, against a brute-force definition', () => {
  fc.assert(fc.property(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 50 }), fc.integer({ min: 1, max: 100 }), (vals, p) => {
    const sorted = [...vals].sort((a, b) => a - b);
    const got = percentileOf(sorted, p);
    const atOrBelow = sorted.filter((v) => v <= got).length;
    assert.ok(atOrBelow / sorted.length >= p / 100 - 1e-12);
  }));
});
