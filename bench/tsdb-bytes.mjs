#!/usr/bin/env node
// Focused measurement of the tsdb's bytes per sample on disk after compaction, on the same data as
// the metrics bench (half random-walk gauges with one or two decimals, half counters, 10 s apart,
// time-major, ending 15 min ago on a 2 h boundary) and through the same store file the server uses:
//   node --import tsx bench/tsdb-bytes.mjs [--series 2000] [--hours 24] [--pg]
// Prints the file size (database + -wal after the last connection closed), free pages, and the
// bytes of each table and index (dbstat). With --pg it measures the PostgreSQL storage instead
// (OVERSEE_PG_URL, default postgres://postgres@127.0.0.1:5432/test; a fresh schema, dropped afterwards):
// table + TOAST + index sizes before and after VACUUM FULL.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SampleColumnsBuilder, Tsdb } from '../src/tsdb/index.ts';
import { openSqliteStore } from '../src/store/sqlite/index.ts';
import { openSqliteTsdbStorage } from '../src/store/sqlite/tsdb-storage.ts';
import { seriesTags, seriesValues } from './bench-series.mjs';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const SERIES = arg('series', 2000);
const HOURS = arg('hours', 24);
const PG = process.argv.includes('--pg');
const POINTS = HOURS * 360;
const clock = { now: () => Date.now() };

/** Appends the bench data (same generator as bench/metrics-sender.mjs) in columnar batches of 1,000. */
async function ingest(tsdb) {
  const nowSec = Math.floor(Date.now() / 1000);
  const endSec = Math.floor((nowSec - 15 * 60) / 7200) * 7200;
  const startSec = endSec - POINTS * 10;
  const next = seriesValues(SERIES);
  const tags = [];
  for (let k = 0; k < SERIES; k++) tags.push(seriesTags(k));
  let b = new SampleColumnsBuilder(1024);
  let inBatch = 0;
  for (let p = 0; p < POINTS; p++) {
    const ts = (startSec + p * 10) * 1000;
    for (let k = 0; k < SERIES; k++) {
      const v = next(k);
      b.add(k % 2 === 0 ? 'bench.gauge' : 'bench.counter', tags[k], ts, v);
      if (++inBatch === 1000) {
        const r = tsdb.appendColumns(1, b.build());
        if (r.rejected.length > 0) throw new Error(`rejected: ${JSON.stringify(r.rejected[0])}`);
        b = new SampleColumnsBuilder(1024);
        inBatch = 0;
        if (p % 64 === 0) await tsdb.commit();
      }
    }
  }
  if (inBatch > 0) tsdb.appendColumns(1, b.build());
  await tsdb.commit();
}

const fmt = (n) => n.toLocaleString('en-US');
const samples = SERIES * POINTS;

async function sqlite() {
  const dir = mkdtempSync(join(tmpdir(), 'oversee-bytes-'));
  const path = join(dir, 'oversee.db');
  try {
    const t0 = performance.now();
    let store = await openSqliteStore({ path });
    let tsdb = await Tsdb.open({ storage: openSqliteTsdbStorage({ db: store.db, durable: () => store.durable() }), clock });
    await ingest(tsdb);
    await tsdb.close();
    await store.close();
    const t1 = performance.now();
    // Like the bench: restart, then the maintenance pass compacts every window that ended > 10 min ago.
    store = await openSqliteStore({ path });
    tsdb = await Tsdb.open({ storage: openSqliteTsdbStorage({ db: store.db, durable: () => store.durable() }), clock });
    await tsdb.maintain();
    await tsdb.close();
    await store.close();
    const t2 = performance.now();
    const files = readdirSync(dir).map((f) => [f, statSync(join(dir, f)).size]);
    const total = files.reduce((n, [, s]) => n + s, 0);
    const db = new Database(path, { readonly: true });
    const page = db.pragma('page_size', { simple: true });
    const free = db.pragma('freelist_count', { simple: true }) * page;
    const vacuum = db.pragma('auto_vacuum', { simple: true });
    const tables = db.prepare('SELECT name, SUM(pgsize) AS bytes, SUM(unused) AS unused, COUNT(*) AS pages FROM dbstat GROUP BY name ORDER BY bytes DESC LIMIT 8').all();
    const chunks = db.prepare('SELECT tier, level, COUNT(*) AS chunks, SUM(LENGTH(data)) AS bytes, SUM(count) AS n FROM tsdb_chunks GROUP BY tier, level').all();
    db.close();
    console.log(`sqlite: ${fmt(SERIES)} series x ${fmt(POINTS)} points = ${fmt(samples)} samples; ingest ${((t1 - t0) / 1000).toFixed(1)} s, compaction ${((t2 - t1) / 1000).toFixed(1)} s`);
    console.log(`files ${JSON.stringify(files)}; auto_vacuum ${vacuum}`);
    console.log(`bytes/sample: whole dir ${(total / samples).toFixed(3)}; free pages ${(free / samples).toFixed(3)}`);
    for (const t of tables) console.log(`  ${t.name}: ${(t.bytes / samples).toFixed(3)} bytes/sample (${fmt(t.pages)} pages, ${(100 * t.unused / t.bytes).toFixed(1)}% unused)`);
    for (const c of chunks) console.log(`  chunks tier ${c.tier} level ${c.level}: ${fmt(c.chunks)} rows, payload ${(c.bytes / samples).toFixed(3)} bytes/sample, ${fmt(c.n)} points`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgres() {
  const { createPool } = await import('../src/store/postgres/pool.ts');
  const { openPostgresTsdbStorage } = await import('../src/store/postgres/tsdb-storage.ts');
  const schema = `bytes_${process.pid}`;
  const pool = createPool({ url: process.env.OVERSEE_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test', schema, size: 4 });
  await pool.query(`CREATE SCHEMA ${schema}`);
  try {
    const open = async () => Tsdb.open({ storage: await openPostgresTsdbStorage({ pool, schema, nodeId: 'bytes' }), clock });
    let tsdb = await open();
    await ingest(tsdb);
    await tsdb.close();
    tsdb = await open();
    await tsdb.maintain();
    await tsdb.close();
    const sizeSql = `SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::float8 AS total FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`;
    const before = (await pool.query(sizeSql, [schema])).rows[0].total;
    console.log(`postgres: before VACUUM FULL all tables ${(before / samples).toFixed(3)} bytes/sample (dead WAL rows and merged chunks not yet given back)`);
    for (const t of ['tsdb_chunks', 'tsdb_wal', 'tsdb_series']) await pool.query(`VACUUM (FULL, ANALYZE) ${schema}.${t}`);
    const r = await pool.query(`SELECT c.relname AS name, pg_total_relation_size(c.oid) AS total, pg_relation_size(c.oid) AS heap,
      pg_indexes_size(c.oid) AS idx FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r' ORDER BY 2 DESC`, [schema]);
    const chunks = await pool.query(`SELECT SUM(LENGTH(data))::float8 AS bytes, COUNT(*)::int AS rows FROM ${schema}.tsdb_chunks`);
    let total = 0;
    for (const row of r.rows) total += Number(row.total);
    console.log(`postgres: ${fmt(samples)} samples; all tables ${(total / samples).toFixed(3)} bytes/sample after VACUUM FULL; chunk payload ${(chunks.rows[0].bytes / samples).toFixed(3)} in ${fmt(chunks.rows[0].rows)} rows`);
    for (const row of r.rows) console.log(`  ${row.name}: total ${(row.total / samples).toFixed(3)} (heap ${(row.heap / samples).toFixed(3)}, indexes ${(row.idx / samples).toFixed(3)})`);
  } finally {
    await pool.query(`DROP SCHEMA ${schema} CASCADE`);
    await pool.end();
  }
}

await (PG ? postgres() : sqlite());
