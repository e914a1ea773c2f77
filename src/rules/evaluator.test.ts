import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createToken } from '../api/auth.js';
import type { Check } from '../domain/types.js';
import { metricsAppFixture } from '../ingest/samples-test-support.js';
import type { AppFixture } from '../test-support/app-fixture.js';
import type { Tsdb } from '../tsdb/index.js';
import { RuleEvaluator } from './evaluator.js';
import { SqliteRuleRepo } from './sqlite.js';
import type { NewMetricRule } from './types.js';

const MIN = 60_000;

describe('metric rules: evaluator on a real store and tsdb', () => {
  let f: AppFixture & { tsdb: Tsdb };
  let repo: SqliteRuleRepo;
  let ev: RuleEvaluator;
  let projectId: number;
  let n = 0;
  before(async () => {
    f = await metricsAppFixture();
    projectId = (await f.store.projects.getByName('default'))!.id;
    repo = new SqliteRuleRepo(f.store.db, f.store.writer);
    ev = new RuleEvaluator({ store: f.store, rules: repo, reader: f.tsdb, clock: f.clock, refreshMs: 10 * MIN });
  });
  after(async () => {
    await ev.stop();
    await f.close();
  });

  const check = async (name: string): Promise<Check | null> => {
    const host = await f.store.hosts.getWithKey(projectId, 'metrics');
    return host === null ? null : f.store.checks.getByName(host.id, name);
  };
  const put = async (metric: string, tags: Record<string, string>, points: [number, number][]): Promise<void> => {
    for (const [ts, v] of points) assert.equal(f.tsdb.append(projectId, metric, tags, ts, v), null);
    await f.tsdb.commit();
  };
  const threshold = (metric: string, over: Partial<NewMetricRule> = {}): NewMetricRule => ({
    kind: 'threshold', projectId, host: 'metrics', check: `rule-${++n}`, metric, tags: {}, agg: 'avg', windowMs: 5 * MIN,
    warnAbove: 80, critAbove: 90, warnBelow: null, critBelow: null, ...over,
  } as NewMetricRule);

  it('a threshold on the average over the window sets the check state, with a flip when it changes', async () => {
    const rule = await repo.create(threshold('t1.cpu', { tags: { host: 'web1|web2' } }), f.clock.now());
    const now = f.clock.now();
    await put('t1.cpu', { host: 'web1' }, [[now - 4 * MIN, 50], [now - 2 * MIN, 60]]);
    await put('t1.cpu', { host: 'web2' }, [[now - 3 * MIN, 70]]);
    await put('t1.cpu', { host: 'other' }, [[now - 3 * MIN, 1000]]);
    await ev.evaluateOnce();
    let c = (await check(rule.check))!;
    assert.deepEqual([c.state, c.info, c.source], ['OK', 'avg(t1.cpu{host=web1|web2}) over 5m = 60', 'metric']);

    f.clock.t += MIN;
    await put('t1.cpu', { host: 'web1' }, [[f.clock.now() - 10_000, 300]]);
    await ev.evaluateOnce();
    c = (await check(rule.check))!;
    assert.deepEqual([c.state, c.info], ['ERR', 'avg(t1.cpu{host=web1|web2}) over 5m = 120 > crit 90']);
    const flips = await f.store.history.flips({ checkId: c.id, limit: 10 });
    assert.deepEqual(flips.items.map((x) => [x.oldState, x.newState]), [['OK', 'ERR']]);
  });

  it('no data in the window is UNK', async () => {
    const rule = await repo.create(threshold('t2.none'), f.clock.now());
    await ev.evaluateOnce();
    assert.equal((await check(rule.check))?.state, 'UNK');
  });

  const aggs: [string, number, string][] = [['max', 95, 'ERR'], ['min', 10, 'OK'], ['last', 85, 'WARN'], ['sum', 190, 'ERR'], ['count', 3, 'OK']];
  for (const [agg, value, state] of aggs) {
    it(`agg ${agg} over the window gives ${value} → ${state}`, async () => {
      const metric = `t3.${agg}`;
      const now = f.clock.now();
      await put(metric, {}, [[now - 4 * MIN, 95], [now - 3 * MIN, 10], [now - MIN, 85]]);
      const rule = await repo.create(threshold(metric, { agg: agg as 'avg' }), now);
      await ev.evaluateOnce();
      const c = (await check(rule.check))!;
      assert.equal(c.state, state);
      assert.match(c.info, new RegExp(`^${agg}\\(${metric.replace('.', '\\.')}\\) over 5m = ${value}`));
    });
  }

  it('an unchanged outcome is not reported again before the refresh interval', async () => {
    const rule = await repo.create(threshold('t4.cpu'), f.clock.now());
    await put('t4.cpu', {}, [[f.clock.now() - MIN, 10]]);
    await ev.evaluateOnce();
    const c = (await check(rule.check))!;
    const reports = async () => (await f.store.history.stateReports(c.id, { limit: 100 })).items.length;
    assert.equal(await reports(), 1);
    f.clock.t += 30_000;
    await ev.evaluateOnce();
    assert.equal(await reports(), 1);
    f.clock.t += 10 * MIN;
    await put('t4.cpu', {}, [[f.clock.now() - MIN, 10]]);
    await ev.evaluateOnce();
    assert.equal(await reports(), 2);
  });

  it('an anomaly rule learns the stored history, then flags a spike as ERR and returns to OK', async () => {
    const step = MIN;
    const start = Math.floor(f.clock.now() / step) * step - 2 * 86_400_000;
    const pts: [number, number][] = [];
    for (let t = start; t < Math.floor(f.clock.now() / step) * step; t += step) pts.push([t, 100 + 20 * Math.sin((2 * Math.PI * t) / 86_400_000) + ((t / step) % 5) - 2]);
    await put('t5.load', { host: 'db' }, pts);
    const rule = await repo.create({ kind: 'anomaly', projectId, host: 'metrics', check: 'anomaly-load', metric: 't5.load', tags: {}, reaction: 0, stepMs: step }, f.clock.now());
    await ev.evaluateOnce();
    assert.match((await check(rule.check))!.info, /^t5\.load = [\d.]+, expected [\d.]+ \(z -?[\d.]+\)$/);
    assert.equal((await check(rule.check))!.state, 'OK', (await check(rule.check))!.info);
    const bucket = Math.floor(f.clock.now() / step) * step;
    await put('t5.load', { host: 'db' }, [[bucket, 1000]]);
    f.clock.t = bucket + step + 1000;
    await ev.evaluateOnce();
    assert.equal((await check(rule.check))!.state, 'ERR');
    await put('t5.load', { host: 'db' }, [[bucket + step, 100 + 20 * Math.sin((2 * Math.PI * (bucket + step)) / 86_400_000)]]);
    f.clock.t += step;
    await ev.evaluateOnce();
    const back = (await check(rule.check))!;
    assert.equal(back.state, 'OK', back.info);
  });

  it('a deleted rule is no longer evaluated', async () => {
    const rule = await repo.create(threshold('t6.x'), f.clock.now());
    assert.equal(await repo.delete(rule.id), true);
    await ev.evaluateOnce();
    assert.equal(await check(rule.check), null);
  });
});

describe('metric rules API /api/v1/rules', () => {
  let f: AppFixture & { tsdb: Tsdb };
  let editor: string;
  let viewer: string;
  before(async () => {
    f = await metricsAppFixture();
    editor = (await createToken(f.store, { name: 'e', role: 'editor', projectId: null })).token;
    viewer = (await createToken(f.store, { name: 'v', role: 'viewer', projectId: null })).token;
  });
  after(async () => { await f.close(); });
  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, token: string, body?: unknown) => f.app.inject({
    method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });

  it('creates, lists, reads and deletes rules', async () => {
    const r = await call('POST', '/rules', editor, { kind: 'threshold', check: 'cpu high', metric: 'cpu', tags: 'host=web1', window: '10m', critAbove: 90 });
    assert.equal(r.statusCode, 201, r.body);
    const rule = r.json();
    assert.deepEqual([rule.kind, rule.host, rule.windowMs, rule.agg, rule.tags, rule.critAbove, rule.warnAbove], ['threshold', 'metrics', 600_000, 'avg', { host: 'web1' }, 90, null]);
    const a = await call('POST', '/rules', editor, { kind: 'anomaly', check: 'load odd', metric: 'load', reaction: -1 });
    assert.deepEqual([a.statusCode, a.json().stepMs, a.json().reaction], [201, 60_000, -1]);
    assert.deepEqual((await call('GET', '/rules', viewer)).json().items.map((x: { check: string }) => x.check), ['cpu high', 'load odd']);
    assert.equal((await call('GET', `/rules/${rule.id}`, viewer)).json().metric, 'cpu');
    assert.equal((await call('DELETE', `/rules/${rule.id}`, editor)).statusCode, 204);
    assert.equal((await call('GET', `/rules/${rule.id}`, viewer)).statusCode, 404);
  });

  const refused: [string, () => string, unknown, number, RegExp][] = [
    ['a viewer creating', () => viewer, { kind: 'threshold', check: 'x', metric: 'm', critAbove: 1 }, 403, /editor role/],
    ['a threshold without levels', () => editor, { kind: 'threshold', check: 'x', metric: 'm' }, 400, /levels: at least one level/],
    ['inverted levels', () => editor, { kind: 'threshold', check: 'x', metric: 'm', warnAbove: 9, critAbove: 1 }, 400, /warnAbove must not be above/],
    ['a bad window', () => editor, { kind: 'threshold', check: 'x', metric: 'm', critAbove: 1, window: 'long' }, 400, /step: /],
    ['an unknown kind', () => editor, { kind: 'magic', check: 'x', metric: 'm' }, 400, /kind/],
    ['a bad reaction', () => editor, { kind: 'anomaly', check: 'x', metric: 'm', reaction: 3 }, 400, /reaction/],
  ];
  for (const [what, token, body, status, message] of refused) {
    it(`answers ${status} to ${what}`, async () => {
      const r = await call('POST', '/rules', token(), body);
      assert.equal(r.statusCode, status, r.body);
      assert.match(r.json().error.message, message);
    });
  }
});
