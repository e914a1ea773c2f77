import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import fc from 'fast-check';
import type { Check } from '../domain/types.js';
import { appFixture, type AppFixture } from '../test-support/app-fixture.js';
import { autoClearRepoFor, sweepAutoClear } from './oddeye-autoclear.js';
import { metricsAppFixture, storedPoints } from './samples-test-support.js';
import type { Tsdb } from '../tsdb/index.js';

const URL_PATH = '/oddeye-barlus/put/tsdb';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** A time within the tsdb's raw retention at the fixture's clock (1.7e12 ms). */
const T_S = 1_699_999_000;
const T_MS = T_S * 1000;

const special = (metric: string, status: string, more: Record<string, unknown> = {}) => ({
  metric, status, type: 'Special', value: 0, timestamp: T_S, reaction: 0, message: `${metric} is ${status}`,
  tags: { host: 'hobbit', cluster: 'testcluster' }, ...more,
});

describe('OddEye metric API over HTTP', () => {
  let f: AppFixture & { tsdb: Tsdb };
  let uuid: string;
  let projectId: number;
  before(async () => {
    f = await metricsAppFixture();
    const project = (await f.store.projects.getByName('default'))!;
    uuid = project.ingestToken;
    projectId = project.id;
  });
  after(async () => { await f.close(); });
  beforeEach(() => { f.clock.t += 1000; });
  /** Samples stored so far under `name` (any tags) around T. */
  const stored = (name: string) => storedPoints(f.tsdb, projectId, name, T_MS - 60_000, T_MS + 60_000);
  const seriesCount = () => f.tsdb.series({ projectId }).length;

  /** Posts the body exactly as OddEye agents do: the JSON after data= is not URL-encoded. */
  const put = (data: unknown, extra = '') =>
    f.app.inject({ method: 'POST', url: URL_PATH, headers: FORM, payload: `UUID=${uuid}${extra}&data=${typeof data === 'string' ? data : JSON.stringify(data)}` });
  const check = async (host: string, name: string): Promise<Check | null> => {
    const h = await f.store.hosts.getWithKey(projectId, host);
    return h === null ? null : f.store.checks.getByName(h.id, name);
  };
  const countChecks = async () => (await f.store.checks.list({ limit: 10_000 })).items.length;

  describe('answers', () => {
    const metric = { metric: 'cpu', timestamp: T_S, value: 12, tags: { host: 'h1' }, type: 'Rate', reaction: 0 };
    const table: [string, () => string, number, string][] = [
      ['no UUID', () => `data=${JSON.stringify([metric])}`, 406, 'EMPTY UUID'],
      ['an empty UUID', () => `UUID=&data=${JSON.stringify([metric])}`, 406, 'EMPTY UUID'],
      ['a UUID that is not a UUID', () => `UUID=xyz&data=${JSON.stringify([metric])}`, 424, 'NOT VALID UUID'],
      ['a UUID of no project', () => `UUID=00000000-0000-4000-8000-000000000000&data=${JSON.stringify([metric])}`, 424, 'NOT VALID UUID'],
      ['no data', () => `UUID=${uuid}`, 424, 'Empty Data'],
      ['data that is not JSON', () => `UUID=${uuid}&data=[{"metric":`, 415, 'Unknown error'],
      ['no valid element', () => `UUID=${uuid}&data=${JSON.stringify([{ metric: 'x' }, 5])}`, 411, 'Not valid data'],
    ];
    for (const [what, body, status, message] of table) {
      it(`answers ${status} ${message} to ${what} and stores nothing`, async () => {
        const before = [await countChecks(), seriesCount()];
        const r = await f.app.inject({ method: 'POST', url: URL_PATH, headers: FORM, payload: body() });
        assert.equal(r.statusCode, status);
        assert.deepEqual(r.json(), { state: 'FAILURE', message });
        assert.deepEqual([await countChecks(), seriesCount()], before);
      });
    }

    it('answers 200 {"state":"OK"} and stores ordinary metrics durably as series of their types', async () => {
      const r = await put([{ ...metric, metric: 'e.cpu' }, { ...metric, metric: 'e.disk', value: '0.73', timestamp: `${T_S}.5`, type: 'counter' },
        { ...metric, metric: 'e.mem', type: 'Percent' }, { ...metric, metric: 'e.x', type: 'Banana' }]);
      assert.equal(r.statusCode, 200);
      assert.deepEqual(r.json(), { state: 'OK' });
      assert.deepEqual(f.tsdb.series({ projectId, namePrefix: 'e.' }).map((x) => [x.name, x.type, x.tags]), [
        ['e.cpu', 'rate', { host: 'h1' }], ['e.disk', 'counter', { host: 'h1' }], ['e.mem', 'percent', { host: 'h1' }], ['e.x', 'gauge', { host: 'h1' }]]);
      assert.deepEqual(await stored('e.disk'), [[{ host: 'h1' }, T_MS, 0.73]]);
    });

    it('drops a bad element, keeps the rest and lists what was dropped by request index', async () => {
      const r = await put([{ ...metric, value: 'lots' }, { ...metric, metric: 'd.ok' }, { ...metric, metric: 'n'.repeat(300) },
        special('Load', 'OK'), { ...metric, metric: 'd.old', timestamp: T_S - 30 * 86400 }]);
      assert.equal(r.statusCode, 200);
      assert.deepEqual(r.json(), { state: 'OK', accepted: 2, rejected: [
        { index: 0, error: 'value: required number or numeric string' }, { index: 2, error: 'metric name is too long' },
        { index: 4, error: 'timestamp is older than the raw retention' }] });
      assert.deepEqual(f.tsdb.series({ projectId, namePrefix: 'd.' }).map((x) => x.name), ['d.ok']);
    });

    it('takes the raw JSON after data= even with + and & inside strings', async () => {
      const r = await put([special('check_nginx', 'ERROR', { message: '7, a+b & c=d failed' })]);
      assert.equal(r.statusCode, 200);
      assert.equal((await check('hobbit', 'check_nginx'))?.info, '7, a+b & c=d failed');
    });

    it('accepts GET with a URL-encoded query string', async () => {
      const q = new URLSearchParams({ UUID: uuid, data: JSON.stringify([{ ...metric, metric: 'g.get' }]) }).toString();
      const r = await f.app.inject({ method: 'GET', url: `${URL_PATH}?${q}` });
      assert.equal(r.statusCode, 200);
      assert.equal((await stored('g.get')).length, 1);
    });

    it('accepts a body posted without a form content type', async () => {
      const r = await f.app.inject({ method: 'POST', url: URL_PATH, headers: { 'content-type': 'text/plain' }, payload: `UUID=${uuid}&data=${JSON.stringify([{ ...metric, metric: 'p.plain' }])}` });
      assert.equal(r.statusCode, 200);
      assert.equal((await stored('p.plain')).length, 1);
    });

    it('validates but stores nothing in sandbox mode', async () => {
      const before = [await countChecks(), seriesCount()];
      const r = await put([{ ...metric, metric: 's.sandboxed' }, special('sandboxed', 'ERROR')], '&sandbox=true');
      assert.equal(r.statusCode, 200);
      assert.deepEqual([await countChecks(), seriesCount()], before);
    });
  });

  describe('Special metrics', () => {
    const states: [string, string][] = [['OK', 'OK'], ['ELEVATED', 'WARN'], ['WARNING', 'WARN'], ['ERROR', 'ERR'], ['error', 'ERR']];
    for (const [status, state] of states) {
      it(`status ${status} sets the check state ${state} with the message`, async () => {
        const name = `special-${status}`;
        assert.equal((await put([special(name, status)])).statusCode, 200);
        const c = await check('hobbit', name);
        assert.deepEqual([c?.state, c?.info, c?.source, c?.periodS], [state, `${name} is ${status}`, 'oddeye', null]);
      });
    }

    it('a status change writes a flip', async () => {
      await put([special('Load-Average', 'OK')]);
      f.clock.t += 1000;
      await put([special('Load-Average', 'ERROR', { message: 'Load average is at 123.25 percent' })]);
      const c = (await check('hobbit', 'Load-Average'))!;
      const flips = await f.store.history.flips({ checkId: c.id, limit: 10 });
      assert.deepEqual(flips.items.map((x) => [x.oldState, x.newState, x.info]), [['OK', 'ERR', 'Load average is at 123.25 percent']]);
    });

    it('reaction > 0 makes the Special a heartbeat of that many minutes', async () => {
      await put([special('backup', 'OK', { reaction: 5 })]);
      const c = (await check('hobbit', 'backup'))!;
      assert.deepEqual([c.periodS, c.patienceS, c.deadlineAt], [300, 0, f.clock.t + 300_000]);
    });

    it('a Special without a host tag goes to the host "oddeye"; Specials of several hosts in one request', async () => {
      const r = await put([special('a', 'WARNING', { tags: {} }), special('b', 'OK', { tags: { host: 'h2' } })]);
      assert.equal(r.statusCode, 200);
      assert.equal((await check('oddeye', 'a'))?.state, 'WARN');
      assert.equal((await check('h2', 'b'))?.state, 'OK');
    });

    it('reaction < 0 clears a non-OK Special back to OK after |reaction| minutes without a newer one', async () => {
      const repo = autoClearRepoFor(f.store)!;
      await put([special('flaky', 'ERROR', { reaction: -2 })]);
      assert.equal((await check('hobbit', 'flaky'))?.state, 'ERR');
      f.clock.t += 60_000;
      assert.equal(await sweepAutoClear(f.store, repo, f.clock), 0, 'not due yet');
      await put([special('flaky', 'WARNING', { reaction: -2 })]);
      f.clock.t += 90_000;
      assert.equal(await sweepAutoClear(f.store, repo, f.clock), 0, 'the newer Special moved the due time');
      f.clock.t += 31_000;
      assert.equal(await sweepAutoClear(f.store, repo, f.clock), 1);
      const c = (await check('hobbit', 'flaky'))!;
      assert.deepEqual([c.state, c.info], ['OK', 'auto-cleared: no update for 2 min']);
      assert.equal(await sweepAutoClear(f.store, repo, f.clock), 0, 'cleared once');
      await put([special('steady', 'ERROR', { reaction: -1 })]);
      await put([special('steady', 'OK', { reaction: -1 })]);
      await put([special('steady', 'ERROR', { reaction: 0 })]);
      f.clock.t += 5 * 60_000;
      assert.equal(await sweepAutoClear(f.store, repo, f.clock), 0, 'an OK or reaction ≥ 0 Special cancels the auto-clear');
      assert.equal((await check('hobbit', 'steady'))?.state, 'ERR');
    });

    it('a Special without status is dropped', async () => {
      const r = await put([{ ...special('nostatus', 'OK'), status: undefined }, special('fine', 'OK')]);
      assert.deepEqual(r.json(), { state: 'OK', accepted: 1, rejected: [{ index: 0, error: 'status: Special needs OK, ELEVATED, WARNING or ERROR' }] });
    });
  });

  it('dynamic alerting: a series that leaves its learned band gets an "anomaly:" check, back to OK when it returns', async () => {
    const start = T_MS - 2 * 86_400_000;
    const history = [];
    for (let t = start; t < T_MS; t += 60_000) history.push({ metric: 'dyn.load', timestamp: t / 1000, value: 10 + ((t / 60_000) % 5), tags: { host: 'h9' } });
    for (let i = 0; i < history.length; i += 1000) assert.equal((await put(history.slice(i, i + 1000))).statusCode, 200);
    assert.equal(await check('h9', 'anomaly: dyn.load'), null, 'no check while the series behaves');
    await put([{ metric: 'dyn.load', timestamp: T_S, value: 400, tags: { host: 'h9' } }]);
    const c = (await check('h9', 'anomaly: dyn.load'))!;
    assert.deepEqual([c.state, c.source], ['ERR', 'oddeye']);
    await put([{ metric: 'dyn.load', timestamp: T_S + 60, value: 12, tags: { host: 'h9' } }]);
    assert.equal((await check('h9', 'anomaly: dyn.load'))?.state, 'OK');
  });

  it('without a time-series store, ordinary metrics are refused one by one and Specials still stored', async () => {
    const g = await appFixture();
    try {
      const token = (await g.store.projects.getByName('default'))!.ingestToken;
      const metric = { metric: 'cpu', timestamp: T_S, value: 1, tags: {} };
      const body = (d: unknown) => ({ method: 'POST' as const, url: URL_PATH, headers: FORM, payload: `UUID=${token}&data=${JSON.stringify(d)}` });
      const r = await g.app.inject(body([metric, special('s', 'OK')]));
      assert.equal(r.statusCode, 200);
      assert.equal(r.json().accepted, 1);
      assert.match(r.json().rejected[0].error, /not stored by this server/);
      assert.equal((await g.app.inject(body([metric]))).statusCode, 411);
    } finally {
      await g.close();
    }
  });

  it('fuzz: random bodies always get a contract status, and a refused request stores nothing', async () => {
    const el = fc.record({
      metric: fc.oneof(fc.string({ maxLength: 6 }), fc.constant('m')), timestamp: fc.oneof(fc.integer(), fc.string({ maxLength: 4 }), fc.constant(T_S)),
      value: fc.oneof(fc.double(), fc.string({ maxLength: 4 })), tags: fc.oneof(fc.dictionary(fc.string({ maxLength: 3 }), fc.string({ maxLength: 3 })), fc.constant(null)),
      type: fc.constantFrom('Special', 'Rate', 'None', 'x'), status: fc.constantFrom('OK', 'ERROR', 'nope'), reaction: fc.oneof(fc.integer({ min: -3, max: 5 }), fc.string({ maxLength: 2 })),
    }, { requiredKeys: [] });
    const body = fc.oneof(
      fc.tuple(fc.constantFrom(() => uuid, () => 'bad', () => ''), fc.array(el, { maxLength: 4 }), fc.string({ maxLength: 4 }))
        .map(([u, els, junk]) => `UUID=${u()}&data=${JSON.stringify(els)}${junk}`),
      fc.string({ maxLength: 80 }),
    );
    await fc.assert(fc.asyncProperty(body, async (payload) => {
      const before = [await countChecks(), seriesCount()];
      const r = await f.app.inject({ method: 'POST', url: URL_PATH, headers: FORM, payload });
      assert.ok([200, 406, 411, 415, 424].includes(r.statusCode), `status ${r.statusCode} for ${payload}: ${r.body}`);
      if (r.statusCode !== 200) assert.deepEqual([await countChecks(), seriesCount()], before);
    }), { numRuns: 300 });
  });
});
