// Load generator child process of the "overc" bench section: receives its options over IPC, keeps
// `connections` keep-alive requests in flight for the duration, and reports back the figures.
import http from 'node:http';

process.once('message', async (opts) => {
  const result = await generate(opts);
  process.send(result, () => process.exit(0));
});

/** Pre-built bodies: per host one all-OK report and one with a WARN, so some reports flip states. */
function buildBodies(hosts, servicesPerReport) {
  const bodies = [];
  for (let h = 0; h < hosts; h++) {
    const server = { name: `bench-host-${h}`, key: `bench-key-${h}` };
    const variants = [0, 1].map((v) => Buffer.from(JSON.stringify({
      server, period: 60,
      services: Array.from({ length: servicesPerReport }, (_, s) => ({
        name: `service-${s}`, state: v === 1 && s === 3 ? 'WARN' : 'OK', info: `load ${(s * 0.37 + h / 100).toFixed(2)}, all fine`,
      })),
    })));
    bodies.push({ ping: Buffer.from(JSON.stringify({ server })), variants });
  }
  return bodies;
}

function post(agent, url, path, body) {
  return new Promise((resolve) => {
    const req = http.request({
      agent, host: url.hostname, port: url.port, method: 'POST', path,
      headers: { 'content-type': 'application/json', 'content-length': body.length },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

async function generate({ url: base, durationMs, connections, hosts, servicesPerReport }) {
  const url = new URL(base);
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const bodies = buildBodies(hosts, servicesPerReport);

  // 1. Warm-up: register every host (trust on first use hashes the key once) and open the connections.
  for (let i = 0; i < bodies.length; i += connections) {
    await Promise.all(bodies.slice(i, i + connections).map((b) => post(agent, url, '/api/ping', b.ping)));
  }

  // 2. Timed phase: `connections` loops, each sending the next host's report as soon as the last is answered.
  //    The parent is told first so that it can read the server's CPU time for the timed phase alone.
  await new Promise((resolve) => process.send({ phase: 'timed' }, resolve));
  const latencies = [];
  let ok = 0;
  let errors = 0;
  let next = 0;
  const start = performance.now();
  const end = start + durationMs;
  const loop = async () => {
    while (performance.now() < end) {
      const b = bodies[next++ % bodies.length];
      const body = b.variants[Math.random() < 0.05 ? 1 : 0];
      const t = performance.now();
      const status = await post(agent, url, '/api/set/service/status', body);
      latencies.push(performance.now() - t);
      if (status === 200) ok++;
      else errors++;
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
  const seconds = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  return { ok, errors, seconds, p50Ms: pct(50), p99Ms: pct(99) };
}
