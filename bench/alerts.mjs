// Bench section `alerts`: 10,000 checks on a real `oversee serve` whose deadlines fall in the same
// second. Prints the server's CPU while they wait (no timer per check: should be near zero), the
// time from the deadline to the last webhook delivery (target < 5 s), and whether every expiry was
// delivered exactly once. The webhook receiver runs in this (the bench) process.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const name = 'alerts';
export const description = '10,000 checks expiring in the same second: idle CPU, deadline → last webhook delivery';

const ROOT = new URL('..', import.meta.url).pathname;
const HOSTS = 100;
const PER_HOST = 100;
const PERIOD_S = 20;
const TICKS = 100; // USER_HZ on Linux

/** Starts the webhook receiver; counts unique event keys and the time of the last request. */
async function startReceiver() {
  const keys = new Map();
  let requests = 0;
  let lastAt = 0;
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      requests++;
      lastAt = Date.now();
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        for (const e of body.events ?? []) keys.set(e.key, (keys.get(e.key) ?? 0) + 1);
      } catch { /* counted as a request; a bad body shows up as missing events */ }
      res.end('ok');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}/hook`,
    stats: () => ({ unique: keys.size, doubled: [...keys.values()].filter((n) => n > 1).length, requests, lastAt }),
    close: () => new Promise((r) => server.close(r)),
  };
}

/** Spawns the built server with a config file; resolves with its URL, admin token and pid. */
async function startServer(dataDir, configPath) {
  const proc = spawn(process.execPath, [join(ROOT, 'bin/oversee'), 'serve', '--port', '0', '--data', dataDir, '--config', configPath,
    '--statsd-port', '0', '--graphite-port', '0', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stderr.on('data', (d) => { out += d; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 30_000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, url: m[1], token: /ovs_[A-Za-z0-9_-]{43}/.exec(out)?.[0] });
      }
    });
    proc.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${out}`)));
  });
}

function cpuTicks(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function post(url, body) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${await res.text()}`);
}

async function countErr(url, token) {
  let n = 0;
  let cursor = null;
  do {
    const q = new URLSearchParams({ state: 'ERR', limit: '1000', ...(cursor ? { cursor } : {}) });
    const page = await (await fetch(`${url}/api/v1/checks?${q}`, { headers: { authorization: `Bearer ${token}` } })).json();
    n += page.items.length;
    cursor = page.nextCursor;
  } while (cursor);
  return n;
}

/** One run: returns { idleCpuPct, deadlineToLastMs, delivered, doubled, errChecks, requests }. */
async function once(log) {
  const dir = mkdtempSync(join(tmpdir(), 'oversee-bench-alerts-'));
  const rx = await startReceiver();
  const configPath = join(dir, 'oversee.toml');
  writeFileSync(configPath, `[alerting]\ngroup_window_s = 1\n\n[[channels]]\nname = "bench-hook"\ntype = "webhook"\nurl = "${rx.url}"\n`);
  const server = await startServer(join(dir, 'data'), configPath);
  try {
    // 1. Register the hosts first (a host's first request pays the scrypt of its key), then report
    //    every check OK within the same second, so that their deadlines share one.
    await Promise.all(Array.from({ length: HOSTS }, (_, h) => post(`${server.url}/api/ping`, { server: { name: `bench-host-${h}`, key: 'k' } })));
    await sleep(1000 - (Date.now() % 1000));
    const sentAt = Date.now();
    await Promise.all(Array.from({ length: HOSTS }, (_, h) => post(`${server.url}/api/set/service/status`, {
      server: { name: `bench-host-${h}`, key: 'k' }, period: PERIOD_S,
      services: Array.from({ length: PER_HOST }, (_, i) => ({ name: `check-${i}`, state: 'OK', info: 'fine' })),
    })));
    const sentMs = Date.now() - sentAt;
    const deadline = sentAt + PERIOD_S * 1000; // the earliest possible deadline: latencies below are upper bounds
    // 2. Server CPU while the 10,000 checks wait.
    await sleep(2000);
    const t0 = Date.now();
    const c0 = cpuTicks(server.proc.pid);
    await sleep(deadline - Date.now() - 2000);
    if (Date.now() - t0 < 5000) throw new Error(`reporting took ${sentMs} ms: too little time left to measure the idle CPU`);
    const idleCpuPct = ((cpuTicks(server.proc.pid) - c0) / TICKS) / ((Date.now() - t0) / 1000) * 100;
    // 3. Wait until every expiry reached the receiver (or 60 s).
    const want = HOSTS * PER_HOST;
    while (rx.stats().unique < want && Date.now() - deadline < 60_000) await sleep(50);
    await sleep(1500); // late duplicates would arrive now
    const s = rx.stats();
    const errChecks = await countErr(server.url, server.token);
    const r = { idleCpuPct, deadlineToLastMs: s.lastAt - deadline, delivered: s.unique, doubled: s.doubled, errChecks, requests: s.requests, sentMs };
    log(`run: ${want} checks reported in ${sentMs} ms; idle CPU ${idleCpuPct.toFixed(2)} % of a core; ` +
      `${s.unique} expiries delivered (${s.doubled} twice) in ${s.requests} webhook requests; ` +
      `deadline → last delivery ${(r.deadlineToLastMs / 1000).toFixed(2)} s; ${errChecks} checks ERR`);
    return r;
  } finally {
    server.proc.kill('SIGTERM');
    await new Promise((r) => server.proc.once('exit', r));
    await rx.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Runs the section `runs` times and summarises the medians. */
export async function run({ runs, log }) {
  const results = [];
  for (let i = 0; i < runs; i++) results.push(await once(log));
  const want = HOSTS * PER_HOST;
  return {
    title: `alerts: ${want} checks on ${HOSTS} hosts, period ${PERIOD_S} s, webhook, group window 1 s (median of ${runs})`,
    lines: [
      `server CPU while they wait: ${median(results.map((r) => r.idleCpuPct)).toFixed(2)} % of a core (target: near zero)`,
      `deadline → last delivery: ${(median(results.map((r) => r.deadlineToLastMs)) / 1000).toFixed(2)} s (target < 5 s)`,
      `delivered: ${results.map((r) => `${r.delivered}/${want}`).join(', ')}; doubled: ${results.map((r) => r.doubled).join(', ')}; ` +
        `checks ERR: ${results.map((r) => r.errChecks).join(', ')}`,
    ],
  };
}
