// Several processes (nodes) reporting to one PostgreSQL schema; one is SIGKILLed mid-run.
// Every acknowledged report must be stored, and each check's flips must form one unbroken chain.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openPostgresStore } from '../src/store/postgres/index.js';
import { dropSchema, freshSchemaName, pgSkipReason, pgTestUrl } from '../src/store/postgres/test-support.js';

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
