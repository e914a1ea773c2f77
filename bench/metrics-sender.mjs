// Load generator child process of the "metrics" bench section (so it never shares an event loop or
// a CPU budget decision with a server). Commands arrive over IPC, one at a time:
//   { cmd: 'prepare', key, series, points, startSec, batch, prefix }  builds OpenTSDB JSON bodies once
//   { cmd: 'put', key, host, port, path, connections }                 sends them all (keep-alive)
//   { cmd: 'udp', host, port, rate, seconds, linesPerDatagram }        paced statsd datagrams
//   { cmd: 'exit' }
// Every answer is { ok: true, ... } or { ok: false, error }.
import dgram from 'node:dgram';
import http from 'node:http';
import { prng, seriesTags, seriesValues } from './bench-series.mjs';

const datasets = new Map();

process.on('message', async (msg) => {
  try {
    if (msg.cmd === 'exit') process.exit(0);
    const handler = { prepare, put, udp }[msg.cmd];
    if (handler === undefined) throw new Error(`unknown command ${msg.cmd}`);
    process.send({ ok: true, ...(await handler(msg)) });
  } catch (err) {
    process.send({ ok: false, error: String(err?.stack ?? err) });
  }
});
process.on('disconnect', () => process.exit(0));

/**
 * Series k (0 ≤ k < series): even k are random-walk gauges `<prefix>.gauge` with one or two
 * decimals, odd k monotonic counters `<prefix>.counter` that reset now and then; tags host and dc.
 * Samples are time-major (every series at t, then t + 10 s), `points` per series, `batch` per body.
 */
function buildBodies({ series, points, startSec, batch, prefix, intervalSec = 10, seed = 42 }) {
  const next = seriesValues(series, { intervalSec, seed });
  const heads = [];
  for (let k = 0; k < series; k++) {
    const tags = `"tags":${JSON.stringify(seriesTags(k))}}`;
    heads.push(k % 2 === 0 ? [`{"metric":"${prefix}.gauge","timestamp":`, tags] : [`{"metric":"${prefix}.counter","timestamp":`, tags]);
  }
  const bodies = [];
  let parts = [];
  let inBatch = 0;
  for (let p = 0; p < points; p++) {
    const ts = startSec + p * intervalSec;
    for (let k = 0; k < series; k++) {
      const v = next(k);
      const h = heads[k];
      parts.push(`${h[0]}${ts},"value":${v},${h[1]}`);
      if (++inBatch === batch) {
        bodies.push(Buffer.from(`[${parts.join(',')}]`));
        parts = [];
        inBatch = 0;
      }
    }
  }
  if (inBatch > 0) bodies.push(Buffer.from(`[${parts.join(',')}]`));
  return bodies;
}

async function prepare(msg) {
  const t0 = performance.now();
  const bodies = buildBodies(msg);
  const samples = msg.series * msg.points;
  const counts = bodies.map((_, i) => (i < bodies.length - 1 ? msg.batch : samples - msg.batch * (bodies.length - 1)));
  datasets.set(msg.key, { bodies, counts });
  const bytes = bodies.reduce((n, b) => n + b.length, 0);
  return { bodies: bodies.length, samples, bytes, seconds: (performance.now() - t0) / 1000 };
}

function post(agent, host, port, path, body) {
  return new Promise((resolve) => {
    const req = http.request({
      agent, host, port, method: 'POST', path,
      headers: { 'content-type': 'application/json', 'content-length': body.length },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
      res.on('error', () => resolve(0));
    });
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

/** Sends every body of the dataset with `connections` keep-alive requests in flight; counts 2xx samples only. */
async function put({ key, host, port, path, connections }) {
  const ds = datasets.get(key);
  if (ds === undefined) throw new Error(`dataset ${key} not prepared`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  let next = 0;
  let okSamples = 0;
  let failedRequests = 0;
  const statuses = {};
  const start = performance.now();
  const loop = async () => {
    while (next < ds.bodies.length) {
      const i = next++;
      const status = await post(agent, host, port, path, ds.bodies[i]);
      if (status >= 200 && status < 300) okSamples += ds.counts[i];
      else {
        failedRequests++;
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
  const seconds = (performance.now() - start) / 1000;
  agent.destroy();
  return { okSamples, failedRequests, statuses, seconds };
}

/**
 * statsd lines (counters with and without a sample rate, timers, gauges, some DogStatsD tags) over
 * 1,000 names, `linesPerDatagram` per datagram, paced to `rate` lines/s for `seconds`.
 */
function statsdDatagrams(linesPerDatagram, count) {
  const rnd = prng(7);
  const out = [];
  for (let d = 0; d < count; d++) {
    const lines = [];
    for (let l = 0; l < linesPerDatagram; l++) {
      const k = Math.floor(rnd() * 1000);
      const r = rnd();
      if (r < 0.45) lines.push(`bench.sd.req.${k}:1|c`);
      else if (r < 0.5) lines.push(`bench.sd.sampled.${k}:1|c|@0.5`);
      else if (r < 0.8) lines.push(`bench.sd.lat.${k}:${(rnd() * 250).toFixed(1)}|ms`);
      else if (r < 0.95) lines.push(`bench.sd.gauge.${k}:${(rnd() * 100).toFixed(2)}|g`);
      else lines.push(`bench.sd.tagged.${k % 50}:1|c|#env:bench,dc:dc${k % 4}`);
    }
    out.push(Buffer.from(lines.join('\n')));
  }
  return out;
}

let udpDatagrams = null;

async function udp({ host, port, rate, seconds, linesPerDatagram }) {
  if (udpDatagrams === null || udpDatagrams.lines !== linesPerDatagram) {
    udpDatagrams = { lines: linesPerDatagram, list: statsdDatagrams(linesPerDatagram, 4096) };
  }
  const list = udpDatagrams.list;
  const socket = dgram.createSocket('udp4');
  await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
  socket.connect(port, host);
  await new Promise((resolve) => socket.once('connect', resolve));
  const datagramRate = rate / linesPerDatagram;
  const total = Math.round(datagramRate * seconds);
  let sent = 0;
  let sendErrors = 0;
  let pending = 0;
  const start = performance.now();
  await new Promise((resolve) => {
    const tick = () => {
      const elapsed = (performance.now() - start) / 1000;
      const due = Math.min(total, Math.floor(elapsed * datagramRate) + 1);
      // Bounded bursts so the pacing stays close to the target (and libuv's queue stays short).
      let burst = 0;
      while (sent < due && burst < 2000 && pending < 4000) {
        pending++;
        socket.send(list[sent % list.length], (err) => {
          pending--;
          if (err) sendErrors++;
        });
        sent++;
        burst++;
      }
      if (sent >= total) resolve();
      else setImmediate(tick);
    };
    tick();
  });
  while (pending > 0) await new Promise((r) => setImmediate(r));
  const elapsed = (performance.now() - start) / 1000;
  socket.close();
  return { datagrams: sent - sendErrors, lines: (sent - sendErrors) * linesPerDatagram, sendErrors, seconds: elapsed, achievedRate: ((sent - sendErrors) * linesPerDatagram) / elapsed };
}
