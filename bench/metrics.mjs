#!/usr/bin/env node
// Bench section "metrics" (issue 5, Performance): Oversee side by side with its peers on the same data.
//   1. OpenTSDB JSON ingestion (POST /api/put, 1,000 samples per body, keep-alive sender in a child
//      process): samples/s acknowledged 2xx, Oversee vs VictoriaMetrics (Debian package).
//   2. statsd over UDP: highest rate without loss (lines/s), Oversee vs the statsd daemon (npm),
//      found by stepping the send rate; arrivals counted by the receivers themselves.
//   3. Bytes per sample on disk after compaction, Oversee vs VictoriaMetrics, same data.
//   4. Range query, 1 day × 1,000 series at 10 s, step 60 s, avg: Oversee GET /api/v1/query vs
//      VictoriaMetrics /api/v1/query_range (avg_over_time), median of several runs.
//   5. Peak RSS (VmHWM) with 100,000 active series.
// Peers are installed here when missing (apt-get install victoria-metrics; npm install --prefix
// .bench/peers statsd); a peer that cannot be installed or started is reported and skipped.
// Oversee runs as a real `oversee serve` (built by `npm run build`) on a temporary data dir.
//
// In the runner: npm run bench -- --only metrics [--quick]   (or OVERSEE_BENCH_QUICK=1 for smaller data)
// Standalone: node bench/metrics.mjs [--quick] [--runs N] [--connections N] [--phases ingest,statsd,rss]
//             [--cpu-prof DIR]   (Oversee servers write V8 CPU profiles into DIR)
//             OVERSEE_BENCH_BIN=/path/to/bin/oversee benchmarks another build.
import { execFile, fork, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';

export const name = 'metrics';
export const description = 'issue 5 metrics: OpenTSDB ingest, statsd, bytes/sample, range query, RSS vs VictoriaMetrics and statsd';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PEERS_DIR = join(ROOT, '.bench', 'peers');
const STATSD_JS = join(PEERS_DIR, 'node_modules', 'statsd', 'stats.js');
const VM_BIN = '/usr/bin/victoria-metrics';
/** The `oversee` executable under test (OVERSEE_BENCH_BIN compares another build, e.g. a copy of bin/ and dist/). */
const OVERSEE_BIN = process.env.OVERSEE_BENCH_BIN || join(ROOT, 'bin', 'oversee');
const STATSD_VERSION = '0.9'; // newest statsd on npm (there is no 0.10)
const execFileAsync = promisify(execFile);

const TARGET_INGEST = 1_000_000;
const TARGET_INGEST_RATIO = 0.5;
const TARGET_STATSD_RATIO = 3;
const TARGET_BYTES_PER_SAMPLE = 1.5;

// ---------- process bookkeeping: nothing is left behind ----------

const children = new Set();
const tempDirs = new Set();
let exitHooked = false;
function hookExit() {
  if (exitHooked) return;
  exitHooked = true;
  process.on('exit', () => {
    for (const c of children) { try { c.kill('SIGKILL'); } catch { /* gone */ } }
  });
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.once(sig, async () => {
      for (const c of children) { try { c.kill('SIGKILL'); } catch { /* gone */ } }
      for (const d of tempDirs) await rm(d, { recursive: true, force: true }).catch(() => undefined);
      process.exit(130);
    });
  }
}
function track(proc) {
  children.add(proc);
  proc.once('exit', () => children.delete(proc));
  return proc;
}
async function tempDir(prefix) {
  const d = await mkdtemp(join(tmpdir(), prefix));
  tempDirs.add(d);
  return d;
}
async function removeDir(d) {
  tempDirs.delete(d);
  await rm(d, { recursive: true, force: true });
}
function exitOf(proc) {
  return proc.exitCode !== null || proc.signalCode !== null ? Promise.resolve() : new Promise((r) => proc.once('exit', r));
}
async function stopProc(proc, graceMs = 120_000) {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const done = exitOf(proc);
  proc.kill('SIGTERM');
  const t = setTimeout(() => proc.kill('SIGKILL'), graceMs);
  await done;
  clearTimeout(t);
}

// ---------- small helpers ----------

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function median(xs) {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
const fmt = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const fix = (n, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');
const mib = (bytes) => `${(bytes / 1048576).toFixed(1)} MiB`;

function freeTcpPort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}
function freeUdpPort() {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}
async function peakRssMiB(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)\s+kB/.exec(status)?.[1] ?? NaN) / 1024;
}
async function cpuSeconds(pid) {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}
/** Kernel drop counter of the UDP socket bound to `port` (/proc/net/udp), null when not found. */
async function udpDrops(port) {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const text = await readFile('/proc/net/udp', 'utf8').catch(() => '');
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length >= 13 && cols[1].endsWith(hex)) return Number(cols[12]);
  }
  return null;
}
function dirBytes(dir) {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) n += dirBytes(p);
    else if (e.isFile()) n += statSync(p).size;
  }
  return n;
}
async function httpGet(url, headers = {}) {
  const res = await fetch(url, { headers });
  const body = await res.arrayBuffer();
  return { status: res.status, body: Buffer.from(body) };
}
async function waitFor(what, fn, timeoutMs, everyMs = 250) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    try {
      if (await fn()) return;
    } catch (err) { last = err; }
    await sleep(everyMs);
  }
  throw new Error(`${what}: not ready within ${timeoutMs / 1000} s${last ? ` (${last.message})` : ''}`);
}

// ---------- peers: installed on demand ----------

async function runCmd(cmd, args, opts = {}) {
  try {
    await execFileAsync(cmd, args, { maxBuffer: 64 * 1024 * 1024, timeout: 600_000, ...opts });
    return null;
  } catch (err) {
    return `${cmd} ${args.join(' ')} failed: ${String(err.stderr || err.message).trim().split('\n').slice(-3).join(' | ')}`;
  }
}

async function ensureVictoriaMetrics(log) {
  if (existsSync(VM_BIN)) return { bin: VM_BIN };
  log('victoria-metrics missing: apt-get install -y victoria-metrics');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let err = await runCmd('apt-get', ['install', '-y', 'victoria-metrics'], { env });
  if (err !== null) {
    log('apt-get install failed; apt-get update and retry');
    await runCmd('apt-get', ['update'], { env });
    err = await runCmd('apt-get', ['install', '-y', 'victoria-metrics'], { env });
  }
  return existsSync(VM_BIN) ? { bin: VM_BIN } : { bin: null, why: err ?? `${VM_BIN} still missing after apt-get` };
}

async function ensureStatsd(log) {
  if (existsSync(STATSD_JS)) return { js: STATSD_JS };
  log(`statsd missing: npm install --no-save --prefix .bench/peers statsd@${STATSD_VERSION}`);
  await mkdir(PEERS_DIR, { recursive: true });
  const err = await runCmd('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', PEERS_DIR, `statsd@${STATSD_VERSION}`]);
  return existsSync(STATSD_JS) ? { js: STATSD_JS } : { js: null, why: err ?? `${STATSD_JS} still missing after npm install` };
}

// ---------- servers ----------

/** `node bin/oversee serve` on `dataDir`; resolves once it prints its listening line. */
function startOversee({ dataDir, statsdPort = 0, cpuProfDir = null }) {
  const nodeArgs = cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : [];
  const proc = track(spawn(process.execPath, [...nodeArgs, OVERSEE_BIN, 'serve', '--port', '0', '--data', dataDir,
    '--statsd-port', String(statsdPort), '--graphite-port', '0', '--log-level', 'warn'], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OVERSEE_'))),
  }));
  let out = '';
  let stdout = '';
  proc.stderr.on('data', (c) => { out = (out + c).slice(-8192); });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`oversee did not start:\n${out}`)); }, 60_000);
    proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`oversee exited (${code}) before listening:\n${out}`)); });
    proc.stdout.on('data', (c) => {
      stdout += c;
      out = (out + c).slice(-8192);
      const m = /Oversee listening on (\S+)/.exec(stdout);
      if (!m) return;
      clearTimeout(timer);
      proc.stdout.removeAllListeners('data');
      proc.stdout.resume();
      const url = new URL(m[1]);
      resolve({
        proc, pid: proc.pid, url: m[1], host: url.hostname, port: Number(url.port), dataDir,
        token: /Admin API token \(shown once\): (\S+)/.exec(stdout)?.[1] ?? null,
        output: () => out,
        stop: () => stopProc(proc),
      });
    });
  });
}

async function startVictoriaMetrics(bin, dataDir) {
  const httpPort = await freeTcpPort();
  const otsdbPort = await freeTcpPort();
  const proc = track(spawn(bin, [
    `-storageDataPath=${dataDir}`, `-httpListenAddr=127.0.0.1:${httpPort}`, `-opentsdbHTTPListenAddr=127.0.0.1:${otsdbPort}`,
    '-retentionPeriod=1y', '-loggerLevel=ERROR', '-search.disableCache',
  ], { stdio: ['ignore', 'ignore', 'pipe'] }));
  let out = '';
  proc.stderr.on('data', (c) => { out = (out + c).slice(-8192); });
  const base = `http://127.0.0.1:${httpPort}`;
  try {
    await waitFor('victoria-metrics', async () => (await httpGet(`${base}/health`)).status === 200 && await new Promise((resolve) => {
      const s = net.connect(otsdbPort, '127.0.0.1', () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    }), 30_000);
  } catch (err) {
    proc.kill('SIGKILL');
    throw new Error(`${err.message}\n${out}`, { cause: err });
  }
  return { proc, pid: proc.pid, base, otsdbPort, dataDir, stop: () => stopProc(proc, 60_000) };
}

async function startStatsdDaemon(js) {
  const dir = await tempDir('statsd-peer-');
  const port = await freeUdpPort();
  const mgmtPort = await freeTcpPort();
  const config = join(dir, 'config.js');
  // No backend, flush once an hour: counters (statsd.metrics_received included) only grow during the bench.
  await writeFile(config, `{ port: ${port}, address: "127.0.0.1", mgmt_port: ${mgmtPort}, mgmt_address: "127.0.0.1", flushInterval: 3600000, backends: [] }\n`);
  const proc = track(spawn(process.execPath, [js, config], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }));
  let out = '';
  proc.stdout.on('data', (c) => { out = (out + c).slice(-8192); });
  proc.stderr.on('data', (c) => { out = (out + c).slice(-8192); });
  const d = { proc, pid: proc.pid, port, mgmtPort, received: () => statsdMetricsReceived(mgmtPort), stop: async () => { await stopProc(proc, 10_000); await removeDir(dir); } };
  try {
    await waitFor('statsd daemon', async () => (await d.received()) >= 0, 20_000);
  } catch (err) {
    await d.stop();
    throw new Error(`${err.message}\n${out}`, { cause: err });
  }
  return d;
}

/** statsd's own count of metric lines received, from its management interface (`counters`). */
function statsdMetricsReceived(mgmtPort) {
  return new Promise((resolve, reject) => {
    const s = net.connect(mgmtPort, '127.0.0.1');
    let text = '';
    s.setTimeout(5000, () => { s.destroy(); reject(new Error('statsd management interface timed out')); });
    s.on('error', reject);
    s.on('connect', () => s.write('counters\n'));
    s.on('data', (c) => {
      text += c;
      if (!text.includes('END')) return;
      s.end('quit\n');
      const m = /'statsd\.metrics_received':\s*(\d+)/.exec(text);
      if (m) resolve(Number(m[1]));
      else reject(new Error(`no statsd.metrics_received in: ${text.slice(0, 200)}`));
    });
  });
}

/** Oversee's self-metrics: statsd lines accepted (published once a second). */
async function overseeStatsdAccepted(server) {
  const { body } = await httpGet(`${server.url}/metrics`);
  const text = body.toString('utf8');
  const m = /^oversee_reports_accepted_total\{protocol="statsd"\} (\S+)$/m.exec(text);
  return m ? Number(m[1]) : 0;
}

// ---------- the load generator child ----------

function startSender() {
  const child = track(fork(fileURLToPath(new URL('./metrics-sender.mjs', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  let queue = Promise.resolve();
  const call = (msg) => {
    const p = queue.then(() => new Promise((resolve, reject) => {
      const onExit = (code) => reject(new Error(`sender exited (${code})`));
      child.once('exit', onExit);
      child.once('message', (answer) => {
        child.off('exit', onExit);
        if (answer.ok) resolve(answer);
        else reject(new Error(answer.error));
      });
      child.send(msg);
    }));
    queue = p.catch(() => undefined);
    return p;
  };
  return { call, close: async () => { if (child.connected) child.send({ cmd: 'exit' }); await exitOf(child); } };
}

// ---------- figures ----------

async function ingest(sender, key, samples, target) {
  const cpu0 = await cpuSeconds(target.pid);
  const r = await sender.call({ cmd: 'put', key, host: '127.0.0.1', port: target.port, path: '/api/put', connections: target.connections });
  const cpuS = (await cpuSeconds(target.pid)) - cpu0;
  return { rate: r.okSamples / r.seconds, ok: r.okSamples, failed: r.failedRequests, statuses: r.statuses, seconds: r.seconds, cpuS, complete: r.okSamples === samples };
}

/** Stepping: doubles the rate until a step loses lines (or the sender cannot keep up), then bisects. */
async function maxLosslessRate({ sender, port, pid, received, stepSeconds, startRate, linesPerDatagram, log, label }) {
  const step = async (rate) => {
    const before = await received();
    const drops0 = await udpDrops(port);
    const cpu0 = await cpuSeconds(pid);
    const s = await sender.call({ cmd: 'udp', host: '127.0.0.1', port, rate, seconds: stepSeconds, linesPerDatagram });
    // Let the receiver drain its socket buffer and publish its counts.
    let got = 0;
    for (let i = 0; i < 8; i++) {
      await sleep(i === 0 ? 1500 : 500);
      got = (await received()) - before;
      if (got >= s.lines) break;
    }
    const cpuUsPerLine = (((await cpuSeconds(pid)) - cpu0) * 1e6) / Math.max(1, got);
    const drops = ((await udpDrops(port)) ?? 0) - (drops0 ?? 0);
    const lost = Math.max(0, s.lines - got);
    log(`  ${label}: ${fmt(rate)} lines/s asked, ${fmt(s.achievedRate)} sent, ${fmt(got)}/${fmt(s.lines)} counted, lost ${fmt(lost)} (kernel drops ${fmt(drops)} datagrams), receiver CPU ${cpuUsPerLine.toFixed(2)} µs/line`);
    cpuPerLine.push(cpuUsPerLine);
    return { ok: lost === 0, achieved: s.achievedRate, senderLimited: s.achievedRate < rate * 0.9 };
  };
  const cpuPerLine = [];
  let lo = 0;
  let hi = null;
  let rate = startRate;
  let senderLimited = false;
  while (hi === null) {
    const r = await step(rate);
    if (!r.ok) { hi = rate; break; }
    lo = Math.max(lo, Math.min(rate, r.achieved));
    if (r.senderLimited) { senderLimited = true; break; }
    rate *= 2;
  }
  if (hi !== null) {
    for (let i = 0; i < 3 && hi / Math.max(lo, 1) > 1.15; i++) {
      const mid = Math.round(lo === 0 ? hi / 2 : Math.sqrt(lo * hi));
      const r = await step(mid);
      if (r.ok) lo = Math.min(mid, r.achieved);
      else hi = mid;
    }
  }
  // CPU per line: median over the steps (at low rates it includes idle timers, so it is an upper bound).
  return { rate: lo, senderLimited, cpuUsPerLine: median(cpuPerLine) };
}

async function waitOverseeCompacted(dbFile, timeoutMs) {
  const { default: Database } = await import('better-sqlite3');
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    let pending = null;
    try {
      const db = new Database(dbFile, { readonly: true, fileMustExist: true });
      try {
        db.pragma('busy_timeout = 2000');
        const fresh = db.prepare('SELECT count(*) AS n FROM tsdb_chunks WHERE tier = 0 AND level = 0').get().n;
        const wal = db.prepare('SELECT count(*) AS n FROM tsdb_wal').get().n;
        // A file with incremental auto_vacuum gives its free pages back after compaction: wait for that too.
        const freeLeft = db.pragma('auto_vacuum', { simple: true }) === 2 ? db.pragma('freelist_count', { simple: true }) : 0;
        pending = fresh + wal + freeLeft;
      } finally { db.close(); }
    } catch { /* busy: try again */ }
    if (pending === 0) return true;
    await sleep(2000);
  }
  return false;
}

async function overseeStoreFacts(dataDir) {
  const { default: Database } = await import('better-sqlite3');
  const file = readdirSync(dataDir).map((f) => join(dataDir, f)).find((f) => /\.(db|sqlite3?)$/.test(f));
  if (!file) return null;
  const db = new Database(file, { readonly: true });
  try {
    const pageSize = db.pragma('page_size', { simple: true });
    const free = db.pragma('freelist_count', { simple: true }) * pageSize;
    const rows = db.prepare('SELECT tier, level, count(*) AS chunks, sum(length(data)) AS bytes, sum(count) AS samples FROM tsdb_chunks GROUP BY tier, level ORDER BY tier, level').all();
    const autoVacuum = ['none', 'full', 'incremental'][db.pragma('auto_vacuum', { simple: true })] ?? '?';
    return { file, freeBytes: free, rows, pageSize, autoVacuum };
  } finally { db.close(); }
}

function sqliteFile(dataDir) {
  return readdirSync(dataDir).map((f) => join(dataDir, f)).find((f) => /\.(db|sqlite3?)$/.test(f));
}

async function vmSettle(vm) {
  // Wait until no merge is running and the size has not changed for 3 s.
  let last = -1;
  let stable = 0;
  for (let i = 0; i < 300 && stable < 3; i++) {
    await sleep(1000);
    const { body } = await httpGet(`${vm.base}/metrics`);
    const merges = [...body.toString('utf8').matchAll(/^vm_active_merges\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
    const size = dirBytes(vm.dataDir);
    stable = merges === 0 && size === last ? stable + 1 : 0;
    last = size;
  }
}

async function timeQuery(url, headers) {
  const t0 = performance.now();
  const r = await httpGet(url, headers);
  const ms = performance.now() - t0;
  if (r.status !== 200) throw new Error(`${url} answered ${r.status}: ${r.body.toString('utf8').slice(0, 300)}`);
  return { ms, bytes: r.body.length, body: r.body };
}

// ---------- the section ----------

/**
 * Concurrent puts in flight, the same for Oversee and VictoriaMetrics. 8 made the figure a measure of
 * one fdatasync round trip (Oversee answers only after its group commit is durable; the server idled
 * at ~45 % of a core), not of throughput; 32 is still far fewer senders than a fleet of agents.
 */
const DEFAULT_CONNECTIONS = 32;

/** Runs the section and resolves to its summary ({ title, lines }). */
export async function run({ runs = 3, log = console.log, connections = DEFAULT_CONNECTIONS, quick = process.env.OVERSEE_BENCH_QUICK === '1', phases = ['ingest', 'statsd', 'rss'], cpuProfDir = null } = {}) {
  hookExit();
  const cfg = quick
    ? { series: 400, hours: 2, querySeries: 200, rssSeries: 10_000, rssPoints: 3, stepSeconds: 1.5, queryReps: 3, startRate: 20_000 }
    : { series: 2000, hours: 24, querySeries: 1000, rssSeries: 100_000, rssPoints: 6, stepSeconds: 3, queryReps: 7, startRate: 25_000 };
  const linesPerDatagram = 10;
  const points = cfg.hours * 360;
  const samples = cfg.series * points;
  const nowSec = Math.floor(Date.now() / 1000);
  // The day ends before the current 2 h raw window less Oversee's 10 min compaction grace, so that
  // every window of it can be compacted; VictoriaMetrics gets the very same points.
  const endSec = Math.floor((nowSec - 15 * 60) / 7200) * 7200;
  const startSec = endSec - points * 10;

  const vmInfo = await ensureVictoriaMetrics(log);
  if (!vmInfo.bin) log(`VictoriaMetrics unavailable: ${vmInfo.why}`);
  const statsdInfo = phases.includes('statsd') ? await ensureStatsd(log) : { js: null, why: 'phase not selected' };
  if (phases.includes('statsd') && !statsdInfo.js) log(`statsd daemon unavailable: ${statsdInfo.why}`);

  const sender = startSender();
  const res = { ingestO: [], ingestV: [], ingestOcpu: [], ingestVcpu: [], sdO: [], sdS: [], sdOcpu: [], sdScpu: [], sdLimited: false, rssO: [], rssV: [], disk: null, query: null, notes: [] };
  try {
    if (phases.includes('ingest')) {
      const p = await sender.call({ cmd: 'prepare', key: 'main', series: cfg.series, points, startSec, batch: 1000, prefix: 'bench' });
      log(`data: ${fmt(cfg.series)} series (half gauges, half counters) × ${fmt(points)} points at 10 s = ${fmt(p.samples)} samples in ${fmt(p.bodies)} bodies of 1,000 (${mib(p.bytes)} JSON, built in ${p.seconds.toFixed(1)} s)`);
    }
    if (phases.includes('rss')) {
      const p = await sender.call({ cmd: 'prepare', key: 'rss', series: cfg.rssSeries, points: cfg.rssPoints, startSec: nowSec - cfg.rssPoints * 10, batch: 1000, prefix: 'rss' });
      log(`rss data: ${fmt(cfg.rssSeries)} series × ${cfg.rssPoints} points = ${fmt(p.samples)} samples`);
    }

    for (let r = 1; r <= runs; r++) {
      log(`-- run ${r}/${runs}`);
      const last = r === runs;
      // 1 (and on the last run 3, 4): ingestion into fresh stores.
      if (phases.includes('ingest')) {
        const oDir = await tempDir('oversee-bench-metrics-');
        const o = await startOversee({ dataDir: oDir, cpuProfDir });
        let vm = null;
        let vDir = null;
        if (vmInfo.bin) {
          vDir = await tempDir('vm-bench-');
          try { vm = await startVictoriaMetrics(vmInfo.bin, vDir); } catch (err) { log(`VictoriaMetrics did not start: ${err.message.split('\n')[0]}`); res.notes.push('VictoriaMetrics did not start'); }
        }
        try {
          const order = r % 2 === 1 ? ['o', 'v'] : ['v', 'o'];
          for (const who of order) {
            if (who === 'o') {
              const x = await ingest(sender, 'main', samples, { pid: o.pid, port: o.port, connections });
              res.ingestO.push(x.rate);
              res.ingestOcpu.push(x.cpuS);
              log(`ingest Oversee:         ${fmt(x.rate)} samples/s (${fmt(x.ok)} acked in ${x.seconds.toFixed(1)} s, ${x.failed} failed requests ${JSON.stringify(x.statuses)}, server CPU ${x.cpuS.toFixed(1)} s = ${fmt(x.ok / x.cpuS)} samples per CPU-second)`);
            } else if (vm) {
              const x = await ingest(sender, 'main', samples, { pid: vm.pid, port: vm.otsdbPort, connections });
              res.ingestV.push(x.rate);
              res.ingestVcpu.push(x.cpuS);
              log(`ingest VictoriaMetrics: ${fmt(x.rate)} samples/s (${fmt(x.ok)} acked in ${x.seconds.toFixed(1)} s, ${x.failed} failed requests ${JSON.stringify(x.statuses)}, server CPU ${x.cpuS.toFixed(1)} s = ${fmt(x.ok / x.cpuS)} samples per CPU-second)`);
            }
          }
          if (last) {
            res.disk = {};
            res.query = {};
            await diskAndQuery({ o, oDir, vm, cfg, samples, startSec, endSec, log, res, cpuProfDir });
          }
        } finally {
          await o.stop().catch(() => undefined);
          if (res.disk?.oRestarted) await res.disk.oRestarted.stop().catch(() => undefined);
          if (vm) await vm.stop().catch(() => undefined);
          await removeDir(oDir);
          if (vDir) await removeDir(vDir);
        }
      }

      // 2: statsd, fresh servers each run.
      if (phases.includes('statsd')) {
        const oDir = await tempDir('oversee-bench-statsd-');
        const statsdPort = await freeUdpPort();
        const o = await startOversee({ dataDir: oDir, statsdPort, cpuProfDir });
        try {
          const x = await maxLosslessRate({ sender, port: statsdPort, pid: o.pid, received: () => overseeStatsdAccepted(o), stepSeconds: cfg.stepSeconds, startRate: cfg.startRate, linesPerDatagram, log, label: 'Oversee' });
          res.sdO.push(x.rate);
          res.sdOcpu.push(x.cpuUsPerLine);
          res.sdLimited ||= x.senderLimited;
          log(`statsd Oversee: ${fmt(x.rate)} lines/s without loss${x.senderLimited ? ' (the sender could not go faster)' : ''}`);
        } finally {
          await o.stop().catch(() => undefined);
          await removeDir(oDir);
        }
        if (statsdInfo.js) {
          let d = null;
          try {
            d = await startStatsdDaemon(statsdInfo.js);
            const x = await maxLosslessRate({ sender, port: d.port, pid: d.pid, received: d.received, stepSeconds: cfg.stepSeconds, startRate: cfg.startRate, linesPerDatagram, log, label: 'statsd' });
            res.sdS.push(x.rate);
            res.sdScpu.push(x.cpuUsPerLine);
            log(`statsd daemon:  ${fmt(x.rate)} lines/s without loss${x.senderLimited ? ' (the sender could not go faster)' : ''}`);
          } catch (err) {
            log(`statsd daemon failed: ${err.message.split('\n')[0]}`);
          } finally {
            if (d) await d.stop().catch(() => undefined);
          }
        }
      }

      // 5: peak RSS with many active series.
      if (phases.includes('rss')) {
        const oDir = await tempDir('oversee-bench-rss-');
        const o = await startOversee({ dataDir: oDir, cpuProfDir });
        try {
          const x = await sender.call({ cmd: 'put', key: 'rss', host: '127.0.0.1', port: o.port, path: '/api/put', connections });
          await sleep(1000);
          const rss = await peakRssMiB(o.pid);
          res.rssO.push(rss);
          log(`RSS Oversee: ${rss.toFixed(1)} MiB peak with ${fmt(cfg.rssSeries)} series (${fmt(x.okSamples)} samples acked, ${x.failedRequests} failed requests)`);
        } finally {
          await o.stop().catch(() => undefined);
          await removeDir(oDir);
        }
        if (vmInfo.bin) {
          const vDir = await tempDir('vm-bench-rss-');
          let vm = null;
          try {
            vm = await startVictoriaMetrics(vmInfo.bin, vDir);
            const x = await sender.call({ cmd: 'put', key: 'rss', host: '127.0.0.1', port: vm.otsdbPort, path: '/api/put', connections });
            await sleep(2000);
            const rss = await peakRssMiB(vm.pid);
            res.rssV.push(rss);
            log(`RSS VictoriaMetrics: ${rss.toFixed(1)} MiB peak (${fmt(x.okSamples)} samples acked)`);
          } catch (err) {
            log(`VictoriaMetrics RSS failed: ${err.message.split('\n')[0]}`);
          } finally {
            if (vm) await vm.stop().catch(() => undefined);
            await removeDir(vDir);
          }
        }
      }
    }
  } finally {
    await sender.close().catch(() => undefined);
  }
  return summarize({ res, cfg, runs, samples, connections, quick, linesPerDatagram, vmInfo, statsdInfo, phases });
}

/** On the last run: bytes per sample after compaction, then the range query, on both stores. */
async function diskAndQuery({ o, oDir, vm, cfg, samples, startSec, endSec, log, res, cpuProfDir }) {
  // Oversee: a graceful stop checkpoints; the maintenance timer (every 60 s) of the next start
  // compacts every window (they all ended more than the 10 min grace ago).
  const tStop = performance.now();
  await o.stop();
  log(`Oversee stopped gracefully (checkpoint) in ${((performance.now() - tStop) / 1000).toFixed(1)} s; data dir ${mib(dirBytes(oDir))}`);
  const o2 = await startOversee({ dataDir: oDir, cpuProfDir });
  res.disk.oRestarted = o2;
  o2.token = o.token;
  const t0 = performance.now();
  const compacted = await waitOverseeCompacted(sqliteFile(oDir), 600_000);
  log(`Oversee ${compacted ? 'compacted' : 'NOT compacted (gave up)'} ${((performance.now() - t0) / 1000).toFixed(0)} s after restart`);

  let v = null;
  if (vm) {
    const f = await httpGet(`${vm.base}/internal/force_flush`);
    if (f.status !== 200) log(`VictoriaMetrics /internal/force_flush answered ${f.status}`);
    await sleep(1500);
  }

  // 4: range query, interleaved so both see the same machine noise.
  const from = startSec * 1000;
  const to = Math.min(endSec, startSec + 86_400) * 1000 - 1;
  const oUrl = `${o2.url}/api/v1/query?name=bench.gauge&from=${from}&to=${to}&step=60s&agg=avg`;
  const oHeaders = { authorization: `Bearer ${o.token}` };
  const vQuery = encodeURIComponent('avg_over_time({__name__="bench.gauge"}[60s])');
  const vUrl = vm ? `${vm.base}/api/v1/query_range?query=${vQuery}&start=${from / 1000 + 60}&end=${(to + 1) / 1000}&step=60&nocache=1` : null;
  const oTimes = [];
  const vTimes = [];
  let oInfo = '';
  let vInfo = '';
  for (let i = 0; i <= cfg.queryReps; i++) {
    const a = await timeQuery(oUrl, oHeaders);
    if (i === 0) {
      const j = JSON.parse(a.body.toString('utf8'));
      oInfo = `${j.series.length} series × ${j.timestamps.length} points, tier ${j.tier}, ${mib(a.bytes)}`;
    } else oTimes.push(a.ms);
    if (vUrl) {
      const b = await timeQuery(vUrl, {});
      if (i === 0) {
        const j = JSON.parse(b.body.toString('utf8'));
        vInfo = `${j.data.result.length} series × ${j.data.result[0]?.values.length ?? 0} points, ${mib(b.bytes)}`;
      } else vTimes.push(b.ms);
    }
  }
  res.query = { o: median(oTimes), v: median(vTimes), oInfo, vInfo, reps: cfg.queryReps };
  log(`query Oversee:         median ${fix(res.query.o, 0)} ms of ${oTimes.map((x) => x.toFixed(0)).join(', ')} (${oInfo})`);
  if (vUrl) log(`query VictoriaMetrics: median ${fix(res.query.v, 0)} ms of ${vTimes.map((x) => x.toFixed(0)).join(', ')} (${vInfo})`);

  // 3: bytes per sample: every file of the data dir (database and its -wal, after the graceful stop's checkpoint).
  await o2.stop();
  const facts = await overseeStoreFacts(oDir);
  const oBytes = dirBytes(oDir);
  const files = readdirSync(oDir).map((f) => `${f} ${mib(statSync(join(oDir, f)).size)}`).join(', ');
  log(`Oversee data dir after stop: ${files}; page size ${facts?.pageSize ?? '?'}, auto_vacuum ${facts?.autoVacuum ?? '?'}`);
  res.disk.o = oBytes / samples;
  res.disk.oFree = facts ? facts.freeBytes / samples : NaN;
  const raw = facts?.rows.filter((r) => r.tier === 0) ?? [];
  res.disk.oPayload = raw.reduce((n, r) => n + r.bytes, 0) / samples;
  res.disk.oLive = res.disk.o - res.disk.oFree;
  log(`disk Oversee: ${mib(oBytes)} for ${fmt(samples)} samples = ${fix(res.disk.o)} bytes/sample (without SQLite free pages ${fix(res.disk.oLive)}; raw chunk payload ${fix(res.disk.oPayload)}; free pages ${fix(res.disk.oFree)}); chunks ${JSON.stringify(facts?.rows ?? [])}`);
  if (vm) {
    const m = await httpGet(`${vm.base}/internal/force_merge`);
    if (m.status !== 200) log(`VictoriaMetrics /internal/force_merge answered ${m.status}`);
    await vmSettle(vm);
    const total = dirBytes(vm.dataDir);
    const data = existsSync(join(vm.dataDir, 'data')) ? dirBytes(join(vm.dataDir, 'data')) : NaN;
    const index = existsSync(join(vm.dataDir, 'indexdb')) ? dirBytes(join(vm.dataDir, 'indexdb')) : NaN;
    res.disk.v = total / samples;
    res.disk.vData = data / samples;
    log(`disk VictoriaMetrics: ${mib(total)} = ${fix(res.disk.v)} bytes/sample (data/ ${fix(data / samples)}, indexdb/ ${mib(index)})`);
    v = total;
  }
  return v;
}

function summarize({ res, cfg, runs, samples, connections, quick, linesPerDatagram, vmInfo, statsdInfo, phases }) {
  const lines = [];
  const met = (ok) => (ok ? 'met' : 'NOT met');
  if (phases.includes('ingest')) {
    const o = median(res.ingestO);
    const v = median(res.ingestV);
    lines.push(`OpenTSDB /api/put ingest (${fmt(samples)} samples, 1,000/body, ${connections} keep-alive connections, 2xx only):`);
    lines.push(`  Oversee ${fmt(o)} samples/s | VictoriaMetrics ${vmInfo.bin ? `${fmt(v)} samples/s` : `unavailable (${vmInfo.why})`} | ratio ${ratio(o, v)}`);
    lines.push(`  server CPU per million samples: Oversee ${fix(median(res.ingestOcpu) / samples * 1e6)} s, VictoriaMetrics ${fix(median(res.ingestVcpu) / samples * 1e6)} s`);
    lines.push(`  targets: >= ${fmt(TARGET_INGEST)}/s ${met(o >= TARGET_INGEST)}; >= ${TARGET_INGEST_RATIO}× VictoriaMetrics ${Number.isFinite(v) ? met(o >= TARGET_INGEST_RATIO * v) : 'n/a'}`);
  }
  if (phases.includes('statsd')) {
    const o = median(res.sdO);
    const s = median(res.sdS);
    lines.push(`statsd UDP, highest rate without loss (${linesPerDatagram} lines/datagram, ${cfg.stepSeconds} s steps):`);
    lines.push(`  Oversee ${fmt(o)} lines/s${res.sdLimited ? ' (sender-limited: at least)' : ''} | statsd ${STATSD_VERSION} ${statsdInfo.js ? `${fmt(s)} lines/s` : `unavailable (${statsdInfo.why})`} | ratio ${ratio(o, s)}; target >= ${TARGET_STATSD_RATIO}× ${Number.isFinite(s) ? met(o >= TARGET_STATSD_RATIO * s) : 'n/a'}`);
    lines.push(`  receiver CPU per line (median over the steps): Oversee ${fix(median(res.sdOcpu))} µs | statsd ${fix(median(res.sdScpu))} µs`);
  }
  if (res.disk) {
    lines.push(`bytes/sample on disk after compaction (same ${fmt(samples)} samples; deterministic, measured once):`);
    lines.push(`  Oversee ${fix(res.disk.o)} (whole data dir; ${fix(res.disk.oLive)} without SQLite free pages, raw chunk payload ${fix(res.disk.oPayload)}) | VictoriaMetrics ${fix(res.disk.v)} | ratio ${ratio(res.disk.o, res.disk.v)}; target <= ${TARGET_BYTES_PER_SAMPLE}: whole dir ${met(res.disk.o <= TARGET_BYTES_PER_SAMPLE)}, without free pages ${met(res.disk.oLive <= TARGET_BYTES_PER_SAMPLE)}`);
  }
  if (res.query) {
    lines.push(`range query, ${cfg.hours} h × ${fmt(cfg.series / 2)} series at 10 s, step 60 s, avg (median of ${res.query.reps} after a warm-up, last run):`);
    lines.push(`  Oversee ${fix(res.query.o, 0)} ms | VictoriaMetrics ${fix(res.query.v, 0)} ms | Oversee/VM ${ratio(res.query.o, res.query.v)}`);
  }
  if (phases.includes('rss')) {
    lines.push(`peak RSS (VmHWM) with ${fmt(cfg.rssSeries)} active series: Oversee ${fix(median(res.rssO), 1)} MiB | VictoriaMetrics ${fix(median(res.rssV), 1)} MiB`);
  }
  return { title: `metrics${quick ? ' (quick)' : ''}: median of ${runs} runs, ${fmt(cfg.series)} series × ${cfg.hours} h at 10 s`, lines };
}

// ---------- standalone ----------

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      runs: { type: 'string', default: '3' },
      connections: { type: 'string', default: String(DEFAULT_CONNECTIONS) },
      phases: { type: 'string', default: 'ingest,statsd,rss' },
      'cpu-prof': { type: 'string' },
    },
  });
  const phases = values.phases.split(',').map((s) => s.trim()).filter(Boolean);
  if (values['cpu-prof']) await mkdir(values['cpu-prof'], { recursive: true });
  const summary = await run({ runs: Number(values.runs), connections: Number(values.connections), quick: values.quick, phases, cpuProfDir: values['cpu-prof'] ?? null, log: (l) => console.log(`  ${l}`) });
  console.log(`\n${summary.title}`);
  for (const l of summary.lines) console.log(`  ${l}`);
  process.exit(0);
}
