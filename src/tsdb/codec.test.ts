import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeChunk, encodeChunk, MAX_SAFE_CODEC_INT } from './codec.js';

function sameBits(a: number, b: number): boolean {
  return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
}

function roundTrip(ts: number[], cols: number[][]): void {
  const enc = encodeChunk(Float64Array.from(ts), cols.map((c) => Float64Array.from(c)));
  const dec = decodeChunk(enc);
  assert.equal(dec.count, ts.length);
  assert.deepEqual(Array.from(dec.timestamps), ts);
  assert.equal(dec.columns.length, cols.length);
  cols.forEach((c, ci) => c.forEach((v, i) => {
    const got = dec.columns[ci]![i]!;
    assert.ok(sameBits(got, v), `column ${ci} sample ${i}: wrote ${v}, read ${got}`);
  }));
}

const sortedTimestamps = (min: number, max: number) =>
  fc.uniqueArray(fc.integer({ min, max }), { maxLength: 300 }).map((a) => a.sort((x, y) => x - y));

const anyDouble = fc.oneof(
  fc.double(),
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 0, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, 5e-324, 1e308, 1e-308),
  fc.integer({ min: -1e6, max: 1e6 }).map((i) => i / 100),
  fc.integer().map((i) => i * 1000),
  fc.double({ min: -1e15, max: 1e15, noNaN: true }),
);

test('round-trips any doubles, including NaN, ±Infinity, -0, huge and tiny values', () => {
  fc.assert(fc.property(sortedTimestamps(-(2 ** 40), 2 ** 45), fc.array(anyDouble, { maxLength: 300 }), (ts, vals) => {
    const values = ts.map((_, i) => vals[i % Math.max(1, vals.length)] ?? 0);
    roundTrip(ts, [values]);
  }), { numRuns: 400 });
});

test('round-trips several columns of the same length (rollup buckets)', () => {
  fc.assert(fc.property(sortedTimestamps(0, 2 ** 42), fc.array(anyDouble, { minLength: 1, maxLength: 50 }), (ts, pool) => {
    const cols = [0, 1, 2, 3, 4].map((c) => ts.map((_, i) => pool[(i * 7 + c) % pool.length]!));
    roundTrip(ts, cols);
  }), { numRuns: 200 });
});

test('round-trips random-walk decimals and counters with resets', () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: -500, max: 500 }), { minLength: 1, maxLength: 400 }), fc.nat(1e6), (steps, start) => {
    let v = start / 100;
    let c = 0;
    const ts: number[] = [];
    const gauge: number[] = [];
    const counter: number[] = [];
    steps.forEach((s, i) => {
      ts.push(1_700_000_000_000 + i * 10_000 + (s % 7));
      v = Math.round((v + s / 100) * 100) / 100;
      c = s === 0 ? 0 : c + Math.abs(s);
      gauge.push(v);
      counter.push(c);
    });
    roundTrip(ts, [gauge]);
    roundTrip(ts, [counter]);
  }), { numRuns: 300 });
});

test('round-trips the empty chunk and a single sample', () => {
  roundTrip([], [[]]);
  roundTrip([5], [[NaN]]);
  roundTrip([-5], [[-0]]);
  roundTrip([MAX_SAFE_CODEC_INT - 1], [[1e-300]]);
});

test('a regular 10 s series of two-decimal values costs little more than one byte per sample', () => {
  const n = 720;
  const ts = new Float64Array(n);
  const vals = new Float64Array(n);
  let v = 50;
  let seed = 42;
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    ts[i] = 1_700_000_000_000 + i * 10_000;
    v = Math.round((v + (seed / 2147483648 - 0.5)) * 100) / 100;
    vals[i] = v;
  }
  const bytes = encodeChunk(ts, [vals]).length;
  assert.ok(bytes / n < 1.3, `bytes/sample ${bytes / n}`);
  const constant = encodeChunk(ts, [new Float64Array(n).fill(3.5)]);
  assert.ok(constant.length < 40, `constant regular series: ${constant.length} bytes`);
  assert.equal(decodeChunk(constant).count, n);
});

test('rejects unsorted, duplicate and non-integer timestamps', () => {
  assert.throws(() => encodeChunk(Float64Array.from([2, 1]), [Float64Array.from([0, 0])]));
  assert.throws(() => encodeChunk(Float64Array.from([1, 1]), [Float64Array.from([0, 0])]));
  assert.throws(() => encodeChunk(Float64Array.from([1.5]), [Float64Array.from([0])]));
});

test('decoding truncated or garbage bytes throws instead of returning garbage', () => {
  const enc = encodeChunk(Float64Array.from([1, 2, 3]), [Float64Array.from([0.5, Math.PI, NaN])]);
  assert.throws(() => decodeChunk(enc.subarray(0, enc.length - 3)));
  assert.throws(() => decodeChunk(Uint8Array.from([99, 1, 2])));
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
    try {
      const d = decodeChunk(bytes);
      assert.equal(d.timestamps.length, d.count);
    } catch (err) {
      assert.ok(err instanceof Error);
    }
  }), { numRuns: 500 });
});
