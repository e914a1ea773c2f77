import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decideOddEye, oddEyeAnswerBody, oddEyeSpecialReport, oddEyeStatusToState, oddEyeTypeToMetricType, parseOddEyeElement, splitOddEyeBody } from './oddeye.js';

const UUID = 'a1b2c3d4-0000-4000-8000-0123456789ab';
const el = { metric: 'rated_metric_name', reaction: 0, tags: { cluster: 'c', host: 'h.example.com' }, timestamp: 1492526216, type: 'Rate', value: 12 };

test('raw JSON after data= is taken as is: + and & inside strings survive', () => {
  const json = JSON.stringify([{ ...el, tags: { host: 'a+b&c=d' } }]);
  const f = splitOddEyeBody(`UUID=${UUID}&data=${json}`);
  assert.equal(f.uuid, UUID);
  assert.equal(f.data, json);
});

test('fields after the raw JSON are still read', () => {
  const json = JSON.stringify([el]);
  const f = splitOddEyeBody(`data=${json}&UUID=${UUID}&sandbox=1`);
  assert.deepEqual(f, { uuid: UUID, data: json, sandbox: '1' });
});

test('URL-encoded data falls back to form decoding', () => {
  const json = JSON.stringify([{ ...el, tags: { host: 'a+b' } }]);
  const f = splitOddEyeBody(new URLSearchParams({ UUID, data: json }).toString());
  assert.deepEqual(JSON.parse(f.data!), JSON.parse(json));
});

const DECISIONS: Array<{ name: string; uuid: string | null; data: string | null; status: number; message?: string }> = [
  { name: 'missing UUID → 406 EMPTY UUID', uuid: null, data: '[]', status: 406, message: 'EMPTY UUID' },
  { name: 'empty UUID → 406', uuid: '', data: '[]', status: 406, message: 'EMPTY UUID' },
  { name: 'malformed UUID → 424 NOT VALID UUID', uuid: 'xxxxxxxx', data: '[]', status: 424, message: 'NOT VALID UUID' },
  { name: 'no data → 424 Empty Data', uuid: UUID, data: null, status: 424, message: 'Empty Data' },
  { name: 'blank data → 424 Empty Data', uuid: UUID, data: '  ', status: 424, message: 'Empty Data' },
  { name: 'unparseable JSON → 415', uuid: UUID, data: '[{"metric":', status: 415, message: 'Unknown error' },
  { name: 'no valid element → 411', uuid: UUID, data: '[{"metric":"x"}]', status: 411, message: 'Not valid data' },
  { name: 'empty array → 411', uuid: UUID, data: '[]', status: 411, message: 'Not valid data' },
  { name: 'good data → 200', uuid: UUID, data: JSON.stringify([el]), status: 200 },
  { name: 'a single object is accepted', uuid: UUID, data: JSON.stringify(el), status: 200 },
];
for (const c of DECISIONS) {
  test(`decision: ${c.name}`, () => {
    const d = decideOddEye({ uuid: c.uuid, data: c.data, sandbox: null });
    assert.equal(d.status, c.status);
    if (c.message !== undefined) assert.deepEqual(oddEyeAnswerBody(d), { state: 'FAILURE', message: c.message });
    else assert.deepEqual(oddEyeAnswerBody(d), { state: 'OK' });
  });
}

const ELEMENTS: Array<{ name: string; el: unknown; ok: boolean; check?: (e: Exclude<ReturnType<typeof parseOddEyeElement>, string>) => void }> = [
  { name: 'numeric string value', el: { ...el, value: '0.73' }, ok: true, check: (e) => assert.equal(e.value, 0.73) },
  { name: 'numeric string timestamp, fractional seconds', el: { ...el, timestamp: '1492526216.5' }, ok: true, check: (e) => assert.equal(e.timestampMs, 1492526216500) },
  { name: 'type names are case-insensitive', el: { ...el, type: 'COUNTER' }, ok: true, check: (e) => assert.equal(e.type, 'counter') },
  { name: 'unknown type means None', el: { ...el, type: 'Weird' }, ok: true, check: (e) => assert.equal(e.type, 'none') },
  { name: 'reaction defaults to 0', el: { metric: 'm', timestamp: 1, value: 1, tags: {} }, ok: true, check: (e) => assert.equal(e.reaction, 0) },
  { name: 'Special with status and message', el: { ...el, type: 'Special', status: 'ERROR', message: 'down', reaction: -2 }, ok: true,
    check: (e) => { assert.equal(e.status, 'ERROR'); assert.equal(e.message, 'down'); assert.equal(e.reaction, -2); } },
  { name: 'Special without a valid status', el: { ...el, type: 'Special', status: 'BAD' }, ok: false },
  { name: 'missing metric', el: { ...el, metric: undefined }, ok: false },
  { name: 'missing tags', el: { ...el, tags: undefined }, ok: false },
  { name: 'value not numeric', el: { ...el, value: 'high' }, ok: false },
  { name: 'missing timestamp', el: { ...el, timestamp: undefined }, ok: false },
  { name: 'tag value an object', el: { ...el, tags: { a: {} } }, ok: false },
];
for (const c of ELEMENTS) {
  test(`element: ${c.name}`, () => {
    const r = parseOddEyeElement(c.el);
    if (!c.ok) assert.equal(typeof r, 'string');
    else {
      assert.notEqual(typeof r, 'string', String(r));
      if (typeof r !== 'string') c.check?.(r);
    }
  });
}

test('drops the bad element, keeps the rest and reports it', () => {
  const d = decideOddEye({ uuid: UUID, data: JSON.stringify([el, { ...el, value: 'x' }, el]), sandbox: null });
  assert.equal(d.status, 200);
  if (d.status !== 200) return;
  assert.equal(d.elements.length, 2);
  assert.deepEqual(d.rejected, [{ index: 1, error: 'value: required number or numeric string' }]);
  assert.equal(oddEyeAnswerBody(d).accepted, 2);
});

test('Special statuses and types map onto Oversee states and metric types', () => {
  assert.deepEqual(['OK', 'ELEVATED', 'WARNING', 'ERROR'].map((s) => oddEyeStatusToState(s as 'OK')), ['OK', 'WARN', 'WARN', 'ERR']);
  assert.deepEqual((['none', 'rate', 'percent', 'counter', 'special'] as const).map(oddEyeTypeToMetricType), ['gauge', 'rate', 'percent', 'counter', 'gauge']);
});

test('fuzz: never throws, never yields a partial element', () => {
  const element = fc.oneof(fc.anything(), fc.record({
    metric: fc.oneof(fc.string(), fc.constant('cpu')), timestamp: fc.oneof(fc.double(), fc.string({ maxLength: 12 }), fc.integer()),
    value: fc.oneof(fc.double(), fc.string({ maxLength: 6 })), tags: fc.oneof(fc.dictionary(fc.string({ maxLength: 4 }), fc.anything()), fc.anything()),
    type: fc.oneof(fc.constantFrom('Rate', 'special', 'None', 'x'), fc.anything()), status: fc.oneof(fc.constantFrom('OK', 'ERROR'), fc.anything()),
    reaction: fc.anything(),
  }, { requiredKeys: [] }));
  fc.assert(fc.property(fc.array(element, { maxLength: 4 }), fc.string({ maxLength: 6 }), (els, junk) => {
    const body = `UUID=${UUID}&data=${JSON.stringify(els)}${junk}`;
    const d = decideOddEye(splitOddEyeBody(body));
    assert.ok([200, 406, 411, 415, 424].includes(d.status));
    if (d.status === 200) {
      for (const e of d.elements) {
        assert.ok(e.metric.trim() !== '' && Number.isFinite(e.value) && Number.isFinite(e.timestampMs) && Number.isFinite(e.reaction));
        if (e.type === 'special') assert.ok(e.status !== null);
      }
    }
  }), { numRuns: 1500 });
});

test('Special elements: state, Severe banner, heartbeat minutes and auto-clear', () => {
  const special = (status: string, reaction: number) => {
    const e = parseOddEyeElement({ ...el, type: 'Special', status, reaction, message: 'm' });
    assert.notEqual(typeof e, 'string');
    return oddEyeSpecialReport(e as Exclude<typeof e, string>);
  };
  assert.deepEqual(special('ERROR', 0), { state: 'ERR', info: 'm', severe: true, heartbeatS: null, autoClearS: null });
  assert.deepEqual(special('WARNING', 5), { state: 'WARN', info: 'm', severe: false, heartbeatS: 300, autoClearS: null });
  assert.deepEqual(special('OK', -2), { state: 'OK', info: 'm', severe: false, heartbeatS: null, autoClearS: 120 });
  assert.equal(oddEyeSpecialReport(parseOddEyeElement(el) as Exclude<ReturnType<typeof parseOddEyeElement>, string>), null);
});

test('a type named like an Object member (constructor, toString) means None', () => {
  for (const t of ['constructor', 'toString', '__proto__']) {
    const r = parseOddEyeElement({ metric: 'm', timestamp: 1, value: 1, tags: {}, type: t });
    assert.ok(typeof r !== 'string', t);
    assert.equal(r.type, 'none', t);
  }
});
