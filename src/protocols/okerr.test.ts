import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { evaluateOkerr, isOkerrFailure, okerrNoProject, parseOkerrMethod, parseOkerrNumber, parseOkerrUpdate, type OkerrMethod } from './okerr.js';

test('K/M/G suffixes multiply by powers of 1024', () => {
  assert.deepEqual(['10', '10K', '1.5M', '2G', '3k', ' 7 ', 'x', '1T', ''].map(parseOkerrNumber),
    [10, 10240, 1.5 * 1024 ** 2, 2 * 1024 ** 3, 3072, 7, null, null, null]);
});

const METHODS: Array<{ line: string; want: unknown }> = [
  { line: 'heartbeat', want: { codename: 'heartbeat' } },
  { line: 'numerical|maxlim=37', want: { codename: 'numerical', minlim: null, maxlim: 37, diffmin: null, diffmax: null } },
  { line: 'numerical|minlim=0|maxlim=100', want: { codename: 'numerical', minlim: 0, maxlim: 100, diffmin: null, diffmax: null } },
  { line: 'numerical|maxlim=10M|diffmax=20%|diffmin=-5', want: { codename: 'numerical', minlim: null, maxlim: 10 * 1024 ** 2, diffmin: { value: -5, percent: false }, diffmax: { value: 20, percent: true } } },
  { line: 'numerical|diffmax=1K', want: { codename: 'numerical', minlim: null, maxlim: null, diffmin: null, diffmax: { value: 1024, percent: false } } },
  { line: 'string|options=dynamic empty_err', want: { codename: 'string', options: ['dynamic', 'empty_err'] } },
  { line: 'string', want: { codename: 'string', options: [] } },
  { line: 'numerical|maxlim=abc', want: { status: 400, message: 'bad cm line' } },
  { line: 'numerical|maxlim', want: { status: 400, message: 'bad cm line' } },
  { line: 'string|options=loud', want: { status: 400, message: 'bad cm line' } },
  { line: 'sha1static|x=1', want: { status: 400, message: "Unknown checkname with codename 'sha1static'" } },
];
for (const c of METHODS) test(`method line: ${c.line}`, () => assert.deepEqual(parseOkerrMethod(c.line), c.want));

test('update: required fields, tags, method', () => {
  const ok = parseOkerrUpdate(new URLSearchParams({ textid: 'default', name: 'test:1', status: '36.6', details: 'normal', method: 'numerical|maxlim=37', tags: 'a,b_2' }));
  assert.ok(!isOkerrFailure(ok));
  if (isOkerrFailure(ok)) return;
  assert.equal(ok.name, 'test:1');
  assert.deepEqual(ok.tags, ['a', 'b_2']);
  assert.equal(ok.method?.codename, 'numerical');
  assert.deepEqual(parseOkerrUpdate({ textid: 'p', status: 'OK' }), { status: 400, message: "Missing required field 'name'" });
  assert.deepEqual(parseOkerrUpdate({ textid: 'p', name: 'n' }), { status: 400, message: "Missing required field 'status'" });
  assert.deepEqual(parseOkerrUpdate({ textid: 'p', name: 'n', status: 'OK', tags: 'ok,bad-tag' }), { status: 400, message: "bad tag 'bad-tag'" });
  assert.deepEqual(parseOkerrUpdate({ textid: 'p', name: 'n', status: 'OK', method: 'nope' }), { status: 400, message: "Unknown checkname with codename 'nope'" });
  assert.deepEqual(okerrNoProject('X'), { status: 404, message: "No such project. (textid: 'X')" });
});

const num = (line: string): OkerrMethod => parseOkerrMethod(line) as OkerrMethod;
const EVALS: Array<{ name: string; method: OkerrMethod; status: string; prev: string | null; state: 'OK' | 'ERR'; details?: string }> = [
  { name: 'heartbeat OK', method: { codename: 'heartbeat' }, status: 'OK', prev: null, state: 'OK' },
  { name: 'heartbeat ERR', method: { codename: 'heartbeat' }, status: 'ERR', prev: null, state: 'ERR' },
  { name: 'numerical within limits', method: num('numerical|maxlim=37'), status: '36.6', prev: null, state: 'OK' },
  { name: 'numerical above maxlim', method: num('numerical|maxlim=37'), status: '38', prev: null, state: 'ERR', details: '38 > maxlim 37' },
  { name: 'numerical below minlim with suffix', method: num('numerical|minlim=1G'), status: '512M', prev: null, state: 'ERR' },
  { name: 'numerical not a number', method: num('numerical|maxlim=1'), status: 'hot', prev: null, state: 'ERR' },
  { name: 'diffmax absolute exceeded', method: num('numerical|diffmax=5'), status: '20', prev: '10', state: 'ERR', details: 'diff 10 > diffmax 5' },
  { name: 'diffmax percent within', method: num('numerical|diffmax=50%'), status: '14', prev: '10', state: 'OK' },
  { name: 'diffmax percent exceeded', method: num('numerical|diffmax=30%'), status: '14', prev: '10', state: 'ERR', details: 'diff 40% > diffmax 30%' },
  { name: 'diffmin percent exceeded downwards', method: num('numerical|diffmin=-10%'), status: '8', prev: '10', state: 'ERR' },
  { name: 'diff ignored on the first update', method: num('numerical|diffmax=1'), status: '100', prev: null, state: 'OK' },
  { name: 'string text is OK', method: { codename: 'string', options: ['text'] }, status: 'hello', prev: null, state: 'OK' },
  { name: 'string empty_err', method: { codename: 'string', options: ['empty_err'] }, status: '', prev: null, state: 'ERR' },
  { name: 'string empty is OK by default', method: { codename: 'string', options: [] }, status: '', prev: null, state: 'OK' },
  { name: 'string dynamic change', method: { codename: 'string', options: ['dynamic'] }, status: 'b', prev: 'a', state: 'ERR' },
  { name: 'string dynamic unchanged', method: { codename: 'string', options: ['dynamic'] }, status: 'a', prev: 'a', state: 'OK' },
];
for (const c of EVALS) {
  test(`evaluate: ${c.name}`, () => {
    const r = evaluateOkerr(c.method, c.status, '', c.prev);
    assert.equal(r.state, c.state);
    if (c.details !== undefined) assert.equal(r.details, c.details);
  });
}

test('the client details are kept next to the evaluation', () => {
  assert.equal(evaluateOkerr(num('numerical|maxlim=37'), '38', 'too hot', null).details, '38 > maxlim 37 (too hot)');
  assert.equal(evaluateOkerr({ codename: 'heartbeat' }, 'OK', 'fine', null).details, 'fine');
});

test('fuzz: parsing and evaluating never throw; results are complete', () => {
  const key = fc.constantFrom('textid', 'name', 'status', 'method', 'tags', 'details', 'secret', 'policy', 'x');
  const methodLine = fc.oneof(fc.string(), fc.tuple(fc.constantFrom('heartbeat', 'numerical', 'string', 'x'),
    fc.array(fc.tuple(fc.constantFrom('minlim', 'maxlim', 'diffmin', 'diffmax', 'options', ''), fc.oneof(fc.string({ maxLength: 5 }), fc.double().map(String))), { maxLength: 3 }))
    .map(([c, kv]) => [c, ...kv.map(([k, v]) => `${k}=${v}`)].join('|')));
  fc.assert(fc.property(fc.dictionary(key, fc.string({ maxLength: 8 })), methodLine, fc.string({ maxLength: 6 }), fc.option(fc.string({ maxLength: 6 })),
    (fields, line, status, prev) => {
      const u = parseOkerrUpdate({ ...fields, method: line });
      if (isOkerrFailure(u)) {
        assert.ok(u.status === 400 && u.message.length > 0);
        return;
      }
      assert.ok(u.textid.trim() !== '' && u.name.trim() !== '');
      const ev = evaluateOkerr(u.method ?? { codename: 'heartbeat' }, status, u.details, prev);
      assert.ok(ev.state === 'OK' || ev.state === 'ERR');
      assert.equal(typeof ev.details, 'string');
    }), { numRuns: 2000 });
});
