// The AlertStore contract: one suite every implementation runs (store/sqlite now, store/postgres too),
// with two handles on one database standing for two nodes. Only interface methods are used.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CheckState } from '../domain/types.js';
import { parseChannel } from '../notify/registry.js';
import type { Store } from '../store/types.js';
import { planIntake } from './events.js';
import type { AlertStore } from './store-types.js';
import type { Route } from './types.js';

/** One node's view of the shared database. */
export interface AlertNode {
  store: Store;
  alerts: AlertStore;
}

/** Two nodes on one fresh database, and how to drop it. */
export interface AlertStoreHandle {
  a: AlertNode;
  b: AlertNode;
  cleanup(): Promise<void>;
}

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
const plan = (item: Parameters<typeof planIntake>[0]): ReturnType<typeof planIntake> => planIntake(item, 0);
const route = (name: string, channels: string[]): Route => ({
  name, projects: null, hosts: null, checks: null, states: null, tags: null, kinds: null, channels, isDefault: false,
});

/** Registers the contract tests for one implementation; `factory` opens two nodes on a fresh database. */
export function runAlertStoreContract(name: string, factory: () => Promise<AlertStoreHandle>, opts: { skip?: string | false } = {}): void {
  const withNodes = (fn: (h: AlertStoreHandle, hostId: number) => Promise<void>) => async () => {
    const h = await factory();
    try {
      const project = await h.a.store.projects.getByName('default');
      assert.ok(project);
      await fn(h, (await h.a.store.hosts.register(project.id, 'h', null, T0)).id);
    } finally {
      await h.cleanup();
    }
  };
  const report = (n: AlertNode, hostId: number, at: number, names: string[], state: CheckState, periodS: number | null = null) =>
    n.store.ingest.reportStates({ hostId, at, address: null, source: 'api', services: names.map((s) => ({ name: s, state, info: '', periodS })) });
  const names = (n: number, prefix = 'c'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

  describe(`alert store contract: ${name}`, { skip: opts.skip ?? false }, () => {
    test('two nodes taking flips and alerts at once take each exactly once', withNodes(async ({ a, b }, hostId) => {
      await report(a, hostId, T0, names(30), 'ERR');
      const project = await a.store.projects.getByName('default');
      await a.store.ingest.raiseAlerts([{ projectId: project?.id ?? 0, hostId, checkName: null, at: T0, title: 't', message: 'm', source: 'api' }]);
      const counts = await Promise.all([a.alerts.intake('A', T0, 10, plan), b.alerts.intake('B', T0, 1000, plan)]);
      const more = await Promise.all([a.alerts.intake('A', T0, 1000, plan), b.alerts.intake('B', T0, 1000, plan)]);
      assert.equal([...counts, ...more].reduce((x, y) => x + y, 0), 31);
      assert.equal(await a.alerts.intake('A', T0, 1000, plan), 0);
      const feed = await a.alerts.events({ limit: 100 });
      assert.equal(feed.items.length, 31);
      assert.equal(new Set(feed.items.map((e) => e.event.key)).size, 31);
      assert.ok(feed.items.every((e) => e.status === 'held'));
    }));

    test('expiry fires once per missed deadline even when both nodes run it', withNodes(async ({ a, b }, hostId) => {
      await report(a, hostId, T0, names(20), 'OK', 60);
      assert.equal(await a.alerts.nextDeadline(), T0 + 60_000);
      const planner = (): { state: CheckState; info: string } => ({ state: 'ERR', info: 'No report' });
      assert.deepEqual(await a.alerts.expireDue(T0 + 59_999, 100, planner), []);
      const [x, y] = await Promise.all([a.alerts.expireDue(T0 + 60_000, 7, planner), b.alerts.expireDue(T0 + 60_000, 100, planner)]);
      const rest = await a.alerts.expireDue(T0 + 60_000, 100, planner);
      assert.equal(x.length + y.length + rest.length, 20);
      assert.ok([...x, ...y, ...rest].every((f) => f.reason === 'expired' && f.newState === 'ERR' && f.info === 'No report'));
      assert.deepEqual(await b.alerts.expireDue(T0 + 3_600_000, 100, planner), []);
      assert.equal(await a.alerts.nextDeadline(), null);
      const check = await a.store.checks.getByName(hostId, 'c0');
      assert.equal(check?.expired, true);
    }));

    test('a decision applies once and a delivery is leased to one node at a time', withNodes(async ({ a, b }, hostId) => {
      await a.alerts.putChannel({ ...parseChannel({ name: 'w', type: 'webhook', url: 'http://x/' }), origin: 'api' }, T0);
      await report(a, hostId, T0, ['c'], 'ERR');
      await a.alerts.intake('A', T0, 10, plan);
      const [held] = await a.alerts.heldEvents(T0, 10);
      assert.ok(held);
      const batch = { decisions: [{ eventId: held.id, status: 'routed' as const, note: null, channels: ['w'], groupKey: 'g' }], created: [], patches: new Map() };
      const applied = await Promise.all([a.alerts.applyDecisions(batch, T0), b.alerts.applyDecisions(batch, T0)]);
      assert.equal(applied[0] + applied[1], 1);
      const due = await a.alerts.dueDeliveries(T0, 10);
      assert.equal(due.length, 1);
      const id = (due[0] as { id: number }).id;
      assert.deepEqual(await a.alerts.claimDeliveries([id], 'A', T0, T0 + 1000), [id]);
      assert.deepEqual(await b.alerts.claimDeliveries([id], 'B', T0 + 500, T0 + 1500), []);
      assert.equal((await b.alerts.dueDeliveries(T0 + 500, 10)).length, 0, 'leased deliveries are not due');
      assert.deepEqual(await b.alerts.claimDeliveries([id], 'B', T0 + 1001, T0 + 2000), [id], 'an expired lease can be taken over');
      await b.alerts.recordAttempts([{ deliveryId: id, channel: 'w', status: 'transient', error: 'HTTP 500', durationMs: 3, retryAt: T0 + 5000 }], T0 + 1002);
      assert.equal(await a.alerts.nextDeliveryAt(), T0 + 5000);
      assert.deepEqual(await a.alerts.claimDeliveries([id], 'A', T0 + 4999, T0 + 9000), [], 'not before the retry time');
      assert.deepEqual(await a.alerts.claimDeliveries([id], 'A', T0 + 5000, T0 + 9000), [id]);
      await a.alerts.recordAttempts([{ deliveryId: id, channel: 'w', status: 'ok', error: null, durationMs: 2, retryAt: null }], T0 + 5001);
      assert.deepEqual(await b.alerts.claimDeliveries([id], 'B', T0 + 60_000, T0 + 61_000), [], 'a sent delivery is never claimed again');
      assert.equal(await a.alerts.nextDeliveryAt(), null);
      const log = await a.alerts.notifications({ limit: 10 });
      assert.deepEqual(log.items.map((n) => [n.attempt, n.status, n.error]).reverse(), [[1, 'transient', 'HTTP 500'], [2, 'ok', null]]);
      const routed = await a.alerts.events({ limit: 10, status: 'routed' });
      assert.equal(routed.items.length, 1);
    }));

    test('only the first node to disable a channel is told it did; pending deliveries of it fail', withNodes(async ({ a, b }, hostId) => {
      await a.alerts.putChannel({ ...parseChannel({ name: 'w', type: 'webhook', url: 'http://x/' }), origin: 'api' }, T0);
      await report(a, hostId, T0, ['c'], 'ERR');
      await a.alerts.intake('A', T0, 10, plan);
      const [held] = await a.alerts.heldEvents(T0, 10);
      assert.ok(held);
      await a.alerts.applyDecisions({ decisions: [{ eventId: held.id, status: 'routed', note: null, channels: ['w'], groupKey: 'g' }], created: [], patches: new Map() }, T0);
      const [x, y] = await Promise.all([a.alerts.setChannelEnabled('w', false, 'HTTP 404', T0), b.alerts.setChannelEnabled('w', false, 'HTTP 404', T0)]);
      assert.deepEqual([x, y].sort(), [false, true]);
      assert.equal((await a.alerts.getChannel('w'))?.disabledReason, 'HTTP 404');
      assert.equal(await a.alerts.cancelDeliveries('w', 'disabled', T0), 1);
      assert.equal((await a.alerts.dueDeliveries(T0 + 1, 10)).length, 0);
    }));

    test('patchCheckState applies only when the expected values match, and can add an event', withNodes(async ({ a }, hostId) => {
      const [out] = await report(a, hostId, T0, ['c'], 'ERR');
      assert.ok(out);
      assert.equal(await a.alerts.patchCheckState(out.checkId, {}, { nextReminderAt: 5 }), true);
      assert.equal(await a.alerts.patchCheckState(out.checkId, { nextReminderAt: 4 }, { nextReminderAt: 9 }), false);
      const event = { ...plan({ source: 'flip', flip: { id: 0, checkId: out.checkId, projectId: 1, hostId, at: T0, oldState: 'ERR', newState: 'ERR', reason: 'manual', info: '' }, project: 'default', hostName: 'h', checkName: 'c', tags: [], reductionMs: null }).event, key: 'reminder:x', kind: 'reminder' as const };
      assert.equal(await a.alerts.patchCheckState(out.checkId, { nextReminderAt: 5 }, { nextReminderAt: 9, flapping: true }, { checkId: out.checkId, event, releaseAt: T0 }), true);
      const st = (await a.alerts.checkStates([out.checkId, 987_654])).get(out.checkId);
      assert.equal(st?.nextReminderAt, 9);
      assert.equal(st?.flapping, true);
      assert.deepEqual((await a.alerts.heldEvents(T0, 10)).map((e) => e.event.key), ['reminder:x']);
      assert.equal(await a.alerts.patchCheckState(987_654, {}, { nextReminderAt: 1 }), false, 'no state for a check that does not exist');
      assert.equal((await a.alerts.dueReminders(10, 10)).length, 1);
    }));

    test('replaceConfigured keeps API-made items and a failure-disabled channel with an unchanged config', withNodes(async ({ a }) => {
      const ch = (n: string, url = `http://${n}/`) => ({ ...parseChannel({ name: n, type: 'webhook', url }), enabled: true });
      await a.alerts.putChannel({ ...parseChannel({ name: 'api1', type: 'webhook', url: 'http://api/' }), origin: 'api' }, T0);
      await a.alerts.replaceConfigured({ channels: [ch('x'), ch('y')], routes: [route('r', ['x'])], silences: [] }, T0);
      await a.alerts.setChannelEnabled('x', false, 'HTTP 410', T0);
      await a.alerts.setChannelEnabled('y', false, 'HTTP 410', T0);
      await a.alerts.replaceConfigured({ channels: [ch('x'), ch('y', 'http://y2/')], routes: [route('r2', ['y'])], silences: [] }, T0 + 1);
      const channels = await a.alerts.listChannels();
      assert.deepEqual(channels.map((c) => [c.name, c.origin, c.enabled]), [['api1', 'api', true], ['x', 'config', false], ['y', 'config', true]]);
      assert.deepEqual((await a.alerts.listRoutes()).map((r) => r.name), ['r2']);
    }));

    test('routes and silences round-trip', withNodes(async ({ a }) => {
      const r = await a.alerts.putRoute({ ...route('db', ['w']), hosts: ['db-*'], states: ['ERR'], isDefault: true }, 'api');
      assert.deepEqual([r.name, r.hosts, r.states, r.isDefault, r.origin], ['db', ['db-*'], ['ERR'], true, 'api']);
      const s = await a.alerts.addSilence({ project: null, host: 'h*', check: '*', startsAt: T0, endsAt: T0 + 60_000, recurrence: 'daily', until: null, comment: 'c', createdBy: 'ann' }, 'api', T0);
      assert.deepEqual((await a.alerts.listSilences()).map((x) => [x.id, x.host, x.recurrence, x.createdBy]), [[s.id, 'h*', 'daily', 'ann']]);
      assert.equal(await a.alerts.deleteSilence(s.id), true);
      assert.equal(await a.alerts.deleteSilence(s.id), false);
      assert.equal(await a.alerts.deleteRoute('db'), true);
    }));

    test('the alert feed pages newest first and filters by project', withNodes(async ({ a }, hostId) => {
      for (let i = 0; i < 5; i++) await report(a, hostId, T0 + i, [`c${i}`], 'ERR');
      await a.alerts.intake('A', T0 + 10, 100, plan);
      const first = await a.alerts.events({ limit: 3 });
      assert.equal(first.items.length, 3);
      assert.ok(first.nextCursor);
      const second = await a.alerts.events({ limit: 3, cursor: first.nextCursor });
      assert.deepEqual([...first.items, ...second.items].map((e) => e.event.checkName), ['c4', 'c3', 'c2', 'c1', 'c0']);
      assert.equal(second.nextCursor, null);
      const other = await a.store.projects.create('other', T0);
      assert.equal((await a.alerts.events({ limit: 10, projectId: other.id })).items.length, 0);
    }));
  });
}
