// Several tsdb nodes on one schema, in one process (each with its own pool, WAL owner and Tsdb):
// a series one node creates is indexed by the others at their next query/listing, and statsd
// counters flushed by two nodes at the same moment all count (each node flushes onto its own
// sample slot), also after compaction.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startStatsdListener, type StatsdListener } from '../../ingest/statsd-listener.js';
import { createSelfMetrics } from '../../server/self-metrics.js';
import { Tsdb } from '../../tsdb/index.js';
import { openSqliteStore } from '../sqlite/index.js';
import { openSqliteTsdbStorage } from '../sqlite/tsdb-storage.js';
import { copySqliteToPostgres } from './copy-from-sqlite.js';
import { openPostgresStore, type PostgresStore } from './index.js';
import { openSharedTsdbStorage, SAMPLE_SLOT_MODULUS_MS, SLOT_RELEASE_MS, type SharedTsdbStorage } from './tsdb-shared.js';
import { openPostgresTsdbStorage } from './tsdb-storage.js';
import { dropSchema, freshSchemaName, pgSkipReason, pgTestUrl } from './test-support.js';

const url = pgTestUrl();
const skip = await pgSkipReason(url);
const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);

interface Node { store: PostgresStore; tsdb: Tsdb; shared: SharedTsdbStorage }

async function openNode(schema: string, nodeId: string, clock: { now(): number }): Promise<Node> {
  const store = await openPostgresStore({ url, schema, poolSize: 4 });
  const base = await openPostgresTsdbStorage({ pool: store.pool, schema, nodeId });
  const shared = await openSharedTsdbStorage(base, store.pool, { nodeId, schema });
  const tsdb = await Tsdb.open({ storage: shared, clock });
  return { store, tsdb, shared };
}

async function closeNode(n: Node | undefined): Promise<void> {
  if (n === undefined) return;
  await n.tsdb.close();
  await n.store.close();
}

/** (timestamp, value) pairs a raw query of `name` returns, per tag set. */
async function points(t: Tsdb, name: string, from: number, to: number): Promise<Record<string, Array<[number, number]>>> {
  const res = await t.query({ projectId: 1, name, from, to, step: 1000, agg: 'sum', tier: 0 });
  const out: Record<string, Array<[number, number]>> = {};
  for (const s of res.series) out[JSON.stringify(s.tags)] = s.values.flatMap((v, i) => (v === null ? [] : [[res.timestamps[i]!, v] as [number, number]]));
  return out;
}

async function send(l: StatsdListener, lines: readonly string[]): Promise<void> {
  const start = l.received();
  const sock = createSocket('udp4');
  for (const d of lines) await new Promise<void>((resolve, reject) => sock.send(d, l.port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
  sock.close();
  const deadline = Date.now() + 5000;
  while (l.received() < start + lines.length) {
    if (Date.now() > deadline) throw new Error('datagrams did not arrive');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('tsdb nodes on PostgreSQL: series created elsewhere are indexed at once', { skip: skip ?? false }, () => {
  const schema = freshSchemaName();
  const now = T0 + 3_600_000;
  const clock = { now: () => now };
  let a: Node;
  let b: Node;
  before(async () => {
    a = await openNode(schema, 'node-a', clock);
    b = await openNode(schema, 'node-b', clock);
  });
  after(async () => {
    await closeNode(a);
    await closeNode(b);
    await dropSchema(url, schema);
  });

  test('a series created on A is listed, in the tree and queryable on B right after A committed (and the reverse)', async () => {
    for (let i = 0; i < 5; i++) assert.equal(a.tsdb.append(1, 'app.web.latency', { host: 'a' }, T0 + i * 1000, i + 1), null);
    await a.tsdb.commit();
    assert.deepEqual(b.tsdb.series({ projectId: 1, namePrefix: 'app.' }), [], 'B has not synced yet');
    await b.tsdb.syncSeries();
    assert.deepEqual(b.tsdb.series({ projectId: 1, namePrefix: 'app.' }).map((s) => [s.name, s.tags]), [['app.web.latency', { host: 'a' }]]);
    assert.deepEqual(b.tsdb.tree(1, 'app'), [{ path: 'app.web', label: 'web', leaf: false, hasChildren: true }]);
    // query() syncs by itself; A's samples are still only in A's head and WAL.
    for (let i = 0; i < 3; i++) assert.equal(b.tsdb.append(1, 'app.db.qps', {}, T0 + i * 1000, 10), null);
    await b.tsdb.commit();
    assert.deepEqual(await points(a.tsdb, 'app.db.qps', T0, T0 + 10_000), { '{}': [[T0, 10], [T0 + 1000, 10], [T0 + 2000, 10]] });
    assert.deepEqual(await points(b.tsdb, 'app.web.latency', T0, T0 + 10_000), { '{"host":"a"}': [1, 2, 3, 4, 5].map((v, i) => [T0 + i * 1000, v]) });
  });

  test('the same new series created on both nodes at once is one series with every sample once', async () => {
    for (let i = 0; i < 10; i++) {
      assert.equal(a.tsdb.append(1, 'race', { k: 'v' }, T0 + i * 1000, 1), null);
      assert.equal(b.tsdb.append(1, 'race', { k: 'v' }, T0 + 500 + i * 1000, 2), null);
    }
    await Promise.all([a.tsdb.commit(), b.tsdb.commit(), a.tsdb.syncSeries(), b.tsdb.syncSeries()]);
    for (const n of [a, b]) {
      assert.equal(n.tsdb.series({ projectId: 1, namePrefix: 'race' }).length, 1);
      const p = await points(n.tsdb, 'race', T0, T0 + 20_000);
      assert.equal(p['{"k":"v"}']?.length, 10, 'ten 1-s buckets');
      assert.equal(p['{"k":"v"}']?.reduce((x, [, v]) => x + v, 0), 30, 'each sample counted once');
    }
  });

  test('many series created on A while B syncs concurrently: B ends with every one exactly once', async () => {
    const writes = (async () => {
      for (let r = 0; r < 20; r++) {
        for (let i = 0; i < 10; i++) a.tsdb.append(1, `bulk.m${r}`, { i: String(i) }, T0, r);
        await a.tsdb.commit();
      }
    })();
    const syncs = (async () => { for (let r = 0; r < 30; r++) await b.tsdb.syncSeries(); })();
    await Promise.all([writes, syncs]);
    await b.tsdb.syncSeries();
    const listed = b.tsdb.series({ projectId: 1, namePrefix: 'bulk.' });
    assert.equal(listed.length, 200);
    assert.equal(new Set(listed.map((s) => `${s.name}${JSON.stringify(s.tags)}`)).size, 200, 'no series twice');
    const res = await b.tsdb.query({ projectId: 1, name: 'bulk.m7', from: T0, to: T0, step: 1000, agg: 'sum', tier: 0, groupBy: [] });
    assert.deepEqual(res.series[0]?.values, [70]);
  });

  test('a series of a node that died is still listed and queryable on a node that started after', async () => {
    const c = await openNode(schema, 'node-c', clock);
    c.tsdb.append(1, 'dead.only', {}, T0, 42);
    await c.tsdb.commit();
    await c.store.close(); // killed: head gone, WAL and series row stay
    await b.tsdb.syncSeries();
    assert.deepEqual(b.tsdb.tree(1, 'dead'), [{ path: 'dead.only', label: 'only', leaf: true, hasChildren: false }]);
    assert.deepEqual(await points(b.tsdb, 'dead.only', T0, T0), { '{}': [[T0, 42]] });
  });
});

describe('statsd counters sent to two nodes on PostgreSQL', { skip: skip ?? false }, () => {
  const schema = freshSchemaName();
  let now = T0 + 3_600_000 + 123; // one clock for both nodes: unslotted flushes would share timestamps
  const clock = { now: () => now };
  let a: Node;
  let b: Node;
  let la: StatsdListener;
  let lb: StatsdListener;
  before(async () => {
    a = await openNode(schema, 'node-a', clock);
    b = await openNode(schema, 'node-b', clock);
    const [sa, sb] = [await a.shared.claimSampleSlot(now), await b.shared.claimSampleSlot(now)];
    assert.deepEqual([sa, sb], [0, 1], 'distinct slots, lowest first');
    const common = { host: '127.0.0.1', port: 0, projectId: 1, clock, flushIntervalMs: 3_600_000 };
    la = await startStatsdListener({ ...common, samples: a.tsdb, metrics: createSelfMetrics(), flushSlot: { slot: sa, modulusMs: SAMPLE_SLOT_MODULUS_MS } });
    lb = await startStatsdListener({ ...common, samples: b.tsdb, metrics: createSelfMetrics(), flushSlot: { slot: sb, modulusMs: SAMPLE_SLOT_MODULUS_MS } });
    await Promise.all([la.flush(), lb.flush()]); // start the first interval
  });
  after(async () => {
    await la?.close();
    await lb?.close();
    await closeNode(a);
    await closeNode(b);
    await dropSchema(url, schema);
  });

  test('the queried total is the sum over both nodes, and each node\'s rate stays right after compaction', async () => {
    const start = now;
    const sentA = [3, 5, 7];
    const sentB = [4, 6, 8];
    for (let k = 0; k < 3; k++) {
      now += 10_000;
      await send(la, Array.from({ length: sentA[k]! }, () => 'hits:1|c'));
      await send(lb, Array.from({ length: sentB[k]! / 2 }, () => 'hits:1|c|@0.5'));
      await Promise.all([la.flush(), lb.flush()]); // the same clock reading on both nodes
    }
    const total = 3 + 5 + 7 + 4 + 6 + 8;
    const sumOf = async (n: Node): Promise<number | null> => {
      const r = await n.tsdb.query({ projectId: 1, name: 'hits.count', from: start + 1, to: now, step: 3_600_000, agg: 'sum', tier: 0, groupBy: [] });
      return r.series[0]?.values.reduce<number>((x, v) => x + (v ?? 0), 0) ?? null;
    };
    assert.equal(await sumOf(a), total, 'node A: both nodes\' flushes count');
    assert.equal(await sumOf(b), total, 'node B: both nodes\' flushes count');
    // Each flush is at its node's slot (A ≡ 0, B ≡ 1 mod 1000 ms): per 1-s bucket, two samples whose
    // min is A's rate and max is B's — before and after both nodes compact the same windows.
    const perSecond = async (n: Node, agg: 'count' | 'min' | 'max'): Promise<Array<number | null>> => {
      const r = await n.tsdb.query({ projectId: 1, name: 'hits.rate', from: start + 1, to: now, step: 1000, agg, tier: 0 });
      return (r.series[0]?.values ?? []).filter((v) => v !== null);
    };
    const rateCheck = async (n: Node, when: string): Promise<void> => {
      assert.deepEqual(await perSecond(n, 'count'), [2, 2, 2], `${when}: one rate sample per node and interval`);
      assert.deepEqual(await perSecond(n, 'min'), sentA.map((c) => c / 10), `${when}: A's rates`);
      assert.deepEqual(await perSecond(n, 'max'), sentB.map((c) => c / 10), `${when}: B's rates`);
    };
    await rateCheck(b, 'in the WAL');
    const end = now;
    await Promise.all([a.tsdb.checkpoint(), b.tsdb.checkpoint()]);
    await rateCheck(a, 'in chunks');
    now += 2 * 86_400_000;
    await Promise.all([a.tsdb.compact({ force: true }), b.tsdb.compact({ force: true })]);
    now = end;
    await rateCheck(a, 'after compaction');
    const raw = (await a.store.pool.query<{ samples: number; chunks: number }>(`SELECT SUM(c.count)::int AS samples, COUNT(*)::int AS chunks FROM tsdb_chunks c
      JOIN tsdb_series s ON s.id = c.series_id WHERE s.name = 'hits.rate' AND c.tier = 0`)).rows[0];
    assert.deepEqual(raw, { samples: 6, chunks: 1 }, 'one compacted chunk with the 3 flushes of each node');
    assert.equal(await sumOf(a), total, 'the total after compaction');
  });

  test('slots of nodes silent for an hour are given again; a live node keeps its slot', async () => {
    const c = await openNode(schema, 'node-c', clock);
    try {
      assert.equal(await c.shared.claimSampleSlot(now), 2);
      assert.equal(await c.shared.claimSampleSlot(now + 1), 2, 'the same slot on a second call');
      await b.shared.heartbeat(now + SLOT_RELEASE_MS);
      const d = await openNode(schema, 'node-d', clock);
      try {
        assert.equal(await d.shared.claimSampleSlot(now + SLOT_RELEASE_MS + 1), 0, 'A (silent since its claim) gave up slot 0; B kept 1');
      } finally {
        await closeNode(d);
      }
    } finally {
      await closeNode(c);
    }
  });
});

describe('an embedded installation copied into a schema a node already opened', { skip: skip ?? false }, () => {
  test('the copy keeps created_xid\'s default, and the running node indexes the copied series at its next query', async () => {
    const schema = freshSchemaName();
    const dir = mkdtempSync(join(tmpdir(), 'oversee-sync-copy-'));
    const clock = { now: () => T0 + 3_600_000 };
    const node = await openNode(schema, 'node-a', clock);
    const lite = await openSqliteStore({ path: join(dir, 'oversee.db') });
    try {
      const liteTsdb = await Tsdb.open({ storage: openSqliteTsdbStorage({ db: lite.db, durable: () => lite.durable() }), clock });
      for (let i = 0; i < 4; i++) liteTsdb.append(1, 'copied.metric', { h: 'x' }, T0 + i * 1000, i);
      await liteTsdb.close();
      await copySqliteToPostgres(lite.db, node.store);
      assert.deepEqual(await points(node.tsdb, 'copied.metric', T0, T0 + 3000), { '{"h":"x"}': [[T0, 0], [T0 + 1000, 1], [T0 + 2000, 2], [T0 + 3000, 3]] });
    } finally {
      await lite.close();
      await closeNode(node);
      await dropSchema(url, schema);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
