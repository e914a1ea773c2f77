// Load generator child process of the "postgres" bench section: OpenTSDB /api/put bodies built once,
// sent by `connections` keep-alive loops spread over one or more server URLs for the duration.
// Only 204 answers count (every sample in them acknowledged as durable). Options arrive over IPC.
import http from 'node:http';

process.once('message', async (opts) => {
  const result = await generate(opts);
  process.send(result, () => process.exit(0));
});

/** Bodies of `series` series × `points` points each, with timestamps unique per body (ms, the last hour). */
function buildBodies(bodies, series, points) {
  const base = Date.now() - 3_600_000;
  const out = [];
  for (let b = 0; b < bodies; b++) {
    const dps = [];
    for (let s = 0; s < series; s++) {
      for (let p = 0; p < points; p++) {
        dps.push({ metric: `bench.pg.m${s % 10}`, timestamp: base + (b * points + p) * 10, value: (s * 7 + p) % 100, tags: { host: `h${s}` } });
      }
    }
    out.push(Buffer.from(JSON.stringify(dps)));
  }
  return out;
}

function post(agent, url, body) {
  return new Promise((resolve) => {
    const req = http.request({
      agent, host: url.hostname, port: url.port, method: 'POST', path: '/api/put',
      headers: { 'content-type': 'application/json', 'content-length': body.length },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

async function generate({ urls, durationMs, connections, series, points }) {
  const targets = urls.map((u) => new URL(u));
  const agents = targets.map(() => new http.Agent({ keepAlive: true, maxSockets: connections }));
  const bodies = buildBodies(400, series, points);
  const perBody = series * points;
  // Warm-up: every series exists on every node before the timed phase.
  await Promise.all(targets.map((t, i) => post(agents[i], t, bodies[0])));
  let ok = 0;
  let errors = 0;
  let next = 1;
  const start = performance.now();
  const end = start + durationMs;
  const loop = async (c) => {
    const i = c % targets.length;
    while (performance.now() < end) {
      const status = await post(agents[i], targets[i], bodies[next++ % bodies.length]);
      if (status === 204) ok++;
      else errors++;
    }
  };
  await Promise.all(Array.from({ length: connections }, (_, c) => loop(c)));
  const seconds = (performance.now() - start) / 1000;
  for (const a of agents) a.destroy();
  return { samples: ok * perBody, errors, seconds };
}
