#!/usr/bin/env node
// Server CPU per million samples of OpenTSDB POST /api/put, A/B between builds (run `npm run build`
// first; another build: a copy of bin/ and dist/ elsewhere, e.g. `npx tsc -p tsconfig.build.json --outDir /tmp/b/dist`):
//   node bench/opentsdb-server-cpu.mjs [--bins bin/oversee,/tmp/b/bin/oversee] [--runs 6] [--series 2000] [--points 720] [--cpu-prof DIR]
// Bodies of 1,000 samples from bench/metrics-sender.mjs (8 keep-alive connections, sender in a child
// process); a fresh `oversee serve` per run, builds alternating; CPU = utime+stime of the server
// process (/proc) while the sender runs. Prints each run with the load average, then the medians.
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: {
  bins: { type: 'string', default: join(ROOT, 'bin', 'oversee') },
  runs: { type: 'string', default: '6' },
  series: { type: 'string', default: '2000' },
  points: { type: 'string', default: '720' },
  'cpu-prof': { type: 'string' },
} });
const bins = values.bins.split(',');
const runs = Number(values.runs);
const series = Number(values.series);
const points = Number(values.points);

const cpuSeconds = (pid) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};
const sender = fork(join(ROOT, 'bench', 'metrics-sender.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const call = (msg) => new Promise((resolve, reject) => {
  sender.once('message', (a) => (a.ok ? resolve(a) : reject(new Error(a.error))));
  sender.send(msg);
});

/** A fresh server on a temporary data dir; resolves once it listens. */
async function start(bin, dir) {
  const prof = values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`] : [];
  const proc = spawn(process.execPath, [...prof, bin, 'serve', '--port', '0', '--data', dir, '--statsd-port', '0', '--graphite-port', '0', '--log-level', 'warn'], {
    stdio: ['ignore', 'pipe', 'inherit'], env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OVERSEE_'))),
  });
  const port = await new Promise((resolve, reject) => {
    let out = '';
    proc.once('exit', (code) => reject(new Error(`${bin} exited (${code}) before listening`)));
    proc.stdout.on('data', (c) => {
      out += c;
      const m = /listening on http:\/\/[^\s:]+:(\d+)/.exec(out);
      if (m) {
        proc.stdout.removeAllListeners('data');
        proc.stdout.resume();
        resolve(Number(m[1]));
      }
    });
  });
  return { proc, port };
}

const nowSec = Math.floor(Date.now() / 1000);
const endSec = Math.floor((nowSec - 15 * 60) / 7200) * 7200; // as bench/metrics.mjs: every window compactable
const p = await call({ cmd: 'prepare', key: 'main', series, points, startSec: endSec - points * 10, batch: 1000, prefix: 'bench' });
console.log(`${p.samples} samples in ${p.bodies} bodies; ${runs} runs per build`);
const perM = new Map(bins.map((b) => [b, []]));
try {
  for (let r = 0; r < runs; r++) {
    for (const bin of r % 2 === 0 ? bins : [...bins].reverse()) {
      const dir = mkdtempSync(join(tmpdir(), 'oversee-cpu-bench-'));
      const { proc, port } = await start(bin, dir);
      try {
        await new Promise((res) => setTimeout(res, 500));
        const load = loadavg()[0];
        const c0 = cpuSeconds(proc.pid);
        const x = await call({ cmd: 'put', key: 'main', host: '127.0.0.1', port, path: '/api/put', connections: 8 });
        const cpu = cpuSeconds(proc.pid) - c0;
        const s = cpu / (x.okSamples / 1e6);
        perM.get(bin).push(s);
        console.log(`${bin}: ${x.okSamples} acked (${x.failedRequests} failed requests), ${Math.round(x.okSamples / x.seconds)} samples/s, server CPU ${cpu.toFixed(2)} s = ${s.toFixed(3)} s per million samples, load ${load.toFixed(1)}`);
      } finally {
        proc.kill('SIGTERM');
        await new Promise((res) => proc.once('exit', res));
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
} finally {
  sender.send({ cmd: 'exit' });
}
for (const [bin, v] of perM) {
  const s = [...v].sort((a, b) => a - b);
  const median = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  console.log(`median ${bin}: ${median.toFixed(3)} s per million samples (${v.map((x) => x.toFixed(3)).join(' ')})`);
}
