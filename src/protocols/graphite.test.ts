import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseGraphiteLine, parseGraphiteLines, takeCompleteLines } from './graphite.js';

const NOW = 1_700_000_000_000;
const CASES: Array<{ name: string; line: string; want: ReturnType<typeof parseGraphiteLine> }> = [
  { name: 'path value timestamp', line: 'servers.a.cpu 42.5 1700000000', want: { path: 'servers.a.cpu', value: 42.5, timestampMs: 1_700_000_000_000, tags: {} } },
  { name: 'tabs and trailing CR', line: 'a.b\t1\t1700000000\r', want: { path: 'a.b', value: 1, timestampMs: 1_700_000_000_000, tags: {} } },
  { name: 'fractional seconds', line: 'a 1 1700000000.25', want: { path: 'a', value: 1, timestampMs: 1_700_000_000_250, tags: {} } },
  { name: '-1 means now', line: 'a 1 -1', want: { path: 'a', value: 1, timestampMs: NOW, tags: {} } },
  { name: 'negative and exponent values', line: 'a -1.5e3 1', want: { path: 'a', value: -1500, timestampMs: 1000, tags: {} } },
  { name: 'Graphite 1.1 tags', line: 'disk.used;host=a;dc=x 5 1', want: { path: 'disk.used', value: 5, timestampMs: 1000, tags: { host: 'a', dc: 'x' } } },
  { name: 'missing timestamp', line: 'a 1', want: null },
  { name: 'extra field', line: 'a 1 2 3', want: null },
  { name: 'value not a number', line: 'a x 1', want: null },
  { name: 'nan value is dropped', line: 'a nan 1', want: null },
  { name: 'bad timestamp', line: 'a 1 yesterday', want: null },
  { name: 'empty path segment', line: 'a..b 1 1', want: null },
  { name: 'tag without value', line: 'a;host 1 1', want: null },
];

for (const c of CASES) {
  test(`graphite line: ${c.name}`, () => assert.deepEqual(parseGraphiteLine(c.line, NOW), c.want));
}

test('a malformed line is counted and the others are kept', () => {
  const r = parseGraphiteLines('a 1 1\nbad\n\nb 2 2\n', NOW);
  assert.deepEqual(r.metrics.map((m) => m.path), ['a', 'b']);
  assert.equal(r.malformed, 1);
});

test('fuzz: never throws and never yields a partial record', () => {
  const line = fc.oneof(fc.string(), fc.tuple(fc.string({ maxLength: 10 }), fc.oneof(fc.double().map(String), fc.string({ maxLength: 3 })), fc.oneof(fc.integer().map(String), fc.string({ maxLength: 3 })))
    .map(([p, v, t]) => `${p} ${v} ${t}`));
  fc.assert(fc.property(fc.array(line, { maxLength: 6 }), (lines) => {
    const r = parseGraphiteLines(lines.join('\n'), NOW);
    for (const m of r.metrics) {
      assert.ok(m.path.length > 0 && !/\s/.test(m.path));
      assert.ok(Number.isFinite(m.value) && Number.isInteger(m.timestampMs) && m.timestampMs >= 0);
    }
  }), { numRuns: 2000 });
});

test('a TCP stream split mid-line keeps the partial line for the next chunk', () => {
  let carry = '';
  const got: string[] = [];
  for (const chunk of ['a 1 1\nb 2', ' 2\nc 3 3', '\n']) {
    const { complete, rest } = takeCompleteLines(carry + chunk);
    carry = rest;
    got.push(...parseGraphiteLines(complete, NOW).metrics.map((m) => m.path));
  }
  assert.deepEqual(got, ['a', 'b', 'c']);
  assert.equal(carry, '');
});
