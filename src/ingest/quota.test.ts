import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createToken } from '../api/auth.js';
import { resolveConfig } from '../config/index.js';
import { ConfigError } from '../errors.js';
import type { AppFixture } from '../test-support/app-fixture.js';
import type { Tsdb } from '../tsdb/index.js';
import { parseOddEyeConfig } from './oddeye-config.js';
import { appendAdmitted, NO_LIMITS, parseLimitsConfig, SeriesQuota } from './quota.js';
import { metricsAppFixture, openTestTsdb } from './samples-test-support.js';

const T_S = 1_699_999_000;
const URL_PATH = '/oddeye-barlus/put/tsdb';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe('[limits] and [oddeye] config sections', () => {
  const raw = (text: string) => resolveConfig({ cwd: '/tmp', file: { path: '/tmp/o.toml', text } }).raw;

  it('parses the limits: a default for every project and one per project name; 0 means unlimited', () => {
    const limits = parseLimitsConfig(raw('[limits]\nmax_series = 1000\n[limits.projects.shop]\nmax_series = 5\n[limits.projects.free]\nmax_series = 0\n').limits);
    assert.equal(limits.maxSeries, 1000);
    assert.deepEqual([...limits.projects], [['shop', 5], ['free', null]]);
    assert.deepEqual(parseLimitsConfig(undefined), NO_LIMITS);
  });

  it('parses silent_after: durations, "0" turns the watch off, absent means 3 minutes', () => {
    assert.equal(parseOddEyeConfig(raw('[oddeye]\nsilent_after = "5m"\n').oddeye).silentAfterMs, 300_000);
    assert.equal(parseOddEyeConfig(raw('[oddeye]\nsilent_after = "1h30m"\n').oddeye).silentAfterMs, 5_400_000);
    assert.equal(parseOddEyeConfig(raw('[oddeye]\nsilent_after = "0"\n').oddeye).silentAfterMs, 0);
    assert.equal(parseOddEyeConfig(undefined).silentAfterMs, 180_000);
  });

  const bad: [string, () => unknown, string][] = [
    ['a negative limit', () => parseLimitsConfig(raw('[limits]\nmax_series = -1\n').limits), 'limits.max_series'],
    ['a fractional limit', () => parseLimitsConfig(raw('[limits]\nmax_series = 1.5\n').limits), 'limits.max_series'],
    ['an unknown limits key', () => parseLimitsConfig(raw('[limits]\nmax_samples = 1\n').limits), 'limits.max_samples'],
    ['an unknown per-project key', () => parseLimitsConfig(raw('[limits.projects.a]\nseries = 1\n').limits), 'limits.projects.a.series'],
    ['a malformed duration', () => parseOddEyeConfig(raw('[oddeye]\nsilent_after = "3 minutes"\n').oddeye), 'oddeye.silent_after'],
    ['a duration under a minute', () => parseOddEyeConfig(raw('[oddeye]\nsilent_after = "10s"\n').oddeye), 'oddeye.silent_after'],
    ['an unknown oddeye key', () => parseOddEyeConfig(raw('[oddeye]\nsilent = "3m"\n').oddeye), 'oddeye.silent'],
  ];
  for (const [what, parse, key] of bad) {
    it(`stops with a ConfigError naming ${key} for ${what}`, () => {
      assert.throws(parse, (e: unknown) => e instanceof ConfigError && e.message.startsWith(`config: ${key}:`));
    });
  }
});

describe('appendAdmitted (admit, append, release in one call)', () => {
  it('stores admitted samples, names who refused the others, and a sample the store refuses does not use up the limit', async () => {
    const clock = { now: () => T_S * 1000 };
    const db = await openTestTsdb(clock);
    try {
      const quota = new SeriesQuota({ maxSeries: 2, projects: new Map() }, db.tsdb, clock);
      const batch = await quota.begin({ id: 1, name: 'p' });
      const host = { host: 'h1' };
      assert.equal(appendAdmitted(batch, db.tsdb, 1, 'q.a', host, T_S * 1000, 1), null);
      const old = appendAdmitted(batch, db.tsdb, 1, 'q.b', host, 0, 1);
      assert.equal(old?.quota, false);
      assert.match(old?.problem ?? '', /older than the raw retention/);
      assert.equal(appendAdmitted(batch, db.tsdb, 1, 'q.c', host, T_S * 1000, 1, 'gauge'), null);
      assert.deepEqual(appendAdmitted(batch, db.tsdb, 1, 'q.d', host, T_S * 1000, 1), { quota: true, problem: 'project "p" is at its limit of 2 series' });
      assert.equal(appendAdmitted(batch, db.tsdb, 1, 'q.a', host, T_S * 1000 + 1, 2), null);
      assert.equal(appendAdmitted(null, db.tsdb, 1, 'q.e', host, T_S * 1000, 1), null);
      await db.tsdb.commit();
      assert.deepEqual(db.tsdb.series({ projectId: 1 }).map((x) => x.name).sort(), ['q.a', 'q.c', 'q.e']);
    } finally {
      await db.close();
    }
  });
});

describe('OddEye series quota (402 Payment Required)', () => {
  let f: AppFixture & { tsdb: Tsdb };
  let uuid: string;
  let projectId: number;
  before(async () => {
    f = await metricsAppFixture({ limits: { maxSeries: 3, projects: new Map() } });
    const p = (await f.store.projects.getByName('default'))!;
    [uuid, projectId] = [p.ingestToken, p.id];
  });
  after(async () => { await f.close(); });

  const el = (metric: string, ts = T_S, host = 'h1') => ({ metric, timestamp: ts, value: 1, tags: { host }, type: 'None', reaction: 0 });
  const put = (data: unknown[]) => f.app.inject({ method: 'POST', url: URL_PATH, headers: FORM, payload: `UUID=${uuid}&data=${JSON.stringify(data)}` });
  const names = () => f.tsdb.series({ projectId }).map((s) => `${s.name}@${s.tags.host}`);

  it('stores new series up to the limit and drops (and lists) the ones over it; Specials do not count', async () => {
    const r = await put([el('q.a'), el('q.b'), { ...el('load'), type: 'Special', status: 'OK' }, el('q.c'), el('q.d'), el('q.a', T_S + 1)]);
    assert.equal(r.statusCode, 200);
    assert.deepEqual(r.json(), { state: 'OK', accepted: 5, rejected: [{ index: 4, error: 'Payment Required: project "default" is at its limit of 3 series' }] });
    assert.deepEqual(names(), ['q.a@h1', 'q.b@h1', 'q.c@h1']);
  });

  it('answers 402 Payment Required when every element would be a new series over the limit, storing nothing', async () => {
    const r = await put([el('q.d'), el('q.a', T_S, 'h2')]);
    assert.equal(r.statusCode, 402);
    assert.deepEqual(r.json(), { state: 'FAILURE', message: 'Payment Required' });
    assert.deepEqual(names(), ['q.a@h1', 'q.b@h1', 'q.c@h1']);
  });

  it('keeps accepting samples of the series the project already has', async () => {
    const r = await put([el('q.b', T_S + 5), el('q.c', T_S + 5)]);
    assert.deepEqual([r.statusCode, r.json()], [200, { state: 'OK' }]);
  });

  it('a sample the store refuses does not use up the quota', async () => {
    const g = await metricsAppFixture({ limits: { maxSeries: 1, projects: new Map() } });
    try {
      const token = (await g.store.projects.getByName('default'))!.ingestToken;
      const send = (data: unknown[]) => g.app.inject({ method: 'POST', url: URL_PATH, headers: FORM, payload: `UUID=${token}&data=${JSON.stringify(data)}` });
      const r = await send([el('too.old', T_S - 400 * 86_400), el('fits')]);
      assert.deepEqual(r.json(), { state: 'OK', accepted: 1, rejected: [{ index: 0, error: 'timestamp is older than the raw retention' }] });
      assert.equal((await send([el('second')])).statusCode, 402);
    } finally {
      await g.close();
    }
  });

  it('a project with its own limit of 0 is unlimited even under a default limit', async () => {
    const g = await metricsAppFixture({ limits: { maxSeries: 1, projects: new Map([['default', null]]) } });
    try {
      const token = (await g.store.projects.getByName('default'))!.ingestToken;
      const r = await g.app.inject({ method: 'POST', url: URL_PATH, headers: FORM, payload: `UUID=${token}&data=${JSON.stringify([el('u.a'), el('u.b'), el('u.c')])}` });
      assert.deepEqual([r.statusCode, r.json()], [200, { state: 'OK' }]);
    } finally {
      await g.close();
    }
  });
});

describe('POST /api/v1/samples under a series quota (402 OVS_ERR_QUOTA_EXCEEDED)', () => {
  let f: AppFixture & { tsdb: Tsdb };
  let editor: string;
  const T = 1_699_996_380_000;
  before(async () => {
    f = await metricsAppFixture({ limits: { maxSeries: 1000, projects: new Map([['default', 2]]) } });
    editor = (await createToken(f.store, { name: 'e', role: 'editor', projectId: null })).token;
  });
  after(async () => { await f.close(); });
  const post = (body: unknown, query = '') => f.app.inject({
    method: 'POST', url: `/api/v1/samples${query}`, payload: JSON.stringify(body),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${editor}` },
  });

  it('stores new series up to the project\'s own limit and lists the samples over it', async () => {
    const r = await post([{ metric: 'n.a', value: 1, timestamp: T }, { metric: 'n.b', value: 1, timestamp: T }, { metric: 'n.c', value: 1, timestamp: T }, { metric: 'n.a', value: 2, timestamp: T + 1000 }]);
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(r.json(), { accepted: 3, rejected: [{ index: 2, error: 'project "default" is at its limit of 2 series' }] });
  });

  it('answers 402 OVS_ERR_QUOTA_EXCEEDED when no sample could be stored for the quota, and still takes existing series', async () => {
    const r = await post([{ metric: 'n.d', value: 1, timestamp: T }]);
    assert.equal(r.statusCode, 402);
    assert.deepEqual(r.json().error.code, 'OVS_ERR_QUOTA_EXCEEDED');
    assert.equal(r.json().error.message, 'no sample stored: project "default" is at its limit of 2 series');
    assert.deepEqual((await post([{ metric: 'n.b', value: 5, timestamp: T + 2000 }])).json(), { accepted: 1, rejected: [] });
  });

  it('another project falls under the default limit, not this one\'s', async () => {
    await f.store.projects.create('other', f.clock.now());
    const r = await post([{ metric: 'o.a', value: 1, timestamp: T }, { metric: 'o.b', value: 1, timestamp: T }, { metric: 'o.c', value: 1, timestamp: T }], '?project=other');
    assert.deepEqual([r.statusCode, r.json()], [200, { accepted: 3, rejected: [] }]);
  });
});

describe('OpenTSDB /api/put under a series quota', () => {
  let f: AppFixture & { tsdb: Tsdb };
  before(async () => { f = await metricsAppFixture({ limits: { maxSeries: 2, projects: new Map() } }); });
  after(async () => { await f.close(); });
  const put = (points: unknown[], query = '') => f.app.inject({ method: 'POST', url: `/api/put${query}`, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(points) });
  const dp = (metric: string, ts = T_S) => ({ metric, timestamp: ts, value: 1, tags: { host: 'w1' } });

  it('new series over the limit fail like bad points (400, listed with ?details); the others are stored', async () => {
    const r = await put([dp('t.a'), dp('t.b'), dp('t.c')], '?details');
    assert.equal(r.statusCode, 400);
    assert.deepEqual(r.json(), { errors: [{ datapoint: dp('t.c'), error: 'project "default" is at its limit of 2 series' }], failed: 1, success: 2 });
    const projectId = (await f.store.projects.getByName('default'))!.id;
    assert.deepEqual(f.tsdb.series({ projectId }).map((x) => x.name), ['t.a', 't.b']);
  });

  it('points of series the project already has keep getting 204, on the plain (fast) request shape too', async () => {
    assert.equal((await put([dp('t.a', T_S + 1), dp('t.b', T_S + 1)])).statusCode, 204);
    assert.equal((await put([dp('t.d', T_S + 1)])).statusCode, 400);
  });
});
