// Several processes (nodes) reporting to one PostgreSQL schema; one is SIGKILLed mid-run.
// Every acknowledged report must be stored, and each check's flips must form one unbroken chain.
// Then two real `oversee serve` nodes: a metric series created through one is visible on the other
// at once (also once its creator is killed), and statsd counters sent to both add up.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSocket } from 'node:dgram';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openPostgresStore } from '../src/store/postgres/index.js';
import { dropSchema, freshSchemaName, pgSkipReason, pgTestUrl } from '../src/store/postgres/test-support.js';
import { openSharedTsdbStorage } from '../src/store/postgres/tsdb-shared.js';
import { openPostgresTsdbStorage } from '../src/store/postgres/tsdb-storage.js';
import { Tsdb } from '../src/tsdb/index.js';
import { freeUdpPort } from '../src/ingest/samples-test-support.js';
import { requestJson, type JsonAnswer } from './support/http-json.js';
import { startServerProcess, type ServerProcess } from './support/server.js';

const url = pgTestUrl();
const skip = await pgSkipReason(url);
const storeModule = fileURLToPath(new URL('../src/store/postgres/index.ts', import.meta.url));

// One node: reports random states for a few shared checks as fast as it can, printing each acknowledged token.
const NODE_SCRIPT = `
import { openPostgresStore } from ${JSON.stringify(storeModule)};
const store = await openPostgresStore({ url: process.env.PG_URL, schema: process.env.PG_SCHEMA, poolSize: 4 });
const hostId = Number(process.env.HOST_ID);
const states = ['OK', 'WARN', 'ERR', 'UNK'];
let n = 0;
let stop = false;
process.on('SIGTERM', () => { stop = true; });
const worker = async (w) => {
  while (!stop) {
    const token = process.env.NODE_NAME + ':' + w + ':' + (n++);
    const services = [0, 1, 2].map((i) => ({ name: 'shared' + ((n + i) % 4), state: states[Math.floor(Math.random() * 4)], info: token, periodS: 60 }));
    await store.ingest.reportStates({ hostId, at: Date.now(), address: null, source: 'api', services });
    process.stdout.write(token + '\\n');
  }
};
await Promise.all([0, 1, 2, 3, 4, 5].map(worker));
await store.close();
`;

describe('several node processes on one PostgreSQL', { skip: skip ?? false }, () => {
  test('a SIGKILLed node loses no acknowledged report and the flip chains stay consistent', async () => {
    const schema = freshSchemaName();
    const dir = mkdtempSync(join(tmpdir(), 'oversee-pg-nodes-'));
    const script = join(dir, 'node.mts');
    writeFileSync(script, NODE_SCRIPT);
    const store = await openPostgresStore({ url, schema, poolSize: 2 });
    const children: ChildProcess[] = [];
    try {
      const project = (await store.projects.getByName('default'))!;
      const host = await store.hosts.register(project.id, 'shared-host', null, Date.now());
      const acked = new Set<string>();
      const spawnNode = (name: string): ChildProcess => {
        const child = spawn(process.execPath, ['--import', 'tsx', script], {
          env: { ...process.env, PG_URL: url, PG_SCHEMA: schema, HOST_ID: String(host.id), NODE_NAME: name },
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        createInterface({ input: child.stdout! }).on('line', (l) => acked.add(l));
        children.push(child);
        return child;
      };
      const exited = (c: ChildProcess) => new Promise<void>((resolve) => { if (c.exitCode !== null || c.signalCode !== null) resolve(); else c.once('exit', () => resolve()); });
      const [a, b, c] = ['a', 'b', 'c'].map(spawnNode) as [ChildProcess, ChildProcess, ChildProcess];
      const until = async (pred: () => boolean, ms: number) => { const end = Date.now() + ms; while (!pred() && Date.now() < end) await new Promise((r) => setTimeout(r, 50)); };
      await until(() => [...acked].filter((t) => t.startsWith('b:')).length >= 100, 60_000);
      b.kill('SIGKILL');
      await exited(b);
      const ackedAtKill = acked.size;
      await until(() => acked.size >= ackedAtKill + 300, 60_000);
      a.kill('SIGTERM');
      c.kill('SIGTERM');
      await Promise.all([exited(a), exited(c)]);
      assert.ok([...acked].some((t) => t.startsWith('b:')), 'the killed node had acknowledged reports');
      assert.ok(acked.size > ackedAtKill, 'the other nodes kept working after the kill');

      // 1. Every acknowledged token is in the history (each report writes 3 rows carrying its token).
      const stored = new Map<string, number>();
      for (const r of (await store.pool.query<{ info: string; n: number }>('SELECT info, COUNT(*) AS n FROM state_reports GROUP BY info')).rows) stored.set(r.info, r.n);
      for (const t of acked) assert.equal(stored.get(t), 3, `acknowledged report ${t} stored completely`);
      // 2. Per check, replaying history in commit order gives exactly the stored flips, linked.
      const checks = (await store.checks.list({ hostId: host.id, limit: 10 })).items;
      assert.equal(checks.length, 4);
      for (const check of checks) {
        const hist = (await store.pool.query<{ state: string }>('SELECT state FROM state_reports WHERE check_id = $1 ORDER BY id', [check.id])).rows;
        const flips = (await store.pool.query<{ old_state: string; new_state: string }>('SELECT old_state, new_state FROM flips WHERE check_id = $1 ORDER BY id', [check.id])).rows;
        const expected: string[] = [];
        let state = 'OK';
        for (const h of hist) { if (h.state !== state) expected.push(`${state}>${h.state}`); state = h.state; }
        assert.deepEqual(flips.map((f) => `${f.old_state}>${f.new_state}`), expected, `flip chain of ${check.name}`);
        assert.equal(check.state, state);
      }
    } finally {
      for (const ch of children) if (ch.exitCode === null && ch.signalCode === null) ch.kill('SIGKILL');
      await store.close();
      await dropSchema(url, schema);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ---------- metrics (tsdb) on two real `oversee serve` nodes ----------

/** GET, or POST `body` as JSON; with a Bearer token when given. */
const api = (base: string, path: string, token: string | null, body?: unknown): Promise<JsonAnswer> => requestJson(base, path, { body, token });

describe('metrics on two oversee serve nodes sharing one PostgreSQL schema', { skip: skip ?? false }, () => {
  const schema = freshSchemaName('ovs_nodes_tsdb');
  const storeUrl = `${url}?schema=${schema}`;
  let a: ServerProcess;
  let b: ServerProcess;
  let token: string;
  const statsd = { a: 0, b: 0 };
  const T = Math.floor(Date.now() / 1000) * 1000 - 60_000;

  before(async () => {
    statsd.a = await freeUdpPort();
    statsd.b = await freeUdpPort();
    a = await startServerProcess({ args: ['--store', storeUrl, '--statsd-port', String(statsd.a)] });
    b = await startServerProcess({ args: ['--store', storeUrl, '--statsd-port', String(statsd.b)] });
    token = a.adminToken!;
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    for (const p of [a, b]) if (p) rmSync(p.dataDir, { recursive: true, force: true });
    await dropSchema(url, schema);
  });

  /** What node `base` answers for the series, tree and raw points of `name` (sent as `count` samples from T). */
  const timings: number[] = [];
  const timed = async <R>(p: Promise<R>): Promise<R> => {
    const t0 = Date.now();
    const r = await p;
    timings.push(Date.now() - t0);
    return r;
  };
  const readAll = async (base: string, name: string, count: number): Promise<{ series: unknown; tree: unknown; points: unknown }> => {
    const dot = name.lastIndexOf('.');
    timings.length = 0;
    const series = await timed(api(base, `/api/v1/series?prefix=${name}`, token));
    const tree = await timed(api(base, `/api/v1/metrics/tree?prefix=${name.slice(0, dot)}`, token));
    const q = await timed(api(base, `/api/v1/query?name=${name}&from=${T}&to=${T + (count - 1) * 1000}&step=1000&agg=sum`, token));
    assert.equal(q.status, 200, JSON.stringify(q.body));
    const r = q.body as { timestamps: number[]; series: Array<{ tags: Record<string, string>; values: Array<number | null> }> };
    return {
      series: (series.body as { items: Array<{ name: string; tags: Record<string, string> }> }).items.map((s) => [s.name, s.tags]),
      tree: (tree.body as { items: Array<{ label: string; leaf: boolean }> }).items.filter((n) => n.label === name.slice(dot + 1)).map((n) => [n.label, n.leaf]),
      points: r.series.map((s) => [s.tags, s.values.flatMap((v, i) => (v === null ? [] : [[r.timestamps[i], v]]))]),
    };
  };
  const put = (base: string, name: string, count: number, host: string): Promise<{ status: number }> => api(base, '/api/put', null,
    Array.from({ length: count }, (_, i) => ({ metric: name, timestamp: T + i * 1000, value: i + 1, tags: { host } })));
  const expected = (name: string, count: number, host: string): unknown => ({
    series: [[name, { host }]],
    tree: [[name.slice(name.lastIndexOf('.') + 1), true]],
    points: [[{ host }, Array.from({ length: count }, (_, i) => [T + i * 1000, i + 1])]],
  });

  test('a series created through one node is listed, in the tree and queried with exactly its samples on the other at once (both ways)', async () => {
    assert.equal((await put(a.url, 'fresh.cpu', 7, 'a')).status, 204);
    assert.deepEqual(await readAll(b.url, 'fresh.cpu', 7), expected('fresh.cpu', 7, 'a'), 'node B, right after node A answered');
    console.log(`# node B's answers (series list, tree, query) on A's new series took ${timings.join(', ')} ms, asked one after the other once A acknowledged`);
    for (const ms of timings) assert.ok(ms < 1000, `each answer within 1 s (${timings.join(', ')} ms)`);
    assert.equal((await put(b.url, 'fresh.mem', 5, 'b')).status, 204);
    assert.deepEqual(await readAll(a.url, 'fresh.mem', 5), expected('fresh.mem', 5, 'b'), 'node A, right after node B answered');
  });

  test('statsd counters sent to both nodes over UDP add up (each node flushes onto its own sample slot)', async () => {
    const sock = createSocket('udp4');
    const sendMany = async (port: number, line: string, n: number): Promise<void> => {
      for (let i = 0; i < n; i++) await new Promise<void>((resolve, reject) => sock.send(line, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
    };
    await sendMany(statsd.a, 'nodes.reqs:1|c', 120);
    await sendMany(statsd.b, 'nodes.reqs:2|c', 90);
    await sendMany(statsd.b, 'nodes.reqs:1|c|@0.5', 10);
    sock.close();
    const sent = 120 + 180 + 20;
    // Each node flushes every 10 s; poll node B until both flushes are in (or 25 s passed).
    const total = async (base: string): Promise<number> => {
      const q = await api(base, `/api/v1/query?name=nodes.reqs.count&from=${T}&to=${Date.now() + 5000}&step=3600000&agg=sum`, token);
      return (q.body as { series: Array<{ values: Array<number | null> }> }).series.flatMap((s) => s.values).reduce<number>((x, v) => x + (v ?? 0), 0);
    };
    const deadline = Date.now() + 25_000;
    let seen = 0;
    while (Date.now() < deadline && (seen = await total(b.url)) < sent) await new Promise((r) => setTimeout(r, 250));
    assert.equal(seen, sent, 'node B: the counts of both nodes');
    assert.equal(await total(a.url), sent, 'node A: the counts of both nodes');
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const slots = (await c.query<{ slot: number | null }>(`SELECT slot FROM ${schema}.tsdb_nodes ORDER BY slot`)).rows.map((r) => r.slot);
      assert.deepEqual(slots, [0, 1], 'each node holds its own sample slot');
    } finally {
      await c.end();
    }
  });

  test('after the node that created a series is killed, the other still lists it and queries exactly its samples', async () => {
    assert.equal((await put(a.url, 'fresh.disk', 6, 'a')).status, 204);
    assert.deepEqual(await a.kill('SIGKILL'), { code: null, signal: 'SIGKILL' });
    assert.deepEqual(await readAll(b.url, 'fresh.disk', 6), expected('fresh.disk', 6, 'a'), 'read from the killed node\'s WAL');
    assert.deepEqual(await readAll(b.url, 'fresh.cpu', 7), expected('fresh.cpu', 7, 'a'), 'and its older series');
  });

  test('each node\'s statsd flushes stay apart, with the right per-node rate, after adoption, checkpoints and compaction', async () => {
    assert.deepEqual(await b.stop(), { code: 0, signal: null });
    // A third node (in this process) adopts the killed node's WAL, checkpoints and compacts everything.
    const store = await openPostgresStore({ url, schema, poolSize: 2 });
    const base = await openPostgresTsdbStorage({ pool: store.pool, schema, nodeId: 'checker' });
    const shared = await openSharedTsdbStorage(base, store.pool, { nodeId: 'checker', schema });
    const tsdb = await Tsdb.open({ storage: shared, clock: { now: () => Date.now() }, maxPoints: 1_000_000 });
    try {
      const slotOf = new Map<number, number>();
      for (const r of (await store.pool.query<{ node: string; slot: number }>('SELECT node, slot FROM tsdb_nodes WHERE slot IS NOT NULL')).rows) {
        slotOf.set(Number(r.node.split(':').at(-2)), r.slot);
      }
      const slots = { a: slotOf.get(a.proc.pid!)!, b: slotOf.get(b.proc.pid!)! };
      assert.deepEqual(new Set([slots.a, slots.b]), new Set([0, 1]));
      const end = Date.now();
      /** Every raw sample of `name` (1-ms step), by the slot of its timestamp. */
      const samples = async (name: string): Promise<Map<number, Array<[number, number]>>> => {
        const r = await tsdb.query({ projectId: 1, name, from: T, to: end, step: 1, agg: 'sum', tier: 0, groupBy: [] });
        const out = new Map<number, Array<[number, number]>>();
        (r.series[0]?.values ?? []).forEach((v, i) => {
          if (v === null) return;
          const t = r.timestamps[i]!;
          const list = out.get(t % 1000) ?? [];
          list.push([t, v]);
          out.set(t % 1000, list);
        });
        return out;
      };
      const check = async (when: string): Promise<string> => {
        const counts = await samples('nodes.reqs.count');
        const rates = await samples('nodes.reqs.rate');
        assert.deepEqual([...counts.keys()].sort(), [0, 1], `${when}: flushes only at the two slots`);
        for (const [node, sent] of [['a', 120], ['b', 200]] as const) {
          const c = counts.get(slots[node])!;
          const r = new Map(rates.get(slots[node]));
          assert.equal(c.reduce((x, [, v]) => x + v, 0), sent, `${when}: node ${node}'s counts`);
          for (const [t, v] of c) {
            const seconds = v / r.get(t)!;
            assert.ok(seconds >= 9 && seconds <= 11, `${when}: node ${node}'s rate at ${t} is its count over its ~10 s interval (${seconds} s)`);
          }
        }
        return JSON.stringify([[...counts], [...rates]]);
      };
      const before = await check('in the killed node\'s WAL and B\'s chunks');
      await shared.heartbeat(Date.now());
      assert.ok(await shared.adoptOrphanWal(tsdb, Date.now(), 0) > 0, 'the killed node\'s WAL was adopted');
      await tsdb.checkpoint();
      assert.equal(await check('after adoption and checkpoint'), before);
      assert.ok((await tsdb.compact({ force: true })).windows > 0);
      assert.equal(await check('after compaction'), before, 'the same samples after compaction');
    } finally {
      await tsdb.close();
      await store.close();
    }
  });
});
