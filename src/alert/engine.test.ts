// The engine end to end over a real SQLite file and real webhook receivers, with an injected clock.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, beforeEach, describe, test } from 'node:test';
import type { CheckState } from '../domain/types.js';
import { parseChannel } from '../notify/registry.js';
import { startHttpReceiver, type HttpReceiver } from '../notify/testing.js';
import { openSqliteAlertStore, type SqliteAlertStore } from '../store/sqlite/alerting.js';
import { openSqliteStore, type SqliteStore } from '../store/sqlite/index.js';
import { AlertAdmin } from './admin.js';
import { AlertEngine, type AlertLogger } from './engine.js';
import { DEFAULT_ALERT_SETTINGS, type AlertSettings } from './types.js';

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
const quiet: AlertLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

interface Hook {
  version: number;
  subject: string;
  state: CheckState | null;
  events: Array<{ key: string; kind: string; checkName: string | null; state: CheckState | null; message: string; title: string }>;
}

interface World {
  dir: string;
  path: string;
  store: SqliteStore;
  alerts: SqliteAlertStore;
  engine: AlertEngine;
  clock: { t: number; now: () => number };
  rx: HttpReceiver;
  rx2: HttpReceiver;
  hostId: number;
  projectId: number;
  /** Reports one check's state at the clock's time. */
  report(check: string, state: CheckState, periodS?: number | null, host?: number): Promise<void>;
  /** One engine pass plus the deliveries it started. */
  run(): Promise<void>;
  /** Bodies the main receiver got. */
  hooks(): Hook[];
  close(): Promise<void>;
}

async function makeWorld(settings: Partial<AlertSettings> = {}): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'oversee-alert-'));
  const path = join(dir, 'oversee.db');
  const store = await openSqliteStore({ path, synchronous: 'NORMAL' });
  const alerts = openSqliteAlertStore(store);
  const clock = { t: T0, now: () => clock.t };
  const rx = await startHttpReceiver();
  const rx2 = await startHttpReceiver();
  const project = await store.projects.getByName('default');
  assert.ok(project);
  const host = await store.hosts.register(project.id, 'web1', null, T0);
  await alerts.putChannel({ ...parseChannel({ name: 'hook', type: 'webhook', url: rx.url }), origin: 'api' }, T0);
  await alerts.putChannel({ ...parseChannel({ name: 'backup', type: 'webhook', url: rx2.url }), origin: 'api' }, T0);
  await alerts.putRoute({ name: 'main', projects: null, hosts: null, checks: null, states: null, tags: null, kinds: null, channels: ['hook'], isDefault: false }, 'api');
  await alerts.putRoute({ name: 'ops', projects: null, hosts: null, checks: null, states: null, tags: null, kinds: ['channel-disabled'], channels: ['backup'], isDefault: false }, 'api');
  const engine = new AlertEngine({
    store, alertStore: alerts, clock, logger: quiet, random: () => 1,
    settings: { ...DEFAULT_ALERT_SETTINGS, groupWindowMs: 0, ...settings },
  });
  const w: World = {
    dir, path, store, alerts, engine, clock, rx, rx2, hostId: host.id, projectId: project.id,
    async report(check, state, periodS = null, hostId = host.id) {
      await store.ingest.reportStates({ hostId, at: clock.t, address: null, source: 'api', services: [{ name: check, state, info: `${check} is ${state}`, periodS }] });
    },
    async run() {
      await w.engine.tick();
      await w.engine.drain();
    },
    hooks: () => rx.requests.map((r) => JSON.parse(r.body) as Hook),
    async close() {
      await w.engine.stop();
      await rx.close();
      await rx2.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return w;
}

const kinds = (w: World): string[] => w.hooks().flatMap((h) => h.events.map((e) => `${e.kind}:${e.checkName ?? ''}:${e.state ?? ''}`));

describe('alert engine', () => {
  let w: World;
  afterEach(async () => { await w.close(); });

  describe('state changes and delivery', () => {
    beforeEach(async () => { w = await makeWorld(); });

    test('the first report of a new check is compared with OK: an ERR is a problem, sent once', async () => {
      await w.report('disk', 'ERR');
      await w.run();
      await w.run();
      assert.deepEqual(kinds(w), ['problem:disk:ERR']);
      const hook = w.hooks()[0];
      assert.equal(hook?.subject, 'web1/disk: OK -> ERR');
      assert.equal(hook?.events[0]?.message, 'disk is ERR');
    });

    test('a first report of OK sends nothing; a later recovery is sent', async () => {
      await w.report('disk', 'OK');
      await w.run();
      assert.deepEqual(kinds(w), []);
      await w.report('disk', 'WARN');
      w.clock.t += 1000;
      await w.report('disk', 'OK');
      await w.run();
      assert.deepEqual(kinds(w), ['problem:disk:WARN', 'recovery:disk:OK']);
    });

    test('the alert feed filters by project', async () => {
      const other = await w.store.projects.create('shop', T0);
      const otherHost = await w.store.hosts.register(other.id, 'shop1', null, T0);
      await w.report('disk', 'ERR');
      await w.report('cart', 'WARN', null, otherHost.id);
      await w.run();
      const admin = new AlertAdmin({ store: w.store, alertStore: w.alerts, clock: w.clock });
      const mine = await admin.events({ limit: 10, projectId: w.projectId });
      const theirs = await admin.events({ limit: 10, projectId: other.id });
      assert.deepEqual(mine.items.map((e) => e.event.checkName), ['disk']);
      assert.deepEqual(theirs.items.map((e) => e.event.checkName), ['cart']);
      assert.deepEqual((await w.alerts.events({ limit: 10, projectId: other.id })).items.map((e) => e.event.project), ['shop']);
      assert.equal((await admin.events({ limit: 10 })).items.length, 2);
    });

    test('every attempt is recorded in the notifications log and reported to the observer', async () => {
      const seen: string[] = [];
      w.engine = new AlertEngine({ store: w.store, alertStore: w.alerts, clock: w.clock, logger: quiet, settings: { ...DEFAULT_ALERT_SETTINGS, groupWindowMs: 0 },
        onAttempt: (channel, status, seconds, events) => seen.push(`${channel}:${status}:${events}:${seconds >= 0}`) });
      await w.report('disk', 'ERR');
      await w.run();
      assert.deepEqual(seen, ['hook:ok:1:true']);
      const log = await w.alerts.notifications({ limit: 10 });
      assert.deepEqual(log.items.map((n) => [n.channel, n.attempt, n.status, n.error]), [['hook', 1, 'ok', null]]);
    });

    test('a transient failure is retried with exponential backoff and recorded per attempt', async () => {
      w.rx.respond(500);
      await w.report('disk', 'ERR');
      await w.run();
      w.clock.t += 4999;
      await w.run();
      assert.equal(w.rx.requests.length, 1, 'no retry before the 5 s backoff');
      w.clock.t += 1;
      await w.run();
      assert.equal(w.rx.requests.length, 2);
      w.rx.respond(200);
      w.clock.t += 10_000;
      await w.run();
      await w.run();
      assert.equal(w.rx.requests.length, 3);
      const log = await w.alerts.notifications({ limit: 10 });
      assert.deepEqual(log.items.map((n) => [n.attempt, n.status]).reverse(), [[1, 'transient'], [2, 'transient'], [3, 'ok']]);
      assert.match(log.items[2]?.error ?? '', /HTTP 500/);
    });

    test('a hung channel does not hold up another channel\'s delivery', async () => {
      await w.alerts.putRoute({ name: 'ops', projects: null, hosts: null, checks: null, states: null, tags: null, kinds: null, channels: ['backup'], isDefault: false }, 'api');
      w.rx2.respond(200, 4000);
      await w.report('disk', 'ERR');
      const t0 = Date.now();
      await w.engine.tick();
      await w.rx.waitFor(1, 3000);
      assert.ok(Date.now() - t0 < 3000, 'the fast channel got it while the slow one was still answering');
      await w.rx2.waitFor(1, 1000);
      let recorded: string[] = [];
      while (recorded.length === 0 && Date.now() - t0 < 3000) {
        recorded = (await w.alerts.notifications({ limit: 10 })).items.map((n) => n.channel);
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.deepEqual(recorded, ['hook'], 'the fast attempt is recorded while the slow one is still open');
      await w.engine.drain();
      assert.equal((await w.alerts.notifications({ limit: 10 })).items.length, 2);
    });

    test('a permanent failure disables the channel and raises an alert that reaches another channel', async () => {
      w.rx.respond(404);
      await w.report('disk', 'ERR');
      await w.run();
      await w.run();
      await w.run();
      const ch = await w.alerts.getChannel('hook');
      assert.equal(ch?.enabled, false);
      assert.match(ch?.disabledReason ?? '', /HTTP 404/);
      const backup = w.rx2.requests.map((r) => JSON.parse(r.body) as Hook);
      assert.deepEqual(backup.flatMap((h) => h.events.map((e) => e.kind)), ['channel-disabled']);
      assert.match(backup[0]?.subject ?? '', /Channel hook disabled/);
      // Later events do not go to the disabled channel.
      await w.report('disk', 'OK');
      await w.run();
      assert.equal(w.rx.requests.length, 1);
    });
  });

  describe('expiry (missed heartbeats)', () => {
    beforeEach(async () => { w = await makeWorld(); });

    test('a silent check expires once at its deadline with "No report for N s", and comes back online', async () => {
      await w.report('backup', 'OK', 60);
      await w.run();
      w.clock.t += 59_999;
      await w.run();
      assert.deepEqual(kinds(w), []);
      w.clock.t += 1;
      const r = await w.engine.tick();
      await w.engine.drain();
      assert.equal(r.expired, 1);
      await w.run();
      w.clock.t += 120_000;
      await w.run();
      assert.deepEqual(kinds(w), ['problem:backup:ERR']);
      const ev = w.hooks()[0]?.events[0];
      assert.equal(ev?.message, 'No report for 60 s');
      assert.equal(ev?.title, 'web1/backup: OK -> ERR (expired)');
      const check = await w.store.checks.getByName(w.hostId, 'backup');
      assert.equal(check?.state, 'ERR');
      assert.equal(check?.expired, true);
      await w.report('backup', 'OK', 60);
      await w.run();
      assert.deepEqual(kinds(w), ['problem:backup:ERR', 'recovery:backup:OK']);
      assert.equal(w.hooks()[1]?.events[0]?.message, 'back online: backup is OK');
    });

    test('the next pass is due at the earliest deadline (one queue, no timer per check)', async () => {
      await w.report('a', 'OK', 300);
      await w.report('b', 'OK', 60);
      const r = await w.engine.tick();
      assert.equal(r.nextAt, T0 + 60_000);
    });
  });

  describe('reduction', () => {
    beforeEach(async () => { w = await makeWorld({ reductionMs: 60_000 }); });

    test('a change that reverts within the delay is not notified; one that holds is, after the delay', async () => {
      await w.report('disk', 'ERR');
      w.clock.t += 30_000;
      await w.report('disk', 'OK');
      w.clock.t += 60_000;
      await w.run();
      assert.deepEqual(kinds(w), []);
      const dropped = await w.alerts.events({ limit: 10, status: 'dropped' });
      assert.equal(dropped.items.length, 2);
      await w.report('disk', 'ERR');
      w.clock.t += 59_000;
      await w.run();
      assert.deepEqual(kinds(w), []);
      w.clock.t += 1000;
      await w.run();
      assert.deepEqual(kinds(w), ['problem:disk:ERR']);
    });
  });

  describe('silences', () => {
    beforeEach(async () => { w = await makeWorld(); });

    test('events during a silence are recorded, not sent; a recovery after it ends is sent', async () => {
      await w.alerts.addSilence({ project: null, host: 'web*', check: '*', startsAt: T0, endsAt: T0 + 3_600_000, recurrence: 'none', until: null, comment: 'upgrade', createdBy: 't' }, 'api', T0);
      await w.report('disk', 'ERR');
      await w.run();
      assert.deepEqual(kinds(w), []);
      const silenced = await w.alerts.events({ limit: 10, status: 'silenced' });
      assert.equal(silenced.items.length, 1);
      assert.match(silenced.items[0]?.note ?? '', /upgrade/);
      w.clock.t = T0 + 3_600_000;
      await w.report('disk', 'OK');
      await w.run();
      assert.deepEqual(kinds(w), ['recovery:disk:OK']);
    });
  });

  describe('grouping', () => {
    beforeEach(async () => { w = await makeWorld({ groupWindowMs: 10_000 }); });

    test('events of one host within the window go out as one message per channel', async () => {
      await w.report('disk', 'ERR');
      await w.run();
      w.clock.t += 3000;
      await w.report('load', 'WARN');
      await w.run();
      w.clock.t += 6999;
      await w.run();
      assert.equal(w.rx.requests.length, 0, 'waits for the window');
      w.clock.t = T0 + 10_000;
      await w.run();
      assert.equal(w.rx.requests.length, 1);
      const hook = w.hooks()[0];
      assert.equal(hook?.subject, 'web1: 2 events (worst ERR)');
      assert.deepEqual(hook?.events.map((e) => e.checkName), ['disk', 'load']);
    });
  });

  describe('reminders and acknowledgement', () => {
    beforeEach(async () => { w = await makeWorld({ reminderIntervalMs: 600_000 }); });

    test('a problem is re-notified every interval until acknowledged; a change clears the ack', async () => {
      await w.report('disk', 'ERR');
      await w.run();
      w.clock.t += 600_000;
      await w.run();
      await w.run();
      assert.deepEqual(kinds(w), ['problem:disk:ERR', 'reminder:disk:ERR']);
      const check = await w.store.checks.getByName(w.hostId, 'disk');
      assert.ok(check);
      assert.ok(await w.alerts.patchCheckState(check.id, {}, { ackedAt: w.clock.t, ackedBy: 'ann', ackComment: 'on it', nextReminderAt: null }));
      w.clock.t += 3 * 600_000;
      await w.run();
      assert.equal(kinds(w).length, 2, 'acknowledged: no reminders');
      await w.report('disk', 'WARN');
      await w.run();
      w.clock.t += 600_000;
      await w.run();
      await w.run();
      assert.deepEqual(kinds(w).slice(2), ['change:disk:WARN', 'reminder:disk:WARN']);
      const states = await w.alerts.checkStates([check.id]);
      assert.equal(states.get(check.id)?.ackedAt, null);
    });
  });

  describe('flapping', () => {
    beforeEach(async () => { w = await makeWorld(); });

    const variants = [
      { name: 'with the store\'s batched recent results', strip: false },
      { name: 'with per-check history reads (alert store without recentStates)', strip: true },
    ];
    for (const v of variants) test(`a flapping check sends one "flapping started" and one "flapping stopped" instead of every change, ${v.name}`, async () => {
      let historyReads = 0;
      if (v.strip) {
        const bare = new Proxy(w.alerts, {
          get: (target, key) => {
            if (key === 'recentStates') return undefined;
            const value: unknown = Reflect.get(target, key);
            return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
          },
        });
        const history = w.store.history;
        const countingHistory = { ...history, stateReports: (...a: Parameters<typeof history.stateReports>) => { historyReads++; return history.stateReports(...a); } };
        const store = new Proxy(w.store, { get: (target, key) => (key === 'history' ? countingHistory : Reflect.get(target, key)) });
        w.engine = new AlertEngine({ store, alertStore: bare, clock: w.clock, logger: quiet, settings: { ...DEFAULT_ALERT_SETTINGS, groupWindowMs: 0 } });
      }
      const seq: CheckState[] = [...Array(10).fill('OK'), ...Array(5).fill(['ERR', 'OK']).flat()];
      for (const s of seq) {
        await w.report('http', s as CheckState);
        await w.run();
        w.clock.t += 1000;
      }
      const before = kinds(w);
      const started = before.findIndex((k) => k.startsWith('flapping-started:http:'));
      assert.ok(started > 0, `flapping started: ${before.join(', ')}`);
      assert.ok(started <= 4, 'detected within the first few changes');
      assert.equal(before.slice(started + 1).length, 0, 'no change notices while flapping');
      for (let i = 0; i < 25; i++) {
        await w.report('http', 'OK');
        w.clock.t += 30_000;
        await w.run();
      }
      const after = kinds(w);
      assert.deepEqual(after.slice(started + 1), ['flapping-stopped:http:OK']);
      assert.equal(historyReads > 0, v.strip, 'the fallback reads Store.history only when the alert store cannot');
    });
  });
});

describe('alert engine across restarts and nodes', () => {
  const worlds: World[] = [];
  after(async () => { for (const w of worlds) await w.close().catch(() => undefined); });

  test('an overdue check fires once after a restart, and nothing is sent twice', async () => {
    const w = await makeWorld();
    worlds.push(w);
    await w.report('backup', 'OK', 60);
    await w.report('disk', 'ERR');
    await w.run();
    assert.deepEqual(kinds(w), ['problem:disk:ERR']);
    // Stop the node, let time pass beyond the deadline, start a new one on the same file.
    await w.engine.stop();
    await w.store.close();
    w.clock.t += 3_600_000;
    w.store = await openSqliteStore({ path: w.path, synchronous: 'NORMAL' });
    w.alerts = openSqliteAlertStore(w.store);
    const engine = new AlertEngine({ store: w.store, alertStore: w.alerts, clock: w.clock, logger: quiet, settings: { ...DEFAULT_ALERT_SETTINGS, groupWindowMs: 0 } });
    w.engine = engine;
    await engine.tick();
    await engine.drain();
    await engine.tick();
    await engine.drain();
    assert.deepEqual(kinds(w), ['problem:disk:ERR', 'problem:backup:ERR']);
    assert.equal(w.hooks()[1]?.events[0]?.message, 'No report for 3600 s');
  });

  test('two nodes on one database deliver every event exactly once', async () => {
    const w = await makeWorld();
    worlds.push(w);
    const store2 = await openSqliteStore({ path: w.path, synchronous: 'NORMAL' });
    const alerts2 = openSqliteAlertStore(store2);
    const engine2 = new AlertEngine({ store: store2, alertStore: alerts2, clock: w.clock, logger: quiet, settings: { ...DEFAULT_ALERT_SETTINGS, groupWindowMs: 0 } });
    try {
      for (let i = 0; i < 40; i++) {
        await w.report(`c${i}`, i % 2 ? 'ERR' : 'WARN', 60);
        if (i % 5 === 0) await Promise.all([w.engine.tick(), engine2.tick()]);
      }
      w.clock.t += 61_000; // every check expires too
      for (let i = 0; i < 4; i++) await Promise.all([w.engine.tick(), engine2.tick()]);
      await Promise.all([w.engine.drain(), engine2.drain()]);
      for (let i = 0; i < 2; i++) await Promise.all([w.engine.tick(), engine2.tick()]);
      await Promise.all([w.engine.drain(), engine2.drain()]);
      const keys = w.hooks().flatMap((h) => h.events.map((e) => e.key));
      assert.equal(keys.length, 80, '40 problems + 40 expiries');
      assert.equal(new Set(keys).size, 80, 'no key twice');
    } finally {
      await engine2.stop();
      await store2.close();
    }
  });
});

describe('alert engine timers', () => {
  test('while a group window is open the loop sleeps until it closes instead of spinning', async () => {
    const w = await makeWorld();
    try {
      let passes = 0;
      const counting = new Proxy(w.alerts, {
        get: (target, key) => {
          const value: unknown = Reflect.get(target, key);
          if (typeof value !== 'function') return value;
          const fn = (value as (...a: unknown[]) => unknown).bind(target);
          return key === 'heldEvents' ? (...a: unknown[]) => { passes++; return fn(...a); } : fn;
        },
      });
      const clock = { now: () => Date.now() };
      const engine = new AlertEngine({ store: w.store, alertStore: counting, clock, logger: quiet, settings: { ...DEFAULT_ALERT_SETTINGS, groupWindowMs: 1500 } });
      await w.store.ingest.reportStates({ hostId: w.hostId, at: Date.now(), address: null, source: 'api', services: [{ name: 'disk', state: 'ERR', info: '', periodS: null }] });
      const started = Date.now();
      engine.start();
      await w.rx.waitFor(1, 5000);
      const waited = Date.now() - started;
      await engine.stop();
      assert.ok(waited >= 1400, `sent after the window (${waited} ms)`);
      assert.ok(passes <= 8, `${passes} passes while the window was open`);
    } finally {
      await w.close();
    }
  });
});
