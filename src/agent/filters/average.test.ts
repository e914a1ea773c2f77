import { test } from 'node:test';
import assert from 'node:assert/strict';
import { averageFilter } from './average.js';

const origin = { file: 't.toml', index: 0 };

test('moving average over a window that starts full of init (goma semantics)', () => {
  const f = averageFilter.create({ window: 4, init: 1 }, origin, 'monitor[0].filter');
  assert.deepEqual([5, 5, 5, 5, 1].map((v) => f.put(v)), [2, 3, 4, 5, 4]);
  f.reset();
  assert.equal(f.put(1), 1);
});

test('defaults: window 10, init 0; integers and floats accepted', () => {
  const f = averageFilter.create({}, origin, 'p');
  assert.equal(f.put(10), 1);
  assert.equal(averageFilter.create({ window: 2.0, init: 0.5 }, origin, 'p').put(1.5), 1);
});

test('rejects a window below 1 or fractional, and unknown keys', () => {
  assert.throws(() => averageFilter.create({ window: 0 }, origin, 'monitor[0].filter'), /monitor\[0\]\.filter\.window: must be an integer/);
  assert.throws(() => averageFilter.create({ window: 2.5 }, origin, 'monitor[0].filter'), /must be an integer/);
  assert.throws(() => averageFilter.create({ size: 3 }, origin, 'monitor[0].filter'), /monitor\[0\]\.filter\.size: unknown key/);
});
