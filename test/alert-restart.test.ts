// Restart safety across processes: an alert node (this file run as a child process) is stopped,
// killed and restarted on the same SQLite file while flips keep arriving and deadlines pass; every
// event reaches the webhook receiver exactly once.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { CheckState } from '../src/domain/types.js';
import { AlertAdmin, AlertEngine, DEFAULT_ALERT_SETTINGS } from '../src/alert/index.js';
import { startHttpReceiver, type HttpReceiver } from '../src/notify/testing.js';
import { openSqliteAlertStore } from '../src/store/sqlite/alerting.js';
import { openSqliteStore, type SqliteStore } from '../src/store/sqlite/index.js';
import { systemClock } from '../src/util/clock.js';

const CHILD_ENV = 'OVERSEE_ALERT_RESTART_CHILD_DB';

// The child: one alert node on the given database until SIGTERM (graceful) or SIGKILL.
async function runNode(path: string): Promise<void> {
  const store = await openSqliteStore({ path, synchronous: 'NORMAL' });
  const engine = new AlertEngine({
    store, alertStore: openSqliteAlertStore(store), clock: systemClock,
    logger: { info: () => undefined, warn: () => undefined, error: (o) => console.error(o) },
    settings: { ...DEFAULT_ALERT_SETTINGS, groupWindowMs: 0 }, maxSleepMs: 200,
  });
  engine.start();
  const keepAlive = setInterval(() => undefined, 60_000); // the engine's own timer does not hold the process open
  process.on('SIGTERM', () => {
    clearInterval(keepAlive);
    void engine.stop().then(() => store.close()).then(() => process.exit(0));
  });
  process.stdout.write('ready\n');
}

async function until(what: string, cond: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const childDb = process.env[CHILD_ENV];
if (childDb) {
  await runNode(childDb);
} else {
  describe('alert node restarts (cross-process)', () => {
    let dir: string;
    let path: string;
    let store: SqliteStore;
    let rx: HttpReceiver;
    let hostId: number;
    let child: ChildProcess | null = null;

    const startNode = async (): Promise<ChildProcess> => {
      const c = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
        env: { ...process.env, [CHILD_ENV]: path }, stdio: ['ignore', 'pipe', 'inherit'],
      });
      await new Promise<void>((resolve, reject) => {
        c.stdout?.on('data', (d: Buffer) => { if (d.toString().includes('ready')) resolve(); });
        c.on('exit', (code) => reject(new Error(`alert node exited early (${code})`)));
      });
      child = c;
      return c;
    };
    const stopNode = async (signal: 'SIGTERM' | 'SIGKILL'): Promise<void> => {
      const c = child;
      child = null;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
      c.kill(signal);
      await exited;
    };
    const report = async (names: string[], state: CheckState, periodS: number | null): Promise<void> => {
      await store.ingest.reportStates({ hostId, at: Date.now(), address: null, source: 'api', services: names.map((name) => ({ name, state, info: '', periodS })) });
    };
    const keys = (): string[] => rx.requests.flatMap((r) => (JSON.parse(r.body) as { events: Array<{ key: string }> }).events.map((e) => e.key));

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'oversee-alert-restart-'));
      path = join(dir, 'oversee.db');
      store = await openSqliteStore({ path, synchronous: 'NORMAL' });
      rx = await startHttpReceiver();
      const alertStore = openSqliteAlertStore(store);
      await new AlertAdmin({ store, alertStore, clock: systemClock }).createChannel({ name: 'hook', type: 'webhook', url: rx.url });
      const project = await store.projects.getByName('default');
      assert.ok(project);
      hostId = (await store.hosts.register(project.id, 'r1', null, Date.now())).id;
    });
    after(async () => {
      if (child) await stopNode('SIGKILL');
      await rx.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    test('no event is lost and none is sent twice across a graceful stop and a kill', async () => {
      const beats = Array.from({ length: 20 }, (_, i) => `beat${i}`);
      // 1. Twenty heartbeat checks report ERR with a 2 s period; node A delivers the problems.
      await report(beats, 'ERR', 2);
      await startNode();
      await until('20 problems', () => keys().length >= 20);
      // 2. A stops gracefully; while no node runs, ten more problems arrive and the heartbeats go overdue.
      await stopNode('SIGTERM');
      await report(Array.from({ length: 10 }, (_, i) => `new${i}`), 'WARN', null);
      await new Promise((r) => setTimeout(r, 2500));
      // 3. Node B delivers the ten problems and each overdue heartbeat's expiry, once.
      await startNode();
      await until('20 + 10 + 20 events', () => keys().length >= 50);
      await new Promise((r) => setTimeout(r, 1000));
      // 4. B is killed while idle; recoveries arrive; node C delivers them.
      await stopNode('SIGKILL');
      await report(beats.slice(0, 5), 'OK', null);
      await startNode();
      await until('5 recoveries', () => keys().length >= 55);
      await new Promise((r) => setTimeout(r, 1000));
      await stopNode('SIGTERM');
      const all = keys();
      assert.equal(all.length, 55, 'exactly the expected number of notices');
      assert.equal(new Set(all).size, 55, 'no event twice');
      const flips = store.db.prepare("SELECT reason, COUNT(*) AS n FROM flips GROUP BY reason ORDER BY reason").all();
      assert.deepEqual(flips, [{ reason: 'expired', n: 20 }, { reason: 'reported', n: 35 }]);
    });
  });
}
