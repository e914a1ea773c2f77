#!/usr/bin/env node
// Micro-benchmark of durable services/s through Store.ingest.reportStates, PostgreSQL vs SQLite.
// Usage: node --import tsx bench/pg-store-micro.mjs [--store pg|sqlite|both] [--nodes 1] [--seconds 10]
//        [--concurrency 64] [--pool 16] [--groups N] [--hosts 1000] [--services 10] [--flip-rate 0.05]
// Each in-flight worker reports for its own hosts (a host's batches are serialized by design), 10 services
// per batch. With --nodes N (PostgreSQL only) N processes share one schema, each with its own hosts and
// --concurrency workers, like N Oversee nodes behind a load balancer; the figures are their sums.
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openPostgresStore } from '../src/store/postgres/index.ts';
import { openSqliteStore } from '../src/store/sqlite/index.ts';

const { values: o } = parseArgs({
  options: {
    store: { type: 'string', default: 'both' }, seconds: { type: 'string', default: '10' }, nodes: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '64' }, pool: { type: 'string', default: '16' },
    hosts: { type: 'string', default: '1000' }, services: { type: 'string', default: '10' },
    'flip-rate': { type: 'string', default: '0.05' }, groups: { type: 'string' },
  },
});
const seconds = Number(o.seconds), concurrency = Number(o.concurrency), poolSize = Number(o.pool), nodes = Number(o.nodes);
const hostCount = Math.max(Number(o.hosts), concurrency), perBatch = Number(o.services), flipRate = Number(o['flip-rate']);
const url = process.env.OVERSEE_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/test';

/** CPU seconds used so far by these processes (Linux /proc; 0 for a pid that is gone). */
function cpuSeconds(pids) {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks += Number(f[11]) + Number(f[12]);
    } catch { /* gone */ }
  }
  return ticks / 100;
}

/** Runs the load on one store; returns the counts, latencies and CPU used (this process, and its PostgreSQL backends). */
async function load(store, hostPrefix) {
  const project = await store.projects.getByName('default');
  const hosts = [];
  for (let i = 0; i < hostCount; i++) hosts.push((await store.hosts.register(project.id, `${hostPrefix}-${i}`, null, Date.now())).id);
  let batches = 0, flips = 0;
  const lat = [];
  const report = (hostId) => store.ingest.reportStates({
    hostId, at: Date.now(), address: '127.0.0.1', source: 'overc',
    services: Array.from({ length: perBatch }, (_, s) => ({ name: `svc-${s}`, state: Math.random() < flipRate ? 'WARN' : 'OK', info: 'bench', periodS: 60 })),
  });
  for (let i = 0; i < hosts.length; i += concurrency) await Promise.all(hosts.slice(i, i + concurrency).map(report)); // create every check once
  const backends = store.dialect === 'postgres'
    ? (await store.pool.query('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [store.appName])).rows.map((r) => r.pid) : [];
  const cpu0 = process.cpuUsage(), db0 = cpuSeconds(backends);
  const t0 = performance.now(), end = t0 + seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, async (_, w) => {
    for (let k = 0; performance.now() < end; k++) {
      const s = performance.now();
      const out = await report(hosts[(w + k * concurrency) % hosts.length]);
      lat.push(performance.now() - s);
      batches++;
      flips += out.filter((x) => x.flip).length;
    }
  }));
  const cpu = process.cpuUsage(cpu0);
  return { batches, flips, lat, elapsed: (performance.now() - t0) / 1000, nodeCpu: (cpu.user + cpu.system) / 1e6, dbCpu: cpuSeconds(backends) - db0 };
}

function print(label, results) {
  const batches = results.reduce((a, r) => a + r.batches, 0), flips = results.reduce((a, r) => a + r.flips, 0);
  const el = Math.max(...results.map((r) => r.elapsed));
  const lat = results.flatMap((r) => r.lat).sort((a, b) => a - b);
  const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))].toFixed(1);
  const perBatchMs = (x) => ((results.reduce((a, r) => a + r[x], 0) / batches) * 1000).toFixed(2);
  console.log(`${label}: ${Math.round(batches / el)} batches/s, ${Math.round((batches * perBatch) / el)} services/s durable, ` +
    `${flips} flips, p50 ${q(0.5)} ms, p99 ${q(0.99)} ms (concurrency ${concurrency} per node, ${el.toFixed(1)} s); ` +
    `CPU per batch: node ${perBatchMs('nodeCpu')} ms` + (label.startsWith('postgres') ? `, PostgreSQL backends ${perBatchMs('dbCpu')} ms` : ''));
}

const openPg = async (schema) => {
  const appName = `oversee-bench-${process.pid}`;
  const store = await openPostgresStore({ url, schema, poolSize, applicationName: appName, ...(o.groups ? { ingestGroups: Number(o.groups) } : {}) });
  return Object.assign(store, { appName });
};

if (process.env.BENCH_CHILD_SCHEMA) {
  // One node of a multi-node run: load, report to the parent, exit.
  const store = await openPg(process.env.BENCH_CHILD_SCHEMA);
  const r = await load(store, `node${process.env.BENCH_CHILD_INDEX}`);
  await store.close();
  process.send(r, () => process.exit(0));
} else {
  if (o.store === 'pg' || o.store === 'both') {
    const schema = `ovs_bench_${process.pid}`;
    const store = await openPg(schema);
    try {
      const sc = (await store.pool.query('SHOW synchronous_commit')).rows[0].synchronous_commit;
      const label = `postgres, ${nodes} node${nodes > 1 ? 's' : ''} (pool ${poolSize} each, ingest groups ${o.groups ?? 'default'}, synchronous_commit=${sc})`;
      if (nodes === 1) print(label, [await load(store, 'node0')]);
      else {
        const results = await Promise.all(Array.from({ length: nodes }, (_, i) => new Promise((resolve, reject) => {
          const child = fork(new URL(import.meta.url).pathname, process.argv.slice(2), {
            execArgv: ['--import', 'tsx'], env: { ...process.env, BENCH_CHILD_SCHEMA: schema, BENCH_CHILD_INDEX: String(i) },
          });
          child.once('message', resolve);
          child.once('exit', (code) => { if (code !== 0) reject(new Error(`bench node ${i} exited ${code}`)); });
        })));
        print(label, results);
      }
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
      print('sqlite, 1 node (synchronous=FULL, group commit)', [await load(store, 'node0')]);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
