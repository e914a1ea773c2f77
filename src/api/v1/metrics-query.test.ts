import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { metricsAppFixture } from '../../ingest/samples-test-support.js';
import type { AppFixture } from '../../test-support/app-fixture.js';
import type { Tsdb } from '../../tsdb/index.js';
import { createToken } from '../auth.js';
import { defaultStep, parseStep, parseTagFilter, parseTime } from './metrics-query.js';

describe('metric query helpers', () => {
  const now = 1_700_000_000_000;
  const times: [string, number][] = [['1699990000000', 1_699_990_000_000], ['now', now], ['-1h', now - 3_600_000], ['now-30m', now - 1_800_000], ['-7d', now - 7 * 86_400_000]];
  for (const [text, want] of times) it(`parseTime(${JSON.stringify(text)}) is ${want}`, () => assert.equal(parseTime(text, now, 'from'), want));
  for (const bad of ['yesterday', '-1x', '1.5', '', '-']) it(`parseTime refuses ${JSON.stringify(bad)} naming the field`, () => assert.throws(() => parseTime(bad, now, 'from'), /^OverseeError: from: /));
  const steps: [string, number][] = [['60000', 60_000], ['10s', 10_000], ['1m', 60_000], ['1h', 3_600_000]];
  for (const [text, want] of steps) it(`parseStep(${JSON.stringify(text)}) is ${want}`, () => assert.equal(parseStep(text), want));
  for (const bad of ['0', '-5', '1.5m', 'fast']) it(`parseStep refuses ${JSON.stringify(bad)}`, () => assert.throws(() => parseStep(bad), /step: /));
  it('parseTagFilter reads name=value pairs with * and a|b values', () => {
    assert.deepEqual(parseTagFilter('host=web1,dc=a|b,env=*'), { host: 'web1', dc: 'a|b', env: '*' });
    assert.equal(parseTagFilter(''), undefined);
    assert.throws(() => parseTagFilter('host'), /tags: 'host' is not name=value/);
    assert.throws(() => parseTagFilter('a=1,a=2'), /given twice/);
  });
  it('defaultStep aims at about 300 points in whole seconds', () => {
    assert.equal(defaultStep(0, 3_600_000), 12_000);
    assert.equal(defaultStep(0, 10_000), 1000);
  });
});

describe('metrics API over HTTP: POST /samples, GET /series, /metrics/tree, /query', () => {
  let f: AppFixture & { tsdb: Tsdb };
  let editor: string;
  let viewer: string;
  let otherProjectToken: string;
  const T = 1_699_996_380_000; // about an hour before the fixture's clock, on a minute boundary
  before(async () => {
    f = await metricsAppFixture();
    editor = (await createToken(f.store, { name: 'e', role: 'editor', projectId: null })).token;
    viewer = (await createToken(f.store, { name: 'v', role: 'viewer', projectId: null })).token;
    const other = await f.store.projects.create('other', f.clock.now());
    otherProjectToken = (await createToken(f.store, { name: 'o', role: 'admin', projectId: other.id })).token;
    const samples: unknown[] = [];
    for (let i = 0; i < 10; i++) {
      samples.push({ metric: 'servers.web1.cpu', timestamp: T + i * 30_000, value: i, tags: { host: 'web1', dc: 'a' } });
      samples.push({ metric: 'servers.web1.cpu', timestamp: T + i * 30_000, value: 10 * i, tags: { host: 'web2', dc: 'a' } });
      samples.push({ metric: 'servers.web1.cpu', timestamp: T + i * 30_000, value: 100, tags: { host: 'web3', dc: 'b' } });
      samples.push({ metric: 'requests', timestamp: T + i * 30_000, value: i * 60, type: 'counter' });
    }
    samples.push({ name: 'servers.db.load', timestamp: T, value: 1 }, { metric: 'servers', timestamp: T, value: 2 });
    const r = await post(editor, samples);
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(r.json(), { accepted: 42, rejected: [] });
  });
  after(async () => { await f.close(); });

  function post(token: string | null, body: unknown, query = '') {
    return f.app.inject({
      method: 'POST', url: `/api/v1/samples${query}`, payload: JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
  }
  const get = (path: string, token: string | null = viewer) =>
    f.app.inject({ method: 'GET', url: `/api/v1${path}`, headers: token ? { authorization: `Bearer ${token}` } : {} });

  describe('POST /samples', () => {
    it('stores the good samples, lists the refused ones by index, and takes {"samples": [...]} too', async () => {
      const r = await post(editor, { samples: [{ metric: 'x.ok', value: 1, timestamp: T }, { metric: 'x.bad', value: 'NaN' }, { metric: 'x.t', value: 1, type: 'histogram' }, { metric: 'x.old', value: 1, timestamp: 1000 }] });
      assert.equal(r.statusCode, 200);
      assert.deepEqual(r.json(), { accepted: 1, rejected: [
        { index: 1, error: 'value: required finite number' }, { index: 2, error: 'type: one of gauge, counter, rate, percent' },
        { index: 3, error: 'timestamp is older than the raw retention' }] });
    });

    const refused: [string, () => string | null, unknown, number, RegExp][] = [
      ['no token', () => null, [], 401, /OVS_ERR_UNAUTHORIZED/],
      ['a viewer', () => viewer, [{ metric: 'a', value: 1 }], 403, /editor role/],
      ['a body that is not a list', () => editor, { metric: 'a', value: 1 }, 400, /body: an array of samples/],
      ['only bad samples', () => editor, [{ metric: '', value: 1 }], 400, /samples\[0\]: metric: required/],
    ];
    for (const [what, token, body, status, message] of refused) {
      it(`answers ${status} to ${what}`, async () => {
        const r = await post(token(), body);
        assert.equal(r.statusCode, status);
        assert.match(r.body, message);
      });
    }

    it('stores into the project named by ?project= and refuses a project outside the token', async () => {
      assert.equal((await post(otherProjectToken, [{ metric: 'o.m', value: 1, timestamp: T }])).statusCode, 200);
      assert.equal((await post(otherProjectToken, [{ metric: 'o.m', value: 1 }], '?project=default')).statusCode, 403);
      assert.deepEqual((await get('/series?project=other')).json().items.map((s: { name: string }) => s.name), ['o.m']);
    });
  });

  describe('GET /series and /metrics/tree', () => {
    it('lists series by name prefix and tag filter, sorted by name', async () => {
      const r = await get('/series?prefix=servers.web1&tags=dc=a');
      assert.equal(r.statusCode, 200);
      assert.deepEqual(r.json().items.map((s: { tags: { host: string } }) => s.tags.host), ['web1', 'web2']);
      assert.equal(r.json().truncated, false);
      const limited = (await get('/series?prefix=servers&limit=1')).json();
      assert.deepEqual([limited.items.length, limited.truncated], [1, true]);
    });

    it('shows dotted names as a tree, level by level', async () => {
      const top = (await get('/metrics/tree')).json();
      assert.deepEqual(top.items.filter((n: { label: string }) => n.label !== 'x').map((n: { path: string; leaf: boolean; hasChildren: boolean }) => [n.path, n.leaf, n.hasChildren]),
        [['requests', true, false], ['servers', true, true]]);
      const servers = (await get('/metrics/tree?prefix=servers')).json();
      assert.deepEqual(servers.items.map((n: { path: string }) => n.path), ['servers.db', 'servers.web1']);
    });
  });

  describe('GET /query', () => {
    const q = (params: string) => get(`/query?name=servers.web1.cpu&from=${T}&to=${T + 299_999}&step=60s&${params}`);
    const cases: [string, string, unknown][] = [
      ['avg per series', 'agg=avg&tags=host=web1', [[0.5, 2.5, 4.5, 6.5, 8.5]]],
      ['max grouped by dc', 'agg=max&groupBy=dc', [[10, 30, 50, 70, 90], [100, 100, 100, 100, 100]]],
      ['sum of everything in one group', 'agg=sum&groupBy=', [[211, 255, 299, 343, 387]]],
      ['count', 'agg=count&tags=host=web2', [[2, 2, 2, 2, 2]]],
      ['last', 'agg=last&tags=host=web2', [[10, 30, 50, 70, 90]]],
    ];
    for (const [what, params, values] of cases) {
      it(`answers columnar JSON: ${what}`, async () => {
        const r = await q(params);
        assert.equal(r.statusCode, 200, r.body);
        const body = r.json();
        assert.deepEqual(body.timestamps, [T, T + 60_000, T + 120_000, T + 180_000, T + 240_000]);
        assert.deepEqual(body.series.map((s: { values: number[] }) => s.values), values);
        assert.equal(body.step, 60_000);
      });
    }

    it('p90 pools the raw points of a group (a step under a minute reads the raw tier)', async () => {
      const r = await get(`/query?name=servers.web1.cpu&from=${T}&to=${T + 299_999}&step=30s&agg=p90&tags=dc=a&groupBy=dc`);
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(r.json().series.map((s: { tags: unknown; values: number[] }) => [s.tags, s.values]), [[{ dc: 'a' }, [0, 10, 20, 30, 40, 50, 60, 70, 80, 90]]]);
    });

    it('rate of a counter series is per second', async () => {
      const r = await get(`/query?name=requests&from=${T + 60_000}&to=${T + 239_999}&step=60s&agg=rate`);
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(r.json().series[0].values, [2, 2, 2]);
    });

    it('defaults: the last hour up to now, about 300 points, avg', async () => {
      const r = await get('/query?name=servers.web1.cpu&tags=host=web3');
      assert.equal(r.statusCode, 200);
      const body = r.json();
      assert.deepEqual([body.to, body.from, body.step, body.agg], [f.clock.now(), f.clock.now() - 3_600_000, 12_000, 'avg']);
      assert.ok(body.series[0].values.includes(100));
    });

    const bad: [string, string, RegExp][] = [
      ['no name', `/query?from=${T}`, /name/],
      ['an unknown aggregation', '/query?name=a&agg=median', /agg: unknown aggregation/],
      ['a bad step', '/query?name=a&step=soon', /step: /],
      ['from after to', `/query?name=a&from=${T + 1}&to=${T}`, /from: /],
      ['too many points', `/query?name=a&from=${T - 86_400_000}&to=${T}&step=1s`, /step: the range needs/],
      ['an unknown parameter', '/query?name=a&aggr=max', /aggr: is not a known field/],
    ];
    for (const [what, path, message] of bad) {
      it(`answers 400 OVS_ERR_VALIDATION to ${what}`, async () => {
        const r = await get(path);
        assert.equal(r.statusCode, 400);
        assert.equal(r.json().error.code, 'OVS_ERR_VALIDATION');
        assert.match(r.json().error.message, message);
      });
    }

    it('answers 401 without a token', async () => {
      assert.equal((await get('/query?name=a', null)).statusCode, 401);
    });
  });
});
