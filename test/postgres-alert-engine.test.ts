// Two alert engines (two nodes) on one PostgreSQL schema: every flip and expiry is notified exactly once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AlertEngine, type AlertLogger } from '../src/alert/engine.js';
import { DEFAULT_ALERT_SETTINGS } from '../src/alert/types.js';
import type { CheckState } from '../src/domain/types.js';
import { parseChannel } from '../src/notify/registry.js';
import { startHttpReceiver, type HttpReceiver } from '../src/notify/testing.js';
import { openPostgresAlertStore } from '../src/store/postgres/alerting.js';
import { openPostgresStore, type PostgresStore } from '../src/store/postgres/index.js';
import { dropSchema, freshSchemaName, pgSkipReason, pgTestUrl } from '../src/store/postgres/test-support.js';

const url = pgTestUrl();
const skip = await pgSkipReason(url);
const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
const quiet: AlertLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('alert engines on two nodes sharing PostgreSQL', { skip: skip ?? false }, () => {
  const schema = freshSchemaName();
  const clock = { t: T0, now: () => clock.t };
  let rx: HttpReceiver;
  let nodes: Array<{ store: PostgresStore; engine: AlertEngine }>;
  let hostId: number;

  before(async () => {
    rx = await startHttpReceiver();
    nodes = await Promise.all(['A', 'B'].map(async (nodeId) => {
      const store = await openPostgresStore({ url, schema, poolSize: 4 });
      const alertStore = await openPostgresAlertStore(store);
      const engine = new AlertEngine({ store, alertStore, clock, logger: quiet, random: () => 1, nodeId,
        settings: { ...DEFAULT_ALERT_SETTINGS, groupWindowMs: 0, reminderIntervalMs: 0 } });
      return { store, engine };
    }));
    const first = nodes[0] as { store: PostgresStore };
    const alerts = await openPostgresAlertStore(first.store);
    await alerts.putChannel({ ...parseChannel({ name: 'hook', type: 'webhook', url: rx.url }), origin: 'api' }, T0);
    await alerts.putRoute({ name: 'all', projects: null, hosts: null, checks: null, states: null, tags: null, kinds: null, channels: ['hook'], isDefault: false }, 'api');
    const project = (await first.store.projects.getByName('default'))!;
    hostId = (await first.store.hosts.register(project.id, 'web1', null, T0)).id;
  });
  after(async () => {
    for (const n of nodes ?? []) { await n.engine.stop(); await n.store.close(); }
    await rx?.close();
    await dropSchema(url, schema);
  });

  const eventKeys = (): string[] => rx.requests.flatMap((r) => (JSON.parse(r.body) as { events: Array<{ key: string }> }).events.map((e) => e.key));
  const runBoth = async (): Promise<void> => {
    await Promise.all(nodes.map((n) => n.engine.tick()));
    await Promise.all(nodes.map((n) => n.engine.drain()));
  };
  const report = (node: number, name: string, state: CheckState, periodS: number | null = null) =>
    (nodes[node] as { store: PostgresStore }).store.ingest.reportStates({ hostId, at: clock.t, address: null, source: 'api', services: [{ name, state, info: state, periodS }] });

  test('state changes reported to either node are each delivered once', async () => {
    await Promise.all(Array.from({ length: 40 }, (_, i) => report(i % 2, `svc${i}`, 'ERR')));
    for (let i = 0; i < 3; i++) await runBoth();
    const keys = eventKeys();
    assert.equal(keys.length, 40);
    assert.equal(new Set(keys).size, 40, 'no event delivered twice');
    clock.t += 1000;
    await Promise.all(Array.from({ length: 40 }, (_, i) => report((i + 1) % 2, `svc${i}`, 'OK')));
    for (let i = 0; i < 3; i++) await runBoth();
    assert.equal(eventKeys().length, 80);
    assert.equal(new Set(eventKeys()).size, 80);
  });

  test('a missed deadline fires once although both nodes evaluate it', async () => {
    const before = eventKeys().length;
    await Promise.all(Array.from({ length: 10 }, (_, i) => report(i % 2, `beat${i}`, 'OK', 30)));
    await runBoth();
    clock.t += 31_000;
    for (let i = 0; i < 3; i++) await runBoth();
    const fresh = eventKeys().slice(before);
    assert.equal(fresh.length, 10);
    assert.equal(new Set(fresh).size, 10);
    const expired = await (nodes[0] as { store: PostgresStore }).store.history.flips({ limit: 100 });
    assert.equal(expired.items.filter((f) => f.reason === 'expired').length, 10);
  });
});
