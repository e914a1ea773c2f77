// Bench section "overc": a built `oversee serve` on a temporary data dir (same disk, real fsync)
// takes OverC set/service/status reports with 10 services each from a concurrent keep-alive load
// generator in a child process (so it does not share the server's event loop). Only 200 answers
// count (each one is a durable acknowledgement). Figures per run, then the median of each.
import { fork, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const name = 'overc';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TARGET_SERVICES_PER_S = 20_000;

/** Runs the section `runs` times and resolves to its summary. */
export async function run({ runs, durationMs, log, connections = 64, hosts = 200, servicesPerReport = 10 }) {
  const results = [];
  for (let i = 1; i <= runs; i++) {
    const r = await oneRun({ durationMs, connections, hosts, servicesPerReport });
    results.push(r);
    log(`run ${i}/${runs}: ${fmt(r.reportsPerS)} reports/s, ${fmt(r.servicesPerS)} services/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, ` +
      `errors ${r.errors}, server peak RSS ${r.peakRssMiB.toFixed(1)} MiB, server CPU ${r.serverCpuPct.toFixed(0)}% (${r.cpuMsPer1kServices.toFixed(1)} ms per 1000 services)`);
  }
  const med = (k) => median(results.map((r) => r[k]));
  const servicesPerS = med('servicesPerS');
  return {
    title: `overc: ${connections} connections, ${hosts} hosts, ${servicesPerReport} services/report, ${durationMs / 1000} s x ${runs} runs`,
    lines: [
      `reports/s (durable 200s): ${fmt(med('reportsPerS'))}`,
      `services/s (durable):     ${fmt(servicesPerS)}  (target >= ${fmt(TARGET_SERVICES_PER_S)}: ${servicesPerS >= TARGET_SERVICES_PER_S ? 'met' : 'NOT met'})`,
      `latency p50 / p99:        ${med('p50Ms').toFixed(2)} ms / ${med('p99Ms').toFixed(2)} ms`,
      `server peak RSS (VmHWM):  ${med('peakRssMiB').toFixed(1)} MiB`,
      `server CPU:               ${med('serverCpuPct').toFixed(0)}% of one core, ${med('cpuMsPer1kServices').toFixed(1)} ms per 1000 services ` +
        `(CPU-bound ceiling ~${fmt(1e6 / med('cpuMsPer1kServices'))} services/s per core)`,
      `non-200 answers:          ${results.reduce((n, r) => n + r.errors, 0)} in total`,
    ],
  };
}

async function oneRun({ durationMs, connections, hosts, servicesPerReport }) {
  const dataDir = await mkdtemp(join(tmpdir(), 'oversee-bench-'));
  const server = await startServer(dataDir);
  try {
    let cpuBefore = 0;
    const gen = await generate({ url: server.url, durationMs, connections, hosts, servicesPerReport }, async () => {
      cpuBefore = await cpuSeconds(server.pid);
    });
    const cpuS = (await cpuSeconds(server.pid)) - cpuBefore;
    const peakRssMiB = await peakRss(server.pid);
    return {
      reportsPerS: gen.ok / gen.seconds,
      servicesPerS: (gen.ok * servicesPerReport) / gen.seconds,
      p50Ms: gen.p50Ms,
      p99Ms: gen.p99Ms,
      errors: gen.errors,
      peakRssMiB,
      // Timed phase only; on a shared machine this is steadier than throughput.
      serverCpuPct: (cpuS / gen.seconds) * 100,
      cpuMsPer1kServices: gen.ok > 0 ? (cpuS * 1000 * 1000) / (gen.ok * servicesPerReport) : NaN,
    };
  } finally {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Spawns `node bin/oversee serve --port 0` (with `extra` arguments) and waits for its listening line. */
export function startServer(dataDir, extra = []) {
  const proc = spawn(process.execPath, [join(ROOT, 'bin', 'oversee'), 'serve', '--port', '0', '--data', dataDir, '--log-level', 'warn', ...extra], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stderr.on('data', (c) => { out = (out + c).slice(-8192); });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`server did not start:\n${out}`)); }, 30_000);
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited (${code}) before listening:\n${out}`)); });
    proc.stdout.on('data', (c) => {
      out = (out + c).slice(-8192);
      const m = /Oversee listening on (\S+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      const exited = new Promise((r) => proc.on('exit', r));
      resolve({
        url: m[1], pid: proc.pid,
        stop: async () => {
          proc.kill('SIGTERM');
          const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
          await exited;
          clearTimeout(t);
        },
      });
    });
  });
}

/** Runs the load generator in a child process; `onTimed` runs as the timed phase starts. Resolves to its figures. */
function generate(opts, onTimed) {
  const child = fork(fileURLToPath(new URL('./overc-generator.mjs', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    let timed = Promise.resolve();
    child.on('message', (msg) => {
      if (msg.phase === 'timed') timed = onTimed();
      else timed.then(() => resolve(msg), reject);
    });
    child.once('exit', (code) => { if (code !== 0) reject(new Error(`load generator exited with ${code}`)); });
    child.send(opts);
  });
}

/** user+system CPU seconds of a process so far (/proc/<pid>/stat, clock ticks assumed 100/s). */
async function cpuSeconds(pid) {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Peak resident set size (VmHWM) of a process in MiB. */
async function peakRss(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)\s+kB/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function fmt(n) {
  return Math.round(n).toLocaleString('en-US');
}
