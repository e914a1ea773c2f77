#!/usr/bin/env node
// Measures retention on PostgreSQL: batched deletes of old tsdb chunks and old state reports while the
// tables hold many rows. Usage: node --import tsx bench/pg-retention-micro.mjs [--chunks 200000] [--reports 500000]
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openPostgresStore } from '../src/store/postgres/index.ts';
import { openPostgresTsdbStorage } from '../src/store/postgres/tsdb-storage.ts';

const { values: o } = parseArgs({ options: { chunks: { type: 'string', default: '200000' }, reports: { type: 'string', default: '500000' } } });
const nChunks = Number(o.chunks), nReports = Number(o.reports);
const url = process.env.OVERSEE_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/test';
const schema = `ovs_bench_ret_${process.pid}`;
const store = await openPostgresStore({ url, schema, poolSize: 4 });
try {
  const tsdb = await openPostgresTsdbStorage({ pool: store.pool, schema });
  const data = new Uint8Array(120).fill(7);
  for (let i = 0; i < nChunks; i += 5000) {
    await tsdb.checkpoint(Array.from({ length: Math.min(5000, nChunks - i) }, (_, k) => {
      const t = (i + k) * 1000;
      return { seriesId: (i + k) % 1000, tier: 0, windowStart: t, minTs: t, maxTs: t + 999, count: 120, level: 0, data };
    }), 0);
  }
  let t0 = performance.now();
  const gone = await tsdb.deleteChunksBefore(0, (nChunks / 2) * 1000);
  let ms = performance.now() - t0;
  console.log(`tsdb chunks: deleted ${gone} of ${nChunks} in ${ms.toFixed(0)} ms (${Math.round(gone / (ms / 1000))} chunks/s, batches of 5000)`);

  const project = await store.projects.getByName('default');
  const host = await store.hosts.register(project.id, 'h', null, 0);
  const check = (await store.ingest.reportStates({ hostId: host.id, at: 0, address: null, source: 'api', services: [{ name: 'c', state: 'OK', info: '', periodS: 60 }] }))[0].checkId;
  await store.pool.query(`INSERT INTO state_reports (check_id, at, state, info) SELECT $1, g, 'OK', '' FROM generate_series(1, $2) AS g`, [check, nReports]);
  await store.pool.query('ANALYZE state_reports');
  t0 = performance.now();
  const pruned = await store.maintenance.pruneStateReports(nReports / 2);
  ms = performance.now() - t0;
  console.log(`state reports: pruned ${pruned} of ${nReports} in ${ms.toFixed(0)} ms (${Math.round(pruned / (ms / 1000))} rows/s, batches of 10000, BRIN on at)`);
  await tsdb.close();
} finally {
  await store.close();
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await c.end();
}
