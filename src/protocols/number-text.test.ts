// NUMBER_RE, the number text every metric protocol shares: what it takes and what it refuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NUMBER_RE } from './number-text.js';

test('decimal numbers with sign, point and exponent pass', () => {
  for (const s of ['0', '1', '+1', '-2.5', '.5', '3.', '1e3', '1E-3', '-.5e+10', '007']) assert.ok(NUMBER_RE.test(s), s);
});

test('blanks, hex, words and half numbers fail', () => {
  for (const s of ['', ' 1', '1 ', '+', '.', '1e', 'e3', '1.2.3', '0x10', 'NaN', 'Infinity', '-Infinity', '1_000', '1,5', '١']) assert.ok(!NUMBER_RE.test(s), JSON.stringify(s));
});
