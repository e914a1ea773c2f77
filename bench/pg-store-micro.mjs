#!/usr/bin/env node
// Micro-benchmark of durable services/s through Store.ingest.reportStates, PostgreSQL vs SQLite.
// Usage: node --import tsx bench/pg-store-micro.mjs [--store pg|sqlite|both] [--seconds 10] [--concurrency 64]
//        [--pool 16] [--hosts 1000] [--services 10] [--flip-rate 0.05]
// Each in-flight worker reports for its own hosts (a host's batches are serialized by design), 10 services per batch.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openPostgresStore } from '../src/store/postgres/index.ts';
import { openSqliteStore } from '../src/store/sqlite/index.ts';

const { values: o } = parseArgs({
  options: {
    store: { type: 'string', default: 'both' }, seconds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '64' }, pool: { type: 'string', default: '16' },
    hosts: { type: 'string', default: '1000' }, services: { type: 'string', default: '10' },
    'flip-rate': { type: 'string', default: '0.05' }, groups: { type: 'string' },
  },
});
const seconds = Number(o.seconds), concurrency = Number(o.concurrency), poolSize = Number(o.pool);
const hostCount = Math.max(Number(o.hosts), concurrency), perBatch = Number(o.services), flipRate = Number(o['flip-rate']);
const url = process.env.OVERSEE_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/test';

async function run(label, store) {
  const project = await store.projects.getByName('default');
  const hosts = [];
  for (let i = 0; i < hostCount; i++) hosts.push((await store.hosts.register(project.id, `bench-${i}`, null, Date.now())).id);
  let batches = 0, flips = 0;
  const lat = [];
  const report = (hostId) => store.ingest.reportStates({
    hostId, at: Date.now(), address: '127.0.0.1', source: 'overc',
    services: Array.from({ length: perBatch }, (_, s) => ({ name: `svc-${s}`, state: Math.random() < flipRate ? 'WARN' : 'OK', info: 'bench', periodS: 60 })),
  });
  // Warm-up: create every check once.
  for (let i = 0; i < hosts.length; i += concurrency) await Promise.all(hosts.slice(i, i + concurrency).map(report));
  const t0 = performance.now(), end = t0 + seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, async (_, w) => {
    for (let k = 0; performance.now() < end; k++) {
      const hostId = hosts[(w + k * concurrency) % hosts.length];
      const s = performance.now();
      const out = await report(hostId);
      lat.push(performance.now() - s);
      batches++;
      flips += out.filter((x) => x.flip).length;
    }
  }));
  const el = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))].toFixed(1);
  console.log(`${label}: ${Math.round(batches / el)} batches/s, ${Math.round((batches * perBatch) / el)} services/s durable, ` +
    `${flips} flips, p50 ${q(0.5)} ms, p99 ${q(0.99)} ms (concurrency ${concurrency}, ${el.toFixed(1)} s)`);
}

if (o.store === 'pg' || o.store === 'both') {
  const schema = `ovs_bench_${process.pid}`;
  const store = await openPostgresStore({ url, schema, poolSize, ...(o.groups ? { ingestGroups: Number(o.groups) } : {}) });
  try {
    const sc = (await store.pool.query('SHOW synchronous_commit')).rows[0].synchronous_commit;
    await run(`postgres (pool ${poolSize}, ingest groups ${o.groups ?? 'default'}, synchronous_commit=${sc})`, store);
  } finally {
    await store.close();
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  }
}
if (o.store === 'sqlite' || o.store === 'both') {
  const dir = mkdtempSync(join(tmpdir(), 'oversee-bench-'));
  const store = await openSqliteStore({ path: join(dir, 'oversee.db') });
  try {
    await run('sqlite (synchronous=FULL, group commit)', store);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
