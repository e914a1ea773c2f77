// Bench section "postgres": durable OverC services/s and OpenTSDB samples/s of `oversee serve` with
// 1 node and 2 nodes on one PostgreSQL schema (fresh per run, dropped after), next to 1 node on
// SQLite, and the ratios to SQLite. Load generators run in child processes (overc-generator.mjs,
// pg-put-generator.mjs); with 2 nodes the connections are split evenly between them. Everything
// shares this machine's cores with PostgreSQL, so 2 nodes measure contention as much as scale-out.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { fmt, median, startServer } from './overc-load.mjs';

export const name = 'postgres';

const PG_URL = process.env.OVERSEE_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/test';
const SETUPS = [
  { label: 'sqlite, 1 node', store: 'sqlite', nodes: 1 },
  { label: 'postgres, 1 node', store: 'postgres', nodes: 1 },
  { label: 'postgres, 2 nodes', store: 'postgres', nodes: 2 },
];

/** Runs every setup `runs` times (services, then samples) and resolves to the summary with medians and ratios. */
export async function run({ runs, durationMs, log, connections = 32, hosts = 200, servicesPerReport = 10, series = 100, points = 10 }) {
  const results = new Map(SETUPS.map((s) => [s.label, []]));
  for (let i = 1; i <= runs; i++) {
    for (const setup of SETUPS) {
      const r = await oneRun(setup, { durationMs, connections, hosts, servicesPerReport, series, points });
      results.get(setup.label).push(r);
      log(`run ${i}/${runs} ${setup.label}: ${fmt(r.servicesPerS)} services/s (${r.reportErrors} non-200), ${fmt(r.samplesPerS)} samples/s (${r.putErrors} non-204)`);
    }
  }
  const med = (label, k) => median(results.get(label).map((r) => r[k]));
  const base = { services: med(SETUPS[0].label, 'servicesPerS'), samples: med(SETUPS[0].label, 'samplesPerS') };
  return {
    title: `postgres: ${connections} connections, OverC ${hosts} hosts x ${servicesPerReport} services/report, OpenTSDB ${series * points} samples/put, ${durationMs / 1000} s x ${runs} runs`,
    lines: SETUPS.map((s) => {
      const sv = med(s.label, 'servicesPerS');
      const sm = med(s.label, 'samplesPerS');
      return `${s.label.padEnd(18)} services/s ${fmt(sv).padStart(7)} (${(sv / base.services).toFixed(2)} x sqlite)   samples/s ${fmt(sm).padStart(9)} (${(sm / base.samples).toFixed(2)} x sqlite)`;
    }),
  };
}

async function oneRun(setup, opts) {
  const schema = `ovs_bench_${randomBytes(5).toString('hex')}`;
  const dirs = [];
  const servers = [];
  try {
    for (let n = 0; n < setup.nodes; n++) {
      const dir = await mkdtemp(join(tmpdir(), 'oversee-pgbench-'));
      dirs.push(dir);
      const store = setup.store === 'postgres' ? ['--store', `${PG_URL}?schema=${schema}`] : [];
      servers.push(await startServer(dir, ['--statsd-port', '0', '--graphite-port', '0', ...store])); // metric listeners off
    }
    // Services: one OverC generator per node, the connections split between them.
    const per = Math.max(1, Math.floor(opts.connections / servers.length));
    const overc = await Promise.all(servers.map((s) => child('overc-generator.mjs', {
      url: s.url, durationMs: opts.durationMs, connections: per, hosts: opts.hosts, servicesPerReport: opts.servicesPerReport,
    })));
    const seconds = Math.max(...overc.map((g) => g.seconds));
    const puts = await child('pg-put-generator.mjs', {
      urls: servers.map((s) => s.url), durationMs: opts.durationMs, connections: opts.connections, series: opts.series, points: opts.points,
    });
    return {
      servicesPerS: overc.reduce((n, g) => n + g.ok, 0) * opts.servicesPerReport / seconds,
      reportErrors: overc.reduce((n, g) => n + g.errors, 0),
      samplesPerS: puts.samples / puts.seconds,
      putErrors: puts.errors,
    };
  } finally {
    for (const s of servers) await s.stop();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
    if (setup.store === 'postgres') await dropSchema(schema);
  }
}

/** Runs a generator child with `opts`; resolves to its result (the OverC one reports a 'timed' phase first). */
function child(file, opts) {
  const proc = fork(fileURLToPath(new URL(`./${file}`, import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    proc.on('message', (msg) => { if (msg.phase !== 'timed') resolve(msg); });
    proc.once('exit', (code) => { if (code !== 0) reject(new Error(`${file} exited with ${code}`)); });
    proc.send(opts);
  });
}

async function dropSchema(schema) {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await c.end();
  }
}
