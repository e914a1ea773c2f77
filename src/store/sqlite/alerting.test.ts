import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { planIntake } from '../../alert/events.js';
import { runAlertStoreContract } from '../../alert/store-contract.js';
import { parseChannel } from '../../notify/registry.js';
import { ALERTING_MIGRATIONS, openSqliteAlertStore, type SqliteAlertStore } from './alerting.js';
import { openSqliteStore, type SqliteStore } from './index.js';
import { runMigrations } from './migrations-runner.js';

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);

runAlertStoreContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'oversee-alertcontract-'));
  const open = async (): Promise<{ store: SqliteStore; alerts: SqliteAlertStore }> => {
    const store = await openSqliteStore({ path: join(dir, 'db'), synchronous: 'NORMAL' });
    return { store, alerts: openSqliteAlertStore(store) };
  };
  const a = await open();
  const b = await open();
  return {
    a, b,
    async cleanup() {
      await a.store.close();
      await b.store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
const plan = (item: Parameters<typeof planIntake>[0]): ReturnType<typeof planIntake> => planIntake(item, 0);

describe('sqlite alert store: claims are conditional (exactly one winner)', () => {
  let dir: string;
  let a: { store: SqliteStore; alerts: SqliteAlertStore };
  let b: { store: SqliteStore; alerts: SqliteAlertStore };
  let hostId: number;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oversee-alertstore-'));
    const open = async (): Promise<{ store: SqliteStore; alerts: SqliteAlertStore }> => {
      const store = await openSqliteStore({ path: join(dir, 'db'), synchronous: 'NORMAL' });
      return { store, alerts: openSqliteAlertStore(store) };
    };
    a = await open();
    b = await open();
    const project = await a.store.projects.getByName('default');
    assert.ok(project);
    hostId = (await a.store.hosts.register(project.id, 'h', null, T0)).id;
  });
  after(async () => {
    await a.store.close();
    await b.store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('migrating twice is a no-op', () => {
    assert.equal(runMigrations(a.store.db, 'alerting', ALERTING_MIGRATIONS), ALERTING_MIGRATIONS.length);
  });

  test('two nodes taking flips at once take each exactly once and mark it notified', async () => {
    await a.store.ingest.reportStates({ hostId, at: T0, address: null, source: 'api', services: Array.from({ length: 50 }, (_, i) => ({ name: `c${i}`, state: 'ERR' as const, info: '', periodS: 60 })) });
    const [na, nb] = await Promise.all([a.alerts.intake('A', T0, 20, plan), b.alerts.intake('B', T0, 1000, plan)]);
    const [na2, nb2] = await Promise.all([a.alerts.intake('A', T0, 1000, plan), b.alerts.intake('B', T0, 1000, plan)]);
    assert.equal(na + nb + na2 + nb2, 50);
    const unclaimed = a.store.db.prepare('SELECT COUNT(*) FROM flips WHERE notified_at IS NULL').pluck().get();
    assert.equal(unclaimed, 0);
    const events = a.store.db.prepare("SELECT COUNT(*) FROM alert_events WHERE source = 'flip'").pluck().get();
    assert.equal(events, 50);
  });

  test('expiry fires once per missed deadline even when both nodes run it', async () => {
    assert.equal(await a.alerts.nextDeadline(), T0 + 60_000);
    const planner = (): { state: 'ERR'; info: string } => ({ state: 'ERR', info: 'No report' });
    const [fa, fb] = await Promise.all([a.alerts.expireDue(T0 + 60_000, 30, planner), b.alerts.expireDue(T0 + 60_000, 1000, planner)]);
    const again = await a.alerts.expireDue(T0 + 120_000, 1000, planner);
    assert.equal(fa.length + fb.length, 50);
    assert.equal(again.length, 0);
    assert.equal(await a.alerts.nextDeadline(), null);
  });

  test('a delivery is leased to one node until the lease ends', async () => {
    await a.alerts.putChannel({ ...parseChannel({ name: 'w', type: 'webhook', url: 'http://x/' }), origin: 'api' }, T0);
    const held = await a.alerts.heldEvents(T0, 1);
    const first = held[0];
    assert.ok(first);
    await a.alerts.applyDecisions({ decisions: [{ eventId: first.id, status: 'routed', note: null, channels: ['w'], groupKey: 'g' }], created: [], patches: new Map() }, T0);
    const due = await a.alerts.dueDeliveries(T0, 10);
    assert.equal(due.length, 1);
    const id = (due[0] as { id: number }).id;
    assert.deepEqual(await a.alerts.claimDeliveries([id], 'A', T0, T0 + 1000), [id]);
    assert.deepEqual(await b.alerts.claimDeliveries([id], 'B', T0 + 500, T0 + 1500), []);
    assert.equal((await b.alerts.dueDeliveries(T0 + 500, 10)).length, 0, 'leased deliveries are not due');
    assert.deepEqual(await b.alerts.claimDeliveries([id], 'B', T0 + 1001, T0 + 2000), [id], 'an expired lease can be taken over');
    await b.alerts.recordAttempts([{ deliveryId: id, channel: 'w', status: 'ok', error: null, durationMs: 3, retryAt: null }], T0 + 1002);
    assert.deepEqual(await a.alerts.claimDeliveries([id], 'A', T0 + 5000, T0 + 6000), [], 'a sent delivery is never claimed again');
  });

  test('a decision applies once: the second node\'s identical decision changes nothing', async () => {
    const held = await a.alerts.heldEvents(T0, 1);
    const e = held[0];
    assert.ok(e);
    const batch = { decisions: [{ eventId: e.id, status: 'routed' as const, note: null, channels: ['w'], groupKey: 'g' }], created: [], patches: new Map() };
    const [x, y] = await Promise.all([a.alerts.applyDecisions(batch, T0), b.alerts.applyDecisions(batch, T0)]);
    assert.equal(x + y, 1);
    assert.equal(a.store.db.prepare('SELECT COUNT(*) FROM alert_deliveries WHERE event_id = ?').pluck().get(e.id), 1);
  });

  test('only the first node to disable a channel is told it did', async () => {
    const [x, y] = await Promise.all([a.alerts.setChannelEnabled('w', false, 'HTTP 404', T0), b.alerts.setChannelEnabled('w', false, 'HTTP 404', T0)]);
    assert.deepEqual([x, y].sort(), [false, true]);
    assert.equal((await a.alerts.getChannel('w'))?.disabledReason, 'HTTP 404');
  });

  test('patchCheckState applies only when the expected values match', async () => {
    const checkId = a.store.db.prepare('SELECT id FROM checks LIMIT 1').pluck().get() as number;
    assert.equal(await a.alerts.patchCheckState(checkId, {}, { nextReminderAt: 5 }), true);
    assert.equal(await a.alerts.patchCheckState(checkId, { nextReminderAt: 4 }, { nextReminderAt: 9 }), false);
    assert.equal(await a.alerts.patchCheckState(checkId, { nextReminderAt: 5 }, { nextReminderAt: 9 }), true);
    assert.equal((await a.alerts.checkStates([checkId])).get(checkId)?.nextReminderAt, 9);
    assert.equal(await a.alerts.patchCheckState(987_654, {}, { nextReminderAt: 1 }), false, 'no state for a check that does not exist');
  });
});

describe('sqlite alert store: batched reads', () => {
  test('recentStates returns the newest n states of each check, oldest first', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oversee-alertstore-'));
    const store = await openSqliteStore({ path: join(dir, 'db'), synchronous: 'NORMAL' });
    try {
      const alerts = openSqliteAlertStore(store);
      const project = await store.projects.getByName('default');
      assert.ok(project);
      const hostId = (await store.hosts.register(project.id, 'h', null, T0)).id;
      const seq = ['OK', 'WARN', 'ERR', 'OK', 'UNK'] as const;
      const ids: number[] = [];
      for (const [i, state] of seq.entries()) {
        const out = await store.ingest.reportStates({ hostId, at: T0 + i, address: null, source: 'api', services: [{ name: 'a', state, info: '', periodS: null }, { name: 'b', state: 'OK', info: '', periodS: null }] });
        if (i === 0) ids.push(...out.map((o) => o.checkId));
      }
      const got = await alerts.recentStates([...ids, 424242], 3);
      assert.deepEqual(got.get(ids[0] as number), ['ERR', 'OK', 'UNK']);
      assert.deepEqual(got.get(ids[1] as number), ['OK', 'OK', 'OK']);
      assert.deepEqual(got.get(424242), []);
      const states = await alerts.checkStates([ids[0] as number]);
      assert.equal(states.get(ids[0] as number)?.flapping, false);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
