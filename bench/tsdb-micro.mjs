#!/usr/bin/env node
// Micro-benchmark of the tsdb alone (run `npm run build` first):
//   node bench/tsdb-micro.mjs [--series 2000] [--hours 6] [--batch 1000] [--concurrency 8]
// Data: half random-walk gauges with two decimals, half counters with occasional resets, 10 s apart,
// time-major (every series at t, then every series at t+10 s). Prints samples/s of append+commit
// (durable), of the OpenTSDB JSON path (JSON.parse + validation + append + commit), of the OpenTSDB
// byte-level fast path (parseOpenTsdbFast + appendKeyed + commit, what /api/put does for plain
// bodies), query latency, and bytes per sample after compaction.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker, isMainThread, parentPort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { SampleColumnsBuilder, Tsdb } from '../dist/tsdb/index.js';
import { openSqliteTsdbStorage } from '../dist/store/sqlite/tsdb-storage.js';
import { putOpenTsdbText } from '../dist/protocols/opentsdb.js';
import { OpenTsdbKeyTable, parseOpenTsdbFast } from '../dist/protocols/opentsdb-fast.js';

if (!isMainThread) {
  // Parser worker: JSON text in, columns out (typed arrays transferred, not copied).
  const { putOpenTsdbPoints } = await import('../dist/protocols/opentsdb.js');
  parentPort.on('message', ({ id, body }) => {
    const b = new SampleColumnsBuilder(1024);
    const r = putOpenTsdbPoints(JSON.parse(body), (m, t, ts, v) => { b.add(m, t, ts, v); });
    const cols = b.build();
    parentPort.postMessage({ id, cols, failed: r.failed }, [cols.series.buffer, cols.timestamps.buffer, cols.values.buffer]);
  });
  await new Promise(() => undefined);
}

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const SERIES = arg('series', 2000);
const HOURS = arg('hours', 6);
const BATCH = arg('batch', 1000);
const CONCURRENCY = arg('concurrency', 8);
const STEP = 10_000;
const clock = { now: () => Date.now() };

let seed = 12345;
const rnd = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};

function makeGenerator(n, startTs) {
  const gauge = Float64Array.from({ length: n }, () => Math.round(rnd() * 10000) / 100);
  const counter = new Float64Array(n);
  const rate = Float64Array.from({ length: n }, () => 1 + Math.floor(rnd() * 200));
  let t = startTs;
  let i = 0;
  /** Fills columns with the next `count` samples (series index, ts, value). */
  return (count, sIdx, ts, vals) => {
    for (let k = 0; k < count; k++) {
      const s = i;
      let v;
      if (s % 2 === 0) {
        v = Math.round((gauge[s] + (rnd() - 0.5) * 2) * 100) / 100;
        gauge[s] = v;
      } else {
        counter[s] = rnd() < 0.0005 ? 0 : counter[s] + Math.round(rate[s] * 10 * (0.8 + rnd() * 0.4));
        v = counter[s];
      }
      sIdx[k] = s;
      ts[k] = t;
      vals[k] = v;
      i++;
      if (i === n) {
        i = 0;
        t += STEP;
      }
    }
  };
}

const names = Array.from({ length: SERIES }, (_, s) => (s % 2 === 0 ? 'sys.cpu.user' : 'http.requests'));
const tagsOf = Array.from({ length: SERIES }, (_, s) => ({ host: `host-${String(s >> 1).padStart(5, '0')}`, dc: `dc${s % 7}` }));

async function phaseDirect(tsdb, total, startTs) {
  const gen = makeGenerator(SERIES, startTs);
  const sIdx = new Uint32Array(BATCH);
  const ts = new Float64Array(BATCH);
  const vals = new Float64Array(BATCH);
  const inflight = new Set();
  const t0 = performance.now();
  for (let done = 0; done < total; done += BATCH) {
    const n = Math.min(BATCH, total - done);
    gen(n, sIdx, ts, vals);
    for (let k = 0; k < n; k++) {
      const s = sIdx[k];
      const err = tsdb.append(1, names[s], tagsOf[s], ts[k], vals[k], s % 2 === 0 ? 'gauge' : 'counter');
      if (err !== null) throw new Error(err);
    }
    const p = tsdb.commit();
    inflight.add(p);
    p.then(() => inflight.delete(p));
    if (inflight.size >= CONCURRENCY) await Promise.race(inflight);
  }
  await Promise.all(inflight);
  return (performance.now() - t0) / 1000;
}

function makeBodies(batches, startTs) {
  const gen = makeGenerator(SERIES, startTs);
  const sIdx = new Uint32Array(BATCH);
  const ts = new Float64Array(BATCH);
  const vals = new Float64Array(BATCH);
  const bodies = [];
  for (let b = 0; b < batches; b++) {
    gen(BATCH, sIdx, ts, vals);
    const arr = [];
    for (let k = 0; k < BATCH; k++) arr.push({ metric: names[sIdx[k]], timestamp: ts[k], value: vals[k], tags: tagsOf[sIdx[k]] });
    bodies.push(JSON.stringify(arr));
  }
  return bodies;
}

/** OpenTSDB JSON parsed by `nWorkers` worker threads; the main thread only appends columns and commits. */
async function phaseWorkers(tsdb, bodies, nWorkers, projectId) {
  const workers = Array.from({ length: nWorkers }, () => new Worker(new URL(import.meta.url)));
  const pending = new Map();
  for (const w of workers) w.on('message', (m) => { pending.get(m.id)(m); pending.delete(m.id); });
  const parse = (id, body) => new Promise((resolve) => { pending.set(id, resolve); workers[id % nWorkers].postMessage({ id, body }); });
  const inflight = new Set();
  const t0 = performance.now();
  for (let id = 0; id < bodies.length; id++) {
    const p = parse(id, bodies[id]).then((m) => {
      const r = tsdb.appendColumns(projectId, m.cols);
      if (r.rejected.length > 0 || m.failed > 0) throw new Error('rejected samples');
      return tsdb.commit();
    });
    inflight.add(p);
    p.then(() => inflight.delete(p));
    if (inflight.size >= CONCURRENCY * nWorkers) await Promise.race(inflight);
  }
  await Promise.all(inflight);
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all(workers.map((w) => w.terminate()));
  return seconds;
}

async function phaseOpenTsdb(tsdb, batches, startTs) {
  // JSON bodies are made before timing starts, as a load generator would send them.
  const gen = makeGenerator(SERIES, startTs);
  const sIdx = new Uint32Array(BATCH);
  const ts = new Float64Array(BATCH);
  const vals = new Float64Array(BATCH);
  const bodies = [];
  for (let b = 0; b < batches; b++) {
    gen(BATCH, sIdx, ts, vals);
    const arr = [];
    for (let k = 0; k < BATCH; k++) arr.push({ metric: names[sIdx[k]], timestamp: ts[k], value: vals[k], tags: tagsOf[sIdx[k]] });
    bodies.push(JSON.stringify(arr));
  }
  const bytes = bodies.reduce((a, b) => a + b.length, 0);
  const inflight = new Set();
  const sink = (metric, tags, tsMs, value) => tsdb.append(2, metric, tags, tsMs, value) ?? undefined;
  const t0 = performance.now();
  for (const body of bodies) {
    const r = putOpenTsdbText(body, sink);
    if (r.failed > 0) throw new Error(r.errors[0].error);
    const p = tsdb.commit();
    inflight.add(p);
    p.then(() => inflight.delete(p));
    if (inflight.size >= CONCURRENCY) await Promise.race(inflight);
  }
  await Promise.all(inflight);
  return { seconds: (performance.now() - t0) / 1000, bytes };
}

/** The byte-level fast path over Buffers of the same bodies (project 4). */
async function phaseFast(tsdb, bodies) {
  const bufs = bodies.map((b) => Buffer.from(b));
  const table = new OpenTsdbKeyTable();
  const inflight = new Set();
  const t0 = performance.now();
  for (const buf of bufs) {
    const batch = parseOpenTsdbFast(buf, table);
    if (batch === null) throw new Error('fast path refused a bench body');
    const r = tsdb.appendKeyed(4, table, batch);
    if (r.rejected > 0) throw new Error(`${r.rejected} samples refused`);
    const p = tsdb.commit();
    inflight.add(p);
    p.then(() => inflight.delete(p));
    if (inflight.size >= CONCURRENCY) await Promise.race(inflight);
  }
  await Promise.all(inflight);
  return (performance.now() - t0) / 1000;
}

const dir = mkdtempSync(join(tmpdir(), 'oversee-tsdb-micro-'));
const path = join(dir, 'tsdb.sqlite');
try {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  const tsdb = await Tsdb.open({ storage: openSqliteTsdbStorage({ db }), clock });
  const perSeries = Math.floor((HOURS * 3600_000) / STEP);
  const total = perSeries * SERIES;
  const start = Math.floor((Date.now() - HOURS * 3600_000) / STEP) * STEP;
  console.log(`load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')} on ${(await import('node:os')).cpus().length} cores`);
  console.log(`tsdb micro: ${SERIES} series × ${perSeries} samples (${HOURS} h at 10 s) = ${total} samples, batches of ${BATCH}, ${CONCURRENCY} in flight`);

  // CPU time is printed too: on a shared machine it says more than wall time (samples per CPU-second).
  const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
  let c0 = cpu();
  const direct = await phaseDirect(tsdb, total, start);
  console.log(`append+commit (durable, synchronous=FULL): ${(total / direct / 1e6).toFixed(2)} M samples/s wall (${direct.toFixed(2)} s), ${(total / (cpu() - c0) / 1e6).toFixed(2)} M samples per CPU-second`);

  const otBatches = Math.min(500, Math.ceil(total / BATCH));
  c0 = cpu();
  const ot = await phaseOpenTsdb(tsdb, otBatches, start);
  const otSamples = otBatches * BATCH;
  console.log(`OpenTSDB JSON path (parse + validate + append + commit): ${(otSamples / ot.seconds / 1e6).toFixed(2)} M samples/s wall over ${otSamples} samples (${(ot.bytes / ot.seconds / 1e6).toFixed(0)} MB/s of JSON), ${(otSamples / (cpu() - c0) / 1e6).toFixed(2)} M samples per CPU-second`);

  const wBodies = makeBodies(otBatches, start + 3_600_000 * 0);
  c0 = cpu();
  const fSeconds = await phaseFast(tsdb, wBodies);
  console.log(`OpenTSDB byte-level fast path (parseOpenTsdbFast + appendKeyed + commit): ${(otSamples / fSeconds / 1e6).toFixed(2)} M samples/s wall, ${(otSamples / (cpu() - c0) / 1e6).toFixed(2)} M samples per CPU-second`);
  c0 = cpu();
  const wSeconds = await phaseWorkers(tsdb, wBodies, 2, 3);
  console.log(`OpenTSDB JSON path with 2 parser worker threads (main thread: appendColumns + commit): ${(otSamples / wSeconds / 1e6).toFixed(2)} M samples/s wall, ${(otSamples / (cpu() - c0) / 1e6).toFixed(2)} M samples per CPU-second (all threads)`);

  let t = performance.now();
  await tsdb.checkpoint();
  const ck = (performance.now() - t) / 1000;
  t = performance.now();
  const { windows } = await tsdb.compact({ force: true });
  const cp = (performance.now() - t) / 1000;
  const st = await tsdb.stats();
  console.log(`checkpoint ${ck.toFixed(2)} s, compaction of ${windows} windows ${cp.toFixed(2)} s`);
  console.log(`raw chunks: ${st.rawSamples} samples in ${st.rawBytes} bytes = ${(st.rawBytes / st.rawSamples).toFixed(3)} bytes/sample (chunk payload)`);

  const qFrom = Date.now() - Math.min(HOURS, 24) * 3600_000;
  for (const [label, q] of [
    ['avg step 60 s, 1 series', { projectId: 1, name: 'sys.cpu.user', tags: { host: 'host-00000' }, from: qFrom, to: Date.now(), step: 60_000, agg: 'avg' }],
    [`avg step 60 s, all ${SERIES / 2} gauge series`, { projectId: 1, name: 'sys.cpu.user', from: qFrom, to: Date.now(), step: 60_000, agg: 'avg' }],
    [`rate step 60 s, all ${SERIES / 2} counters, grouped by dc`, { projectId: 1, name: 'http.requests', from: qFrom, to: Date.now(), step: 60_000, agg: 'rate', groupBy: ['dc'] }],
  ]) {
    t = performance.now();
    const qc = cpu();
    const r = await tsdb.query(q);
    console.log(`query ${label}: ${(performance.now() - t).toFixed(0)} ms wall, ${((cpu() - qc) * 1000).toFixed(0)} ms CPU (${r.series.length} series × ${r.timestamps.length} points, tier ${r.tier})`);
  }
  const samples = st.rawSamples;
  await tsdb.close();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.exec('VACUUM');
  try {
    const rows = db.prepare('SELECT name, SUM(pgsize) AS bytes, SUM(payload) AS payload FROM dbstat GROUP BY name ORDER BY bytes DESC').all();
    console.log('space by table/index: ' + rows.map((r) => `${r.name} ${(r.bytes / 1024).toFixed(0)} KiB`).join(', '));
  } catch {
    // dbstat is not compiled in everywhere
  }
  const size = statSync(path).size;
  db.close();
  console.log(`file after VACUUM: ${size} bytes = ${(size / samples).toFixed(3)} bytes/sample (includes series table and indexes)`);
  console.log(`peak RSS ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
