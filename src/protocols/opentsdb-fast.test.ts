import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseOpenTsdbBody, putOpenTsdbPoints } from './opentsdb.js';
import { OpenTsdbKeyTable, parseOpenTsdbFast } from './opentsdb-fast.js';
import { CASES, ok } from './opentsdb-test-cases.js';

type Point = [metric: string, tags: [string, string][], ts: number, value: number];
const sortedEntries = (t: Record<string, string>): [string, string][] => Object.entries(t).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

/** The reference: JSON.parse + putOpenTsdbPoints; null when the text is not JSON. */
function reference(text: string): { points: Point[]; failed: number } | null {
  const parsed = parseOpenTsdbBody(text);
  if (parsed === null) return null;
  const points: Point[] = [];
  const r = putOpenTsdbPoints(parsed.body, (m, tags, ts, v) => { points.push([m, sortedEntries(tags), ts, v]); });
  return { points, failed: r.failed };
}

/** The fast path's points; null when it gives up. */
function fast(text: string, table = new OpenTsdbKeyTable()): Point[] | null {
  const b = parseOpenTsdbFast(Buffer.from(text, 'utf8'), table);
  if (b === null) return null;
  const out: Point[] = [];
  for (let i = 0; i < b.count; i++) out.push([table.name(b.keys[i]!), sortedEntries(table.tags(b.keys[i]!)), b.timestamps[i]!, b.values[i]!]);
  return out;
}

/** The property: when the fast path takes a body, the reference accepts every point, identically. */
function agree(text: string, table?: OpenTsdbKeyTable): Point[] | null {
  const f = fast(text, table);
  if (f === null) return null;
  const r = reference(text);
  assert.notEqual(r, null, `fast path took text that is not JSON: ${text}`);
  assert.equal(r!.failed, 0, `fast path took a body with bad points: ${text}`);
  assert.equal(f.length, r!.points.length);
  for (let i = 0; i < f.length; i++) {
    const fp: Point = f[i]!;
    const rp: Point = r!.points[i]!;
    const [fm, ft, fts, fv] = fp;
    const [rm, rt, rts, rv] = rp;
    assert.equal(fm, rm);
    assert.deepEqual(ft, rt);
    assert.ok(Object.is(fts, rts), `timestamp ${fts} vs ${rts} in ${text}`);
    assert.ok(Object.is(fv, rv), `value ${fv} vs ${rv} in ${text}`);
  }
  return f;
}

test('opentsdb fast path: the protocol table — valid points agree with the reference, bad points fall back', () => {
  for (const c of CASES) {
    const text = JSON.stringify(c.dp) ?? '';
    const f = agree(text);
    if (c.error !== null) assert.equal(f, null, c.name);
  }
  // The documentation example and the plain variants are taken by the fast path itself.
  assert.notEqual(agree(JSON.stringify(ok)), null);
  assert.notEqual(agree(JSON.stringify([ok, { ...ok, timestamp: '1346846400', value: '42.5' }, { metric: 'a', timestamp: 1, value: 1 }])), null);
  assert.deepEqual(agree('[]'), []);
  assert.deepEqual(agree(' \n[ ]\t'), []);
});

test('opentsdb fast path: unusual bodies go to the reference path', () => {
  const bodies = [
    '{"metric":"a\\u002eb","timestamp":1,"value":2}', // escape
    '{"metric":"caf\u00e9","timestamp":1,"value":2}', // non-ASCII name
    '{"metric":"m","timestamp":1,"value":2,"tags":{"h":"a","h":"b"}}', // repeated tag (JSON.parse: last wins)
    '{"metric":"m","metric":"n","timestamp":1,"value":2}', // repeated key
    '{"metric":"m","timestamp":1,"value":2,"extra":1}', // unknown key
    '{"metric":"m","timestamp":1,"value":2,"tags":null}',
    '{"metric":"m","timestamp":1,"value":2,"tags":{"port":80}}',
    '{"metric":"m","timestamp":1,"value":2,"tags":{"__proto__":"x"}}',
    '{"metric":"m","timestamp":1,"value":" 2 "}', // the reference trims; the fast path leaves that to it
    '{"metric":"m","timestamp":1,"value":1e400}',
    '{"metric":"m","timestamp":01,"value":2}', // not JSON
    '{"metric":"m","timestamp":1,"value":2,}',
    '[{"metric":"m","timestamp":1,"value":2}',
    '{"metric":"m","timestamp":1,"value":2} x',
    '\ufeff{"metric":"m","timestamp":1,"value":2}',
    '[[{"metric":"m","timestamp":1,"value":2}]]',
    '',
  ];
  for (const text of bodies) assert.equal(fast(text), null, text);
});

test('opentsdb fast path: numbers parse exactly as JSON.parse does', () => {
  const nums = ['0', '-0', '1', '42.5', '0.1', '0.3', '-1.25e-3', '1E2', '9007199254740993', '123456789012345', '1234567890123456',
    '0.000000000000000000001', '1.7976931348623157e308', '5e-324', '2.2250738585072014e-308', '123.456e10', '1e22', '1e23', '3.14159265358979'];
  for (const n of nums) {
    const f = agree(`{"metric":"m","timestamp":1346846400,"value":${n}}`);
    assert.notEqual(f, null, n);
    assert.ok(Object.is(f![0]![3], JSON.parse(n) as number), n);
  }
  fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 0, max: 17 }), (d, digits) => {
    for (const s of [String(d), d.toFixed(Math.min(digits, 10)), d.toExponential(Math.min(digits, 16)), d.toPrecision(digits + 1)]) {
      if (!Number.isFinite(Number(s))) continue;
      const f = agree(`{"metric":"m","timestamp":1346846400,"value":${s}}`);
      assert.notEqual(f, null, s);
    }
  }), { numRuns: 3000 });
});

// Random bodies: JSON-ish text assembled from good and bad pieces, odd spacing, any key order.
const space = fc.constantFrom('', '', '', ' ', '\n', '\t ', '\r\n  ');
const nameStr = fc.oneof(
  fc.stringMatching(/^[a-z][a-z0-9._/-]{0,8}$/),
  fc.constantFrom('sys.cpu', 'h-000001', 'dc1', '', 'a b', 'a*b', 'caf\u00e9', 'a\\"b', 'a\\u0041', '__proto__', 'x'.repeat(300)),
);
const numText = fc.oneof(
  fc.double({ noNaN: true }).map((d) => (Number.isFinite(d) ? String(d) : '1e999')),
  fc.integer({ min: -5, max: 2_000_000_000 }).map(String),
  fc.constantFrom('1346846400', '1346846400123', '13468464001234', '0', '-0', '01', '1.', '.5', '-', '1e', '+1', '1e5', '9999999999', '1346846400.5', '1e400'),
);
const scalar = fc.oneof(
  numText,
  numText.map((n) => `"${n}"`),
  nameStr.map((s) => `"${s}"`),
  fc.constantFrom('null', 'true', 'false', '""', '" 12 "', '[]', '{}', '"1\\u0030"'),
);
const tagsText = fc.oneof(
  fc.array(fc.tuple(nameStr, fc.oneof(nameStr.map((s) => `"${s}"`), scalar), space), { maxLength: 4 })
    .map((kv) => `{${kv.map(([k, v, s]) => `${s}"${k}"${s}:${s}${v}`).join(',')}}`),
  scalar,
);
const member = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom('metric', 'timestamp', 'value', 'tags'), fc.boolean()) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('extra', 'Metric', 'metri\\u0063', ''), fc.boolean()) },
);
const pointText = fc.tuple(fc.array(member, { minLength: 0, maxLength: 6 }), nameStr, numText, scalar, tagsText, space).map(
  ([keys, metric, ts, value, tags, s]) => {
    const parts = keys.map(([k]) => {
      const v = k === 'metric' ? `"${metric}"` : k === 'timestamp' ? ts : k === 'value' ? value : k === 'tags' ? tags : '1';
      return `${s}"${k}"${s}:${s}${v}${s}`;
    });
    return `{${parts.join(',')}}`;
  },
);
const goodPoint = fc.tuple(fc.stringMatching(/^[a-z][a-z0-9._/-]{0,8}$/), fc.integer({ min: 1, max: 9_999_999_999 }), fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9_]{0,5}$/), fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,6}$/), { maxKeys: 4 }))
  .map(([metric, timestamp, value, tags]) => JSON.stringify({ metric, timestamp, value, tags }));
const body = fc.oneof(
  pointText,
  goodPoint,
  fc.array(fc.oneof(pointText, goodPoint), { maxLength: 6 }).map((ps) => `[${ps.join(',')}]`),
  fc.array(goodPoint, { maxLength: 6 }).map((ps) => `[${ps.join(',')}]`),
);

test('opentsdb fast path (property): on random bodies it either gives up or gives exactly the reference points', () => {
  const table = new OpenTsdbKeyTable(); // shared across runs, as the route shares it across puts
  fc.assert(fc.property(body, fc.nat(), fc.nat(255), fc.boolean(), (text, at, byte, mutate) => {
    agree(text, table);
    agree(text.slice(0, at % (text.length + 1)), table); // truncated
    if (mutate && text.length > 0) {
      const b = Buffer.from(text, 'utf8');
      b[at % b.length] = byte;
      agree(b.toString('latin1'), table);
    }
  }), { numRuns: 5000 });
});

test('opentsdb fast path (property): plainly valid bodies are taken by the fast path', () => {
  fc.assert(fc.property(fc.array(goodPoint, { maxLength: 20 }), (ps) => {
    const text = `[${ps.join(',')}]`;
    assert.notEqual(agree(text), null, text);
  }), { numRuns: 1000 });
});

test('opentsdb key table: the same bytes give the same key; another tag order is another key of the same series', () => {
  const table = new OpenTsdbKeyTable();
  const text = '[{"metric":"m","timestamp":1,"value":1,"tags":{"a":"1","b":"2"}},{"tags":{"a":"1","b":"2"},"value":2,"timestamp":2,"metric":"m"},'
    + '{"metric":"m","timestamp":3,"value":3,"tags":{"b":"2","a":"1"}},{"metric":"m","timestamp":4,"value":4}]';
  const b = parseOpenTsdbFast(Buffer.from(text), table)!;
  assert.equal(b.count, 4);
  assert.equal(b.keys[0], b.keys[1]);
  assert.notEqual(b.keys[2], b.keys[0]);
  assert.deepEqual(table.tags(b.keys[2]!), { b: '2', a: '1' });
  assert.deepEqual(table.tags(b.keys[3]!), {});
  assert.equal(table.size, 3);
  // Many keys: the table grows and rehashes, every key still found.
  const many = Array.from({ length: 5000 }, (_, i) => `{"metric":"m${i % 7}","timestamp":1,"value":${i},"tags":{"host":"h${i}"}}`);
  const b2 = parseOpenTsdbFast(Buffer.from(`[${many.join(',')}]`), table)!;
  const first = Array.from(b2.keys.subarray(0, b2.count));
  const b3 = parseOpenTsdbFast(Buffer.from(`[${many.join(',')}]`), table)!;
  assert.deepEqual(Array.from(b3.keys.subarray(0, b3.count)), first);
  assert.equal(table.size, 3 + 5000);
  for (let i = 0; i < 5000; i++) assert.equal(table.tags(first[i]!).host, `h${i}`);
});

test('opentsdb key table: starts over beyond its bound, between puts only', () => {
  const table = new OpenTsdbKeyTable(10);
  const many = Array.from({ length: 25 }, (_, i) => `{"metric":"m","timestamp":1,"value":${i},"tags":{"host":"h${i}"}}`);
  const b = parseOpenTsdbFast(Buffer.from(`[${many.join(',')}]`), table)!;
  assert.equal(b.count, 25);
  for (let i = 0; i < 25; i++) assert.equal(table.tags(b.keys[i]!).host, `h${i}`); // every key of the put stays valid
  table.handles[b.keys[0]!] = {};
  const b2 = parseOpenTsdbFast(Buffer.from(many[3]!), table)!;
  assert.equal(table.size, 1);
  assert.equal(table.handles[b2.keys[0]!], undefined); // cached handles went with the keys
  assert.equal(table.tags(b2.keys[0]!).host, 'h3');
});

test('opentsdb key table (property): the guessed next key is taken only for the very same bytes', () => {
  // Series whose bytes are prefixes of one another (name, tags), with and without tags, with {}:
  // repeated orders make the guess right, the others make it wrong in every way.
  const pool = ['"metric":"m"', '"metric":"m1"', '"metric":"m.a"'].flatMap((m) =>
    ['', ',"tags":{}', ',"tags":{"a":"1"}', ',"tags":{"a":"1","b":"2"}', ',"tags":{"a":"12"}', ',"tags":{"b":"2","a":"1"}'].map((t) => [m, t] as const));
  const identity = (m: string, t: string): string => `${m}|${t}`;
  const table = new OpenTsdbKeyTable();
  const keyOf = new Map<string, number>();
  fc.assert(fc.property(fc.array(fc.nat(pool.length - 1), { minLength: 1, maxLength: 12 }), fc.nat(3), fc.boolean(), (order, repeat, tagsFirst) => {
    const points = order.map((s, i) => {
      const [m, t] = pool[s]!;
      return tagsFirst && t !== '' ? `{${t.slice(1)},${m},"timestamp":${i + 1},"value":${i}}` : `{${m},"timestamp":${i + 1},"value":${i}${t}}`;
    });
    for (let r = 0; r <= repeat; r++) {
      const text = `[${points.join(',')}]`;
      assert.notEqual(agree(text, table), null, text);
      const b = parseOpenTsdbFast(Buffer.from(text), table)!;
      order.forEach((s, i) => {
        const id = identity(...pool[s]!);
        const k = keyOf.get(id);
        if (k === undefined) keyOf.set(id, b.keys[i]!);
        else assert.equal(b.keys[i], k, `${id} in ${text}`);
      });
    }
  }), { numRuns: 2000 });
  assert.equal(table.size, keyOf.size);
});

test('opentsdb fast path: timestamps that differ only in their last bytes, in one body, each as the reference takes it', () => {
  // Integer timestamps take a shortcut (no generic checks); neighbours that only extend or change
  // the last digit, a fraction, an exponent or quotes must not borrow its result or its length.
  const stamps = ['1700000000', '1700000001', '1700000000.5', '1700000000.0', '"1700000000"', '17000000000', '1700000000e0', '1700000000E1',
    '9999999999', '10000000000', '1700000000000', '9999999999999', '10000000000000', '999999999999999', '1000000000000000', '1', '0', '-1700000000', '1e9',
    '000001', '17000000001700000000'];
  for (const a of stamps) {
    for (const b of stamps) {
      for (const sep of ['', ' ', '\n']) {
        const text = `[{"metric":"m","timestamp":${a}${sep},"value":1},{"metric":"m","timestamp":${b}${sep},"value":2},{"value":3,"timestamp":${a}${sep},"metric":"m"}]`;
        agree(text);
      }
    }
  }
  fc.assert(fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 99_999_999_999_999 }).map(String), numText), { minLength: 1, maxLength: 8 }), (ts) => {
    agree(`[${ts.map((t, i) => `{"metric":"m","timestamp":${t},"value":${i}}`).join(',')}]`);
  }), { numRuns: 2000 });
  const f = agree('[{"metric":"m","timestamp":1700000000,"value":1},{"metric":"m","timestamp":1700000000.5,"value":1},{"metric":"m","timestamp":"1700000000","value":1},{"metric":"m","timestamp":1700000000123,"value":1}]');
  assert.deepEqual(f?.map((p) => p[2]), [1700000000000, 1700000000500, 1700000000000, 1700000000123]);
});

test('opentsdb fast path: odd values and near-miss keys agree with the reference', () => {
  const values = ['1.', '-', '-1.', '1.e5', '01', '-01', '1.5.3', '00', '0.', '.5', '1e', '-0', '0.5', '-0.0', '123456789012345', '1234567890123456',
    '12345678901234.5', '1.23456789012345', '-999999999999999.9', '1..2', '5-', '1e5', '1.5E-3', '9.99', '-12.000', '"12.5"', '1x'];
  for (const v of values) {
    const text = `[{"metric":"m","timestamp":1,"value":${v}},{"metric":"m","timestamp":2,"value":${v},"tags":{"a":"b"}}]`;
    const f = agree(text);
    const r = reference(text);
    if (f === null) assert.ok(r === null || r.failed > 0, `fast path refused a good value ${v}`);
  }
  const keys = ['metrix', 'metri', 'timestam', 'timestampp', 'Timestamp', 'valu', 'valuee', 'tag', 'tagss', 'tags ', 'm', ''];
  for (const k of keys) {
    for (const at of ['{', ',']) {
      const extra = `"${k}":1`;
      agree(at === '{' ? `{${extra},"metric":"m","timestamp":1,"value":2}` : `{"metric":"m","timestamp":1,"value":2,${extra}}`);
      agree(at === '{' ? `[{${extra}}]` : `{"metric":"m",${extra}}`); // near the end of the body
    }
  }
});

test('opentsdb key table (property): names and tags that differ in any one byte are other keys, guessed or looked up', () => {
  const nameChar = fc.constantFrom(...'abcxyz019._-/'.split(''));
  fc.assert(fc.property(fc.array(nameChar, { minLength: 1, maxLength: 40 }), fc.array(nameChar, { minLength: 1, maxLength: 30 }), fc.nat(), nameChar, fc.boolean(),
    (nameChars, valueChars, at, ch, inTags) => {
      const name = nameChars.join('');
      const tagValue = valueChars.join('');
      const src = inTags ? valueChars : nameChars;
      const i = at % src.length;
      if (src[i] === ch) return;
      const other = [...src.slice(0, i), ch, ...src.slice(i + 1)].join('');
      const [name2, tagValue2] = inTags ? [name, other] : [other, tagValue];
      const pt = (m: string, v: string, t: number): string => `{"metric":"${m}","timestamp":${t},"value":1,"tags":{"host":"${v}"}}`;
      const table = new OpenTsdbKeyTable();
      // a b a b: the second pair is guessed; then b a: found in the table with the guess wrong.
      const text = `[${pt(name, tagValue, 1)},${pt(name2, tagValue2, 2)},${pt(name, tagValue, 3)},${pt(name2, tagValue2, 4)},${pt(name2, tagValue2, 5)},${pt(name, tagValue, 6)}]`;
      const f = agree(text, table);
      assert.notEqual(f, null, text);
      const b = parseOpenTsdbFast(Buffer.from(text), table)!;
      const k = Array.from(b.keys.subarray(0, b.count));
      assert.deepEqual(k, [k[0], k[1], k[0], k[1], k[1], k[0]]);
      assert.notEqual(k[0], k[1]);
      assert.equal(table.size, 2);
    }), { numRuns: 2000 });
});
