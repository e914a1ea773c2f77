#!/usr/bin/env node
// CPU per million samples of the OpenTSDB fast path in-process, without HTTP (run `npm run build` first):
//   node bench/opentsdb-parse-cpu.mjs [DIST_DIR, default ./dist]
// 720,000 samples (2,000 series × 360 points, time-major, as bench/metrics-sender.mjs makes them) in
// bodies of 1,000: parseOpenTsdbFast alone (3 passes, warm key table), then parse + Tsdb.appendKeyed
// + commit (real SQLite file, WAL, synchronous=NORMAL, 8 commits in flight). Compare builds by
// running it alternately against each dist directory several times (medians: the machine is shared).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';

const dist = pathToFileURL(resolve(process.argv[2] ?? new URL('../dist', import.meta.url).pathname)).href;
const { Tsdb } = await import(`${dist}/tsdb/index.js`);
const { openSqliteTsdbStorage } = await import(`${dist}/store/sqlite/tsdb-storage.js`);
const { OpenTsdbKeyTable, parseOpenTsdbFast } = await import(`${dist}/protocols/opentsdb-fast.js`);

const SERIES = 2000;
const POINTS = 360;
const nowSec = Math.floor(Date.now() / 1000);
const start = Math.floor((nowSec - 15 * 60) / 7200) * 7200 - POINTS * 10;
let seed = 42;
const rnd = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
const bodies = [];
let parts = [];
const gauge = Float64Array.from({ length: SERIES }, () => Math.round(rnd() * 100000) / 100);
for (let t = 0; t < POINTS; t++) {
  for (let k = 0; k < SERIES; k++) {
    const v = k % 2 ? Math.floor(rnd() * 1e6) + t * 100 : (gauge[k] = Math.round((gauge[k] + rnd() - 0.5) * 100) / 100);
    parts.push(`{"metric":"bench.${k % 2 ? 'counter' : 'gauge'}","timestamp":${start + t * 10},"value":${v},"tags":{"host":"h-${String(k >> 1).padStart(6, '0')}","dc":"dc${(k >> 1) % 8}"}}`);
    if (parts.length === 1000) {
      bodies.push(Buffer.from(`[${parts.join(',')}]`));
      parts = [];
    }
  }
}
const total = bodies.length * 1000;
const cpu = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};

const table = new OpenTsdbKeyTable();
for (const b of bodies) parseOpenTsdbFast(b, table); // warm-up; every key known
let c0 = cpu();
for (let r = 0; r < 3; r++) for (const b of bodies) if (parseOpenTsdbFast(b, table) === null) throw new Error('fast path refused a bench body');
const parse = (cpu() - c0) / 3 / (total / 1e6);

const dir = mkdtempSync(join(tmpdir(), 'oversee-parse-cpu-'));
try {
  const db = new Database(join(dir, 'tsdb.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const tsdb = await Tsdb.open({ storage: openSqliteTsdbStorage({ db }), clock: { now: () => Date.now() }, checkpointSamples: 1e9 });
  const keys = new OpenTsdbKeyTable();
  const inflight = new Set();
  c0 = cpu();
  for (const b of bodies) {
    const r = tsdb.appendKeyed(1, keys, parseOpenTsdbFast(b, keys));
    if (r.rejected > 0) throw new Error(`${r.rejected} samples refused`);
    const p = tsdb.commit();
    inflight.add(p);
    p.then(() => inflight.delete(p));
    if (inflight.size >= 8) await Promise.race(inflight);
  }
  await Promise.all(inflight);
  const full = (cpu() - c0) / (total / 1e6);
  console.log(`parse ${parse.toFixed(3)} s/M  parse+append+commit ${full.toFixed(3)} s/M  (CPU seconds per million samples, ${total} samples)`);
  await tsdb.close();
  db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
