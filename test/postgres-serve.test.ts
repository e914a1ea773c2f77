// Real `oversee serve --store postgres://…` processes on one fresh schema: both nodes are ready only
// once the store answers, a report taken by one node is read on the other and streamed live to a
// browser connected to the other, samples of one series
// written through both nodes are all seen once by a query on either (also while still in the other
// node's WAL), users/okerr/rules tables exist on PostgreSQL, and SIGTERM stops a node cleanly.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { dropSchema, freshSchemaName, pgSkipReason, pgTestUrl } from '../src/store/postgres/test-support.js';
import { requestJson } from './support/http-json.js';
import { startServerProcess, type ServerProcess } from './support/server.js';

const url = pgTestUrl();
const skip = await pgSkipReason(url);

describe('oversee serve on PostgreSQL (two real processes, one schema)', { skip: skip ?? false }, () => {
  const schema = freshSchemaName('ovs_serve');
  const storeUrl = `${url}?schema=${schema}`;
  let a: ServerProcess;
  let b: ServerProcess;
  let token: string;
  const T = Date.now() - 120_000;

  before(async () => {
    a = await startServerProcess({ args: ['--store', storeUrl] });
    b = await startServerProcess({ args: ['--store', storeUrl] });
    assert.ok(a.adminToken, 'the first node prints the admin token');
    assert.equal(b.adminToken, null, 'the second node finds the token already made');
    token = a.adminToken;
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    for (const p of [a, b]) if (p) await rm(p.dataDir, { recursive: true, force: true });
    await dropSchema(url, schema);
  });

  test('both nodes are ready and every module has its tables in the schema', async () => {
    for (const n of [a, b]) assert.deepEqual(await requestJson(n.url, '/readyz'), { status: 200, body: { status: 'ready' } });
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const modules = (await c.query<{ module: string }>(`SELECT DISTINCT module FROM ${schema}.schema_migrations ORDER BY module`)).rows.map((r) => r.module);
      assert.deepEqual(modules, ['alerting', 'core', 'live', 'nodes', 'oddeye', 'okerr', 'rules', 'tsdb', 'users']);
    } finally {
      await c.end();
    }
  });

  test('a report taken by one node is read on the other', async () => {
    const sent = await requestJson(a.url, '/api/set/service/status', { body: { server: { name: 'web1', key: 'k1' }, period: 60, services: [{ name: 'disk', state: 'ERR', info: 'full' }] } });
    assert.equal(sent.status, 200);
    const list = await requestJson(b.url, '/api/v1/checks', { token });
    assert.equal(list.status, 200);
    const items = (list.body as { items: Array<{ name: string; state: string }> }).items;
    assert.deepEqual(items.map((c) => [c.name, c.state]), [['disk', 'ERR']]);
  });

  test('a live event of a report taken by one node reaches a browser connected to the other (LISTEN/NOTIFY)', async () => {
    const ac = new AbortController();
    const res = await fetch(new URL('/api/v1/live', b.url), { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal: ac.signal });
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    let text = '';
    const seen = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return false;
        text += Buffer.from(value).toString('utf8');
        if (/event: check\ndata: .*"name":"live-probe"/.test(text)) return true;
      }
    })();
    await new Promise((r) => setTimeout(r, 300)); // subscribed
    assert.equal((await requestJson(a.url, '/api/set/service/status', { body: { server: { name: 'web1', key: 'k1' }, period: 60, services: [{ name: 'live-probe', state: 'OK', info: '' }] } })).status, 200);
    const timeout = new Promise<boolean>((r) => setTimeout(() => r(false), 5000));
    const got = await Promise.race([seen, timeout]);
    ac.abort();
    await seen.catch(() => false);
    assert.equal(got, true, `node B streamed: ${text.slice(0, 500)}`);
  });

  test('samples of one series written through both nodes are each seen once, before and after a node stops', async () => {
    const put = (base: string, from: number, to: number): Promise<{ status: number }> => requestJson(base, '/api/put', {
      body: Array.from({ length: to - from + 1 }, (_, i) => ({ metric: 'shared.load', timestamp: T + (from + i) * 1000, value: 1, tags: { host: 'x' } })),
    });
    assert.equal((await put(a.url, 0, 49)).status, 204);
    assert.equal((await put(b.url, 49, 99)).status, 204, 'timestamp 49 goes to both nodes');
    const total = async (base: string): Promise<number> => {
      const q = await requestJson(base, `/api/v1/query?name=shared.load&from=${T - 1000}&to=${T + 100_000}&step=200000&agg=sum`, { token });
      assert.equal(q.status, 200, JSON.stringify(q.body));
      const series = (q.body as { series: Array<{ values: Array<number | null> }> }).series;
      return series.flatMap((s) => s.values).reduce<number>((x, v) => x + (v ?? 0), 0);
    };
    assert.equal(await total(a.url), 100, 'node A sees its head and B\'s WAL');
    assert.equal(await total(b.url), 100, 'node B sees its head and A\'s WAL');
    assert.deepEqual(await b.stop(), { code: 0, signal: null });
    assert.equal(await total(a.url), 100, 'after B checkpointed on stop, its samples are chunks');
  });
});
