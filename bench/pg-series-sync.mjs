#!/usr/bin/env node
// Micro-benchmark of the series sync a node on PostgreSQL runs before every query, /series and
// /metrics/tree (Tsdb.syncSeries → SharedTsdbStorage.syncSeries), against a plain round trip.
// Usage: node --import tsx bench/pg-series-sync.mjs [--series 10000] [--new 1000] [--calls 2000]
import { parseArgs } from 'node:util';
import { openPostgresStore } from '../src/store/postgres/index.ts';
import { openSharedTsdbStorage } from '../src/store/postgres/tsdb-shared.ts';
import { openPostgresTsdbStorage } from '../src/store/postgres/tsdb-storage.ts';
import { dropSchema, freshSchemaName, pgTestUrl } from '../src/store/postgres/test-support.ts';
import { Tsdb } from '../src/tsdb/index.ts';

const { values: o } = parseArgs({ options: { series: { type: 'string', default: '10000' }, new: { type: 'string', default: '1000' }, calls: { type: 'string', default: '2000' } } });
const url = pgTestUrl();
const schema = freshSchemaName('ovs_bench_sync');
const clock = { now: () => Date.now() };

/** A node: its own pool, WAL owner and Tsdb on the shared storage. */
async function openNode(id) {
  const store = await openPostgresStore({ url, schema, poolSize: 4 });
  const base = await openPostgresTsdbStorage({ pool: store.pool, schema, nodeId: id });
  const shared = await openSharedTsdbStorage(base, store.pool, { nodeId: id, schema });
  return { store, tsdb: await Tsdb.open({ storage: shared, clock }) };
}

const nodes = [];
try {
  const a = await openNode('a');
  nodes.push(a);
  for (let i = 0; i < Number(o.series); i++) a.tsdb.append(1, `m${i % 100}`, { i: String(i) }, Date.now(), 1);
  await a.tsdb.commit();
  const b = await openNode('b');
  nodes.push(b);
  await b.tsdb.syncSeries();
  const calls = Number(o.calls);
  let t = performance.now();
  for (let i = 0; i < calls; i++) await b.tsdb.syncSeries();
  const sync = ((performance.now() - t) / calls) * 1000;
  t = performance.now();
  for (let i = 0; i < calls; i++) await b.store.pool.query('SELECT 1');
  const ping = ((performance.now() - t) / calls) * 1000;
  for (let i = 0; i < Number(o.new); i++) a.tsdb.append(1, `new${i}`, {}, Date.now(), 1);
  await a.tsdb.commit();
  t = performance.now();
  await b.tsdb.syncSeries();
  const learn = performance.now() - t;
  const listed = b.tsdb.series({ projectId: 1 }).length;
  console.log(`series ${o.series}: sync with nothing new ${sync.toFixed(0)} µs (SELECT 1: ${ping.toFixed(0)} µs), ${calls} sequential calls`);
  console.log(`sync learning ${o.new} new series: ${learn.toFixed(1)} ms; node B lists ${listed}`);
} finally {
  for (const n of nodes) { await n.tsdb.close(); await n.store.close(); }
  await dropSchema(url, schema);
}
