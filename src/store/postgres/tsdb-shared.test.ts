import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Tsdb, type TsdbQuery } from '../../tsdb/index.js';
import { openPostgresStore, type PostgresStore } from './index.js';
import { openSharedTsdbStorage, type SharedTsdbStorage } from './tsdb-shared.js';
import { openPostgresTsdbStorage } from './tsdb-storage.js';
import { dropSchema, freshSchemaName, pgSkipReason, pgTestUrl } from './test-support.js';

const url = pgTestUrl();
const skip = await pgSkipReason(url);
const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);

/** A node: its own store pool, WAL owner id and Tsdb on the shared layer. */
async function openNode(schema: string, nodeId: string, clock: { now(): number }): Promise<{ store: PostgresStore; tsdb: Tsdb; shared: SharedTsdbStorage }> {
  const store = await openPostgresStore({ url, schema, poolSize: 4 });
  const base = await openPostgresTsdbStorage({ pool: store.pool, schema, nodeId });
  const shared = await openSharedTsdbStorage(base, store.pool, { nodeId, schema });
  const tsdb = await Tsdb.open({ storage: shared, clock });
  return { store, tsdb, shared };
}

/** Every (timestamp, value) a raw query returns for the series of `name`, per tag set. */
async function raw(t: Tsdb, name: string, from: number, to: number): Promise<Record<string, number>> {
  const q: TsdbQuery = { projectId: 1, name, from, to, step: 1000, agg: 'sum', tier: 0 };
  const res = await t.query(q);
  const out: Record<string, number> = {};
  for (const s of res.series) {
    const key = JSON.stringify(s.tags);
    out[key] = s.values.reduce<number>((x, v) => x + (v ?? 0), 0);
    out[`${key}#points`] = s.values.filter((v) => v !== null).length;
  }
  return out;
}

// Two nodes on one schema, each with its own head and WAL: series ids agree, and a query on either
// node sees every sample once whether it is in the other node's WAL, in chunks, or in both.
describe('tsdb on several nodes (shared PostgreSQL storage)', { skip: skip ?? false }, () => {
  const schema = freshSchemaName();
  let now = T0 + 3_600_000;
  const clock = { now: () => now };
  let a: Awaited<ReturnType<typeof openNode>>;
  let b: Awaited<ReturnType<typeof openNode>>;
  before(async () => {
    a = await openNode(schema, 'node-a', clock);
    b = await openNode(schema, 'node-b', clock);
  });
  after(async () => {
    await a?.tsdb.close();
    await b?.tsdb.close();
    await a?.store.close();
    await b?.store.close();
    await dropSchema(url, schema);
  });

  test('series created in a different order on each node get one global id each', async () => {
    a.tsdb.append(1, 'x', { h: '1' }, T0, 1);
    a.tsdb.append(1, 'y', { h: '1' }, T0, 1);
    b.tsdb.append(1, 'y', { h: '1' }, T0 + 1000, 1);
    b.tsdb.append(1, 'x', { h: '1' }, T0 + 1000, 1);
    await Promise.all([a.tsdb.commit(), b.tsdb.commit()]);
    const rows = (await a.store.pool.query<{ name: string; id: number }>('SELECT name, id FROM tsdb_series ORDER BY name')).rows;
    assert.deepEqual(rows.map((r) => r.name), ['x', 'y']);
    assert.deepEqual(await raw(a.tsdb, 'x', T0, T0 + 1000), { '{"h":"1"}': 2, '{"h":"1"}#points': 2 });
    assert.deepEqual(await raw(b.tsdb, 'y', T0, T0 + 1000), { '{"h":"1"}': 2, '{"h":"1"}#points': 2 });
  });

  test('two nodes writing the same series: one query sees all samples once, across WAL, checkpoints and compaction', async () => {
    const from = T0 + 10_000;
    // A writes seconds 0..99, B writes 50..149 (the overlap 50..99 has the same values on both).
    const samples = (t: Tsdb, lo: number, hi: number): void => {
      for (let i = lo; i <= hi; i++) assert.equal(t.append(1, 'cpu', { host: 'web' }, from + i * 1000, 1), null);
    };
    samples(a.tsdb, 0, 99);
    samples(b.tsdb, 50, 149);
    await Promise.all([a.tsdb.commit(), b.tsdb.commit()]);
    const want = { '{"host":"web"}': 150, '{"host":"web"}#points': 150 };
    const to = from + 149_000;
    assert.deepEqual(await raw(a.tsdb, 'cpu', from, to), want, 'A: own head + B\'s WAL');
    assert.deepEqual(await raw(b.tsdb, 'cpu', from, to), want, 'B: own head + A\'s WAL');
    await b.tsdb.checkpoint();
    assert.deepEqual(await raw(a.tsdb, 'cpu', from, to), want, 'A: own head + B\'s chunks');
    await a.tsdb.checkpoint();
    assert.deepEqual(await raw(b.tsdb, 'cpu', from, to), want, 'B: chunks of both');
    // Both nodes compact the same windows at once: one wins, nothing is doubled or lost.
    now = T0 + 2 * 86_400_000;
    await Promise.all([a.tsdb.compact({ force: true }), b.tsdb.compact({ force: true })]);
    assert.deepEqual(await raw(a.tsdb, 'cpu', from, to), want, 'after concurrent compaction');
    const chunks = (await a.store.pool.query<{ n: number; samples: number }>(
      'SELECT COUNT(*)::int AS n, SUM(count)::int AS samples FROM tsdb_chunks c JOIN tsdb_series s ON s.id = c.series_id WHERE s.name = $1 AND c.tier = 0', ['cpu'])).rows[0];
    assert.equal(chunks?.samples, 150, 'each sample is stored in exactly one raw chunk');
  });

  test('the WAL of a node that died without a checkpoint is adopted by one live node, and no sample is lost or doubled', async () => {
    const c = await openNode(schema, 'node-c', clock);
    const from = T0 + 200_000;
    for (let i = 0; i < 40; i++) c.tsdb.append(1, 'mem', { host: 'c' }, from + i * 1000, 2);
    await c.tsdb.commit();
    await c.shared.heartbeat(now - 60_000);
    await c.store.close(); // "killed": its head is gone, its WAL stays
    const want = { '{"host":"c"}': 80, '{"host":"c"}#points': 40 };
    b.tsdb.append(1, 'mem', { host: 'c' }, from, 2); // b knows the series too (same sample as c's first)
    await b.tsdb.commit();
    assert.deepEqual(await raw(b.tsdb, 'mem', from, from + 39_000), want, 'the dead node\'s WAL is read by queries');
    await Promise.all([a.shared.heartbeat(now), b.shared.heartbeat(now)]);
    const [x, y] = await Promise.all([a.shared.adoptOrphanWal(a.tsdb, now, 30_000), b.shared.adoptOrphanWal(b.tsdb, now, 30_000)]);
    assert.equal(x + y, 40, 'one node adopted the 40 samples');
    assert.equal((await a.store.pool.query("SELECT 1 FROM tsdb_wal WHERE node = 'node-c' OR node LIKE 'adopting:%'")).rowCount, 0);
    assert.deepEqual(await raw(b.tsdb, 'mem', from, from + 39_000), want, 'seen once after the adoption');
    await Promise.all([a.tsdb.checkpoint(), b.tsdb.checkpoint()]);
    assert.deepEqual(await raw(b.tsdb, 'mem', from, from + 39_000), want, 'and after checkpoints');
  });
});
