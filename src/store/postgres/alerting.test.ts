import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { planIntake } from '../../alert/events.js';
import { runAlertStoreContract } from '../../alert/store-contract.js';
import type { Route } from '../../alert/types.js';
import { parseChannel } from '../../notify/registry.js';
import { openPostgresAlertStore, PG_ALERTING_MIGRATIONS, type PgAlertStore } from './alerting.js';
import { openPostgresStore, type PostgresStore } from './index.js';
import { dropSchema, freshSchemaName, pgSkipReason, pgTestUrl } from './test-support.js';

const url = pgTestUrl();
const skip = await pgSkipReason(url);
const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
runAlertStoreContract('postgres', async () => {
  const schema = freshSchemaName();
  const open = async (): Promise<{ store: PostgresStore; alerts: PgAlertStore }> => {
    const store = await openPostgresStore({ url, schema, poolSize: 4 });
    return { store, alerts: await openPostgresAlertStore(store) };
  };
  const a = await open();
  const b = await open();
  return {
    a, b,
    async cleanup() {
      await a.store.close();
      await b.store.close();
      await dropSchema(url, schema);
    },
  };
}, { skip: skip ?? false });

const plan = (item: Parameters<typeof planIntake>[0]): ReturnType<typeof planIntake> => planIntake(item, 0);

// The same behaviours as store/sqlite/alerting.test.ts, with two pools (two nodes) on one schema.
describe('postgres alert store: claims are conditional (exactly one winner)', { skip: skip ?? false }, () => {
  const schema = freshSchemaName();
  let a: { store: PostgresStore; alerts: PgAlertStore };
  let b: { store: PostgresStore; alerts: PgAlertStore };
  let hostId: number;
  before(async () => {
    const open = async (): Promise<{ store: PostgresStore; alerts: PgAlertStore }> => {
      const store = await openPostgresStore({ url, schema, poolSize: 4 });
      return { store, alerts: await openPostgresAlertStore(store) };
    };
    [a, b] = await Promise.all([open(), open()]);
    const project = await a.store.projects.getByName('default');
    assert.ok(project);
    hostId = (await a.store.hosts.register(project.id, 'h', null, T0)).id;
  });
  after(async () => {
    await a?.store.close();
    await b?.store.close();
    await dropSchema(url, schema);
  });

  const count = async (sql: string, args: unknown[] = []): Promise<number> => Number((await a.store.pool.query<{ n: string }>(sql, args)).rows[0]?.n);

  test('migrating twice is a no-op', async () => {
    assert.equal(await a.store.migrate('alerting', PG_ALERTING_MIGRATIONS), PG_ALERTING_MIGRATIONS.length);
    assert.equal(await count("SELECT COUNT(*) AS n FROM schema_migrations WHERE module = 'alerting'"), 1);
  });

  test('two nodes taking flips at once take each exactly once, in flip order, and mark it notified', async () => {
    await a.store.ingest.reportStates({ hostId, at: T0, address: null, source: 'api', services: Array.from({ length: 50 }, (_, i) => ({ name: `c${i}`, state: 'ERR' as const, info: '', periodS: 60 })) });
    const [na, nb] = await Promise.all([a.alerts.intake('A', T0, 20, plan), b.alerts.intake('B', T0, 1000, plan)]);
    const [na2, nb2] = await Promise.all([a.alerts.intake('A', T0, 1000, plan), b.alerts.intake('B', T0, 1000, plan)]);
    assert.equal(na + nb + na2 + nb2, 50);
    assert.equal(await count('SELECT COUNT(*) AS n FROM flips WHERE notified_at IS NULL'), 0);
    assert.equal(await count("SELECT COUNT(*) AS n FROM alert_events WHERE source = 'flip'"), 50);
    const order = (await a.store.pool.query<{ source_id: number }>("SELECT source_id FROM alert_events WHERE source = 'flip' ORDER BY id")).rows.map((r) => r.source_id);
    assert.deepEqual(order, [...order].sort((x, y) => x - y), 'events follow flip order');
  });

  test('expiry fires once per missed deadline even when both nodes run it', async () => {
    assert.equal(await a.alerts.nextDeadline(), T0 + 60_000);
    const planner = (): { state: 'ERR'; info: string } => ({ state: 'ERR', info: 'No report' });
    const [fa, fb] = await Promise.all([a.alerts.expireDue(T0 + 60_000, 30, planner), b.alerts.expireDue(T0 + 60_000, 1000, planner)]);
    const rest = await a.alerts.expireDue(T0 + 60_000, 1000, planner);
    const again = await a.alerts.expireDue(T0 + 120_000, 1000, planner);
    assert.equal(fa.length + fb.length + rest.length, 50);
    assert.equal(new Set([...fa, ...fb, ...rest].map((f) => f.checkId)).size, 50);
    assert.ok([...fa, ...fb].every((f) => f.reason === 'expired' && f.oldState === 'ERR' && f.newState === 'ERR'));
    assert.equal(again.length, 0);
    assert.equal(await a.alerts.nextDeadline(), null);
  });

  test('a report after expiry is a back-online flip, applied after the expiry (row locks)', async () => {
    const [out] = await a.store.ingest.reportStates({ hostId, at: T0 + 70_000, address: null, source: 'api', services: [{ name: 'c0', state: 'ERR', info: 'x', periodS: 60 }] });
    assert.equal(out?.flip?.info, 'back online: x');
    assert.equal((await a.store.checks.get(out!.checkId))?.expired, false);
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
    assert.equal(await b.alerts.nextDeliveryAt(), T0 + 1001);
    assert.deepEqual(await b.alerts.claimDeliveries([id], 'B', T0 + 1001, T0 + 2000), [id], 'an expired lease can be taken over');
    await b.alerts.recordAttempts([{ deliveryId: id, channel: 'w', status: 'ok', error: null, durationMs: 3, retryAt: null }], T0 + 1002);
    assert.deepEqual(await a.alerts.claimDeliveries([id], 'A', T0 + 5000, T0 + 6000), [], 'a sent delivery is never claimed again');
    const log = await a.alerts.notifications({ limit: 10 });
    assert.deepEqual(log.items.map((n) => [n.deliveryId, n.attempt, n.status]), [[id, 1, 'ok']]);
  });

  test('a decision applies once: the second node\'s identical decision changes nothing', async () => {
    const held = await a.alerts.heldEvents(T0, 1);
    const e = held[0];
    assert.ok(e);
    const batch = { decisions: [{ eventId: e.id, status: 'routed' as const, note: null, channels: ['w'], groupKey: 'g' }], created: [], patches: new Map() };
    const [x, y] = await Promise.all([a.alerts.applyDecisions(batch, T0), b.alerts.applyDecisions(batch, T0)]);
    assert.equal(x + y, 1);
    assert.equal(await count('SELECT COUNT(*) AS n FROM alert_deliveries WHERE event_id = $1', [e.id]), 1);
  });

  test('only the first node to disable a channel is told it did', async () => {
    const [x, y] = await Promise.all([a.alerts.setChannelEnabled('w', false, 'HTTP 404', T0), b.alerts.setChannelEnabled('w', false, 'HTTP 404', T0)]);
    assert.deepEqual([x, y].sort(), [false, true]);
    assert.equal((await a.alerts.getChannel('w'))?.disabledReason, 'HTTP 404');
  });

  test('patchCheckState applies only when the expected values match', async () => {
    const checkId = (await a.store.checks.list({ limit: 1 })).items[0]!.id;
    assert.equal(await a.alerts.patchCheckState(checkId, {}, { nextReminderAt: 5 }), true);
    assert.equal(await a.alerts.patchCheckState(checkId, { nextReminderAt: 4 }, { nextReminderAt: 9 }), false);
    assert.equal(await a.alerts.patchCheckState(checkId, { nextReminderAt: 5 }, { nextReminderAt: 9, flapping: true }), true);
    const st = (await a.alerts.checkStates([checkId, 987_654]));
    assert.equal(st.get(checkId)?.nextReminderAt, 9);
    assert.equal(st.get(checkId)?.flapping, true);
    assert.equal(st.get(987_654)?.flapping, false, 'defaults for a check without state');
    assert.equal(await a.alerts.patchCheckState(987_654, {}, { nextReminderAt: 1 }), false, 'no state for a check that does not exist');
    assert.deepEqual((await a.alerts.dueReminders(10, 10)).map((s) => s.checkId), [checkId]);
  });

  test('replaceConfigured keeps API-made items and a failure-disabled channel with an unchanged config', async () => {
    const w = (await a.alerts.getChannel('w'))!;
    await a.alerts.putChannel({ name: 'cfg', type: w.type, config: w.config, origin: 'config' }, T0);
    await a.alerts.setChannelEnabled('cfg', false, 'boom', T0);
    const route = (name: string, channels: string[], isDefault: boolean): Route =>
      ({ name, projects: null, hosts: null, checks: null, states: null, tags: null, kinds: null, channels, isDefault });
    await a.alerts.putRoute(route('api-route', ['w'], false), 'api');
    const input = {
      channels: [{ name: 'cfg', type: w.type, config: w.config, enabled: true }],
      routes: [route('r1', ['cfg'], true)],
      silences: [{ project: null, host: '*', check: 'db*', startsAt: T0, endsAt: T0 + 1000, recurrence: 'none' as const, until: null, comment: 'm', createdBy: 'cfg' }],
    };
    await Promise.all([a.alerts.replaceConfigured(input, T0 + 1), b.alerts.replaceConfigured(input, T0 + 2)]);
    assert.equal((await a.alerts.getChannel('cfg'))?.enabled, false);
    assert.deepEqual((await a.alerts.listRoutes()).map((r) => [r.name, r.origin]), [['api-route', 'api'], ['r1', 'config']]);
    assert.equal((await a.alerts.listSilences()).length, 1);
    assert.deepEqual((await a.alerts.listChannels()).map((c) => c.name), ['cfg', 'w']);
  });
});
