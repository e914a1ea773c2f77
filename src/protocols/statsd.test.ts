import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseStatsdDatagram, parseStatsdLine, type StatsdMetric } from './statsd.js';

const base = { value: 0, member: '', sampleRate: 1, delta: false, tags: {} };
const CASES: Array<{ name: string; line: string; want: Partial<StatsdMetric> & Pick<StatsdMetric, 'name' | 'kind'> | null }> = [
  { name: 'counter', line: 'gorets:1|c', want: { name: 'gorets', kind: 'counter', value: 1 } },
  { name: 'counter with a sample rate', line: 'gorets:1|c|@0.1', want: { name: 'gorets', kind: 'counter', value: 1, sampleRate: 0.1 } },
  { name: 'fractional counter', line: 'bytes:2.5|c', want: { name: 'bytes', kind: 'counter', value: 2.5 } },
  { name: 'timer in ms', line: 'glork:320|ms', want: { name: 'glork', kind: 'timer', value: 320 } },
  { name: 'timer with a sample rate', line: 'glork:320|ms|@0.5', want: { name: 'glork', kind: 'timer', value: 320, sampleRate: 0.5 } },
  { name: 'histogram is a timer', line: 'size:12|h', want: { name: 'size', kind: 'timer', value: 12 } },
  { name: 'DogStatsD distribution is a timer', line: 'lat:3|d', want: { name: 'lat', kind: 'timer', value: 3 } },
  { name: 'gauge', line: 'gaugor:333|g', want: { name: 'gaugor', kind: 'gauge', value: 333 } },
  { name: 'gauge increment', line: 'gaugor:+10|g', want: { name: 'gaugor', kind: 'gauge', value: 10, delta: true } },
  { name: 'gauge decrement', line: 'gaugor:-4|g', want: { name: 'gaugor', kind: 'gauge', value: -4, delta: true } },
  { name: 'set', line: 'uniques:765|s', want: { name: 'uniques', kind: 'set', member: '765' } },
  { name: 'DogStatsD tags', line: 'page.views:1|c|#env:prod,host:a', want: { name: 'page.views', kind: 'counter', value: 1, tags: { env: 'prod', host: 'a' } } },
  { name: 'rate and tags in any order', line: 'x:2|c|#k:v|@0.5', want: { name: 'x', kind: 'counter', value: 2, sampleRate: 0.5, tags: { k: 'v' } } },
  { name: 'a bare tag has an empty value', line: 'x:1|c|#canary', want: { name: 'x', kind: 'counter', value: 1, tags: { canary: '' } } },
  { name: 'a tag value may contain colons', line: 'x:1|c|#url:http://a', want: { name: 'x', kind: 'counter', value: 1, tags: { url: 'http://a' } } },
  { name: 'name sanitised like etsy statsd', line: 'my key/a$b:1|c', want: { name: 'my_key-ab', kind: 'counter', value: 1 } },
  { name: 'DogStatsD container id ignored', line: 'x:1|c|c:abc', want: { name: 'x', kind: 'counter', value: 1 } },
  { name: 'missing type', line: 'x:1', want: null },
  { name: 'unknown type', line: 'x:1|zz', want: null },
  { name: 'not a number', line: 'x:abc|c', want: null },
  { name: 'empty value', line: 'x:|c', want: null },
  { name: 'missing name', line: ':1|c', want: null },
  { name: 'name made of removed characters', line: '$$:1|c', want: null },
  { name: 'sample rate zero', line: 'x:1|c|@0', want: null },
  { name: 'sample rate above one', line: 'x:1|c|@2', want: null },
  { name: 'unknown extra field', line: 'x:1|c|zz', want: null },
  { name: 'infinite value', line: 'x:1e999|g', want: null },
];

for (const c of CASES) {
  test(`statsd line: ${c.name}`, () => {
    const got = parseStatsdLine(c.line);
    if (c.want === null) assert.equal(got, null);
    else assert.deepEqual(got, { ...base, ...c.want });
  });
}

test('several metrics per datagram; a malformed line is counted and the rest kept', () => {
  const r = parseStatsdDatagram('a:1|c\nbroken\r\nb:2|ms\n\nc:3|g\n');
  assert.deepEqual(r.metrics.map((m) => m.name), ['a', 'b', 'c']);
  assert.equal(r.malformed, 1);
});

test('fuzz: never throws, and every record is complete and valid', () => {
  const line = fc.oneof(
    fc.string(),
    fc.tuple(fc.string({ maxLength: 8 }), fc.oneof(fc.double().map(String), fc.string({ maxLength: 4 })), fc.constantFrom('c', 'ms', 'h', 'g', 's', 'x', ''),
      fc.option(fc.string({ maxLength: 6 })), fc.option(fc.string({ maxLength: 10 })))
      .map(([n, v, t, r, tags]) => `${n}:${v}|${t}${r === null ? '' : `|@${r}`}${tags === null ? '' : `|#${tags}`}`),
  );
  fc.assert(fc.property(fc.array(line, { maxLength: 8 }), (lines) => {
    const text = lines.join('\n');
    const r = parseStatsdDatagram(text);
    const nonEmpty = text.split('\n').filter((l) => l.replace(/\r$/, '').trim() !== '').length;
    assert.equal(r.metrics.length + r.malformed, nonEmpty);
    for (const m of r.metrics) {
      assert.ok(m.name.length > 0 && /^[a-zA-Z_\-0-9.]+$/.test(m.name));
      assert.ok(Number.isFinite(m.value));
      assert.ok(m.sampleRate > 0 && m.sampleRate <= 1);
      assert.ok(['counter', 'timer', 'gauge', 'set'].includes(m.kind));
      if (m.kind === 'set') assert.ok(m.member.length > 0);
    }
  }), { numRuns: 2000 });
});

test('a type named like an Object member (constructor, toString) is malformed, not a metric', () => {
  for (const t of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
    const r = parseStatsdDatagram(`x:1|${t}\nok:2|c`);
    assert.equal(r.malformed, 1, t);
    assert.deepEqual(r.metrics.map((m) => m.name), ['ok']);
  }
});
