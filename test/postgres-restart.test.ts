// Two real `oversee serve` nodes whose PostgreSQL "restarts" mid-run. The restart is simulated with a
// TCP proxy in front of the real server that is cut (listener closed, every connection destroyed)
// and resumed on the same port; the shared PostgreSQL server itself is never restarted. While it is
// down, requests fail fast with 503 and /readyz says 503; afterwards the nodes recover by themselves
// and nothing acknowledged is lost.
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { rm } from 'node:fs/promises';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { dropSchema, freshSchemaName, pgSkipReason, pgTestUrl } from '../src/store/postgres/test-support.js';
import { startServerProcess, type ServerProcess } from './support/server.js';

const url = pgTestUrl();
const skip = await pgSkipReason(url);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A TCP proxy to PostgreSQL that can be cut and resumed on the same port. */
async function startProxy(target: URL): Promise<{ port: number; cut(): Promise<void>; resume(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let port = 0;
  const listen = (): Promise<void> => new Promise<void>((resolve) => {
    server = createServer((client) => {
      const upstream = connect(Number(target.port || 5432), target.hostname);
      for (const s of [client, upstream]) { sockets.add(s); s.on('close', () => sockets.delete(s)); s.on('error', () => s.destroy()); }
      client.pipe(upstream).pipe(client);
    });
    server.listen(port, '127.0.0.1', () => { port = (server?.address() as { port: number }).port; resolve(); });
  });
  await listen();
  return {
    port,
    cut: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      if (server?.listening) server.close(() => resolve());
      else resolve();
    }),
    resume: listen,
  };
}

async function post(base: string, path: string, body: unknown): Promise<{ status: number; ms: number }> {
  const t = performance.now();
  try {
    const res = await fetch(new URL(path, base), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(15_000) });
    await res.arrayBuffer();
    return { status: res.status, ms: performance.now() - t };
  } catch {
    return { status: 0, ms: performance.now() - t };
  }
}

describe('PostgreSQL going away under two serving nodes (proxy cut and resumed)', { skip: skip ?? false, timeout: 180_000 }, () => {
  const schema = freshSchemaName('ovs_restart');
  const nodes: ServerProcess[] = [];
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  after(async () => {
    for (const n of nodes) {
      await n.stop();
      await rm(n.dataDir, { recursive: true, force: true });
    }
    await proxy?.cut();
    await dropSchema(url, schema);
  });

  test('requests fail fast with 503 while it is down, the nodes recover by themselves, nothing acknowledged is lost', async (t) => {
    proxy = await startProxy(new URL(url));
    const viaProxy = new URL(url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    viaProxy.searchParams.set('schema', schema);
    nodes.push(await startServerProcess({ args: ['--store', viaProxy.toString()] }));
    nodes.push(await startServerProcess({ args: ['--store', viaProxy.toString()] }));
    const ackedReports: string[] = [];
    const ackedSamples: number[] = [];
    const statuses: Array<{ phase: string; status: number; ms: number }> = [];
    let phase = 'before';
    let ts = Date.now() - 60_000;
    let seq = 0;
    let stop = false;
    const load = async (w: number): Promise<void> => {
      for (let i = 0; !stop; i++) {
        const node = nodes[(i + w) % 2] as ServerProcess;
        const id = `r${seq++}`;
        const r = await post(node.url, '/api/set/service/status', { server: { name: `h${w}`, key: 'k' }, period: 600, services: [{ name: 'steady', state: 'OK', info: id }] });
        statuses.push({ phase, ...r });
        if (r.status === 200) ackedReports.push(id);
        const batch = Array.from({ length: 20 }, () => ts++);
        const p = await post(node.url, '/api/put', batch.map((x) => ({ metric: 'restart.load', timestamp: x, value: 1, tags: {} })));
        statuses.push({ phase, ...p });
        if (p.status === 204) ackedSamples.push(...batch);
        await sleep(20);
      }
    };
    const running = Promise.all([load(0), load(1)]);
    await sleep(2000);

    // 1. PostgreSQL goes away: requests fail fast with 503, /readyz says 503 on both nodes.
    phase = 'down';
    await proxy.cut();
    await sleep(3000);
    for (const n of nodes) {
      const ready = await fetch(new URL('/readyz', n.url)).catch((err: unknown) => assert.fail(`${String(err)}; node output:\n${n.output().slice(-3000)}`));
      assert.equal(ready.status, 503, 'not ready while the store is unreachable');
    }
    const down = statuses.filter((s) => s.phase === 'down');
    assert.ok(down.length > 0 && down.every((s) => s.status === 503 || s.status === 200 || s.status === 204),
      `answers while down: ${JSON.stringify([...new Set(down.map((s) => s.status))])}`);
    assert.ok(down.filter((s) => s.status === 503).every((s) => s.ms < 6000), 'a 503 comes within the connect timeout');

    // 2. It comes back: both nodes are ready again by themselves and take writes.
    phase = 'after';
    await proxy.resume();
    const until = Date.now() + 30_000;
    for (const n of nodes) {
      while ((await fetch(new URL('/readyz', n.url))).status !== 200) {
        assert.ok(Date.now() < until, 'ready again within 30 s');
        await sleep(200);
      }
    }
    await sleep(2000);
    stop = true;
    await running;
    const after = statuses.filter((s) => s.phase === 'after');
    assert.ok(after.slice(-10).every((s) => s.status === 200 || s.status === 204), `answers at the end: ${JSON.stringify(after.slice(-10).map((s) => s.status))}`);

    // 3. Nothing acknowledged is lost.
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      const infos = new Set((await db.query<{ info: string }>(`SELECT info FROM ${schema}.state_reports`)).rows.map((r) => r.info));
      assert.deepEqual(ackedReports.filter((id) => !infos.has(id)), [], 'acknowledged reports missing');
    } finally {
      await db.end();
    }
    const token = nodes[0]?.adminToken;
    assert.ok(token);
    const first = ackedSamples.length > 0 ? Math.min(...ackedSamples) : 0;
    const q = await fetch(new URL(`/api/v1/query?name=restart.load&from=${first - 1}&to=${ts}&step=1000&agg=count`, nodes[1]!.url), { headers: { authorization: `Bearer ${token}` } });
    const body = await q.json() as { series: Array<{ values: Array<number | null> }> };
    assert.equal(q.status, 200, JSON.stringify(body));
    const seen = body.series.flatMap((s) => s.values).reduce<number>((x, v) => x + (v ?? 0), 0);
    assert.ok(seen >= ackedSamples.length, `acknowledged samples ${ackedSamples.length}, seen ${seen}`);
    t.diagnostic(`${ackedReports.length} reports and ${ackedSamples.length} samples acknowledged; while down ${down.filter((s) => s.status === 503).length} answers were 503 ` +
      `(slowest ${Math.round(Math.max(0, ...down.map((s) => s.ms)))} ms)`);
  });
});
