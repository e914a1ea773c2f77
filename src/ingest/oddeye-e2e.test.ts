// OddEye end to end in one process: the real route with its own timers, a real SQLite store and
// tsdb, the alert engine and a real webhook receiver. Heartbeat Specials (reaction > 0), auto-clearing
// Specials (reaction < 0) and silent ordinary series each reach the receiver as alerts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { AlertEngine, type AlertLogger } from '../alert/engine.js';
import type { Principal } from '../api/auth.js';
import { MemoryLiveEvents } from '../live/events.js';
import { DEFAULT_ALERT_SETTINGS } from '../alert/types.js';
import { parseChannel } from '../notify/registry.js';
import { startHttpReceiver, type HttpReceiver } from '../notify/testing.js';
import { createSelfMetrics } from '../server/self-metrics.js';
import { openSqliteAlertStore } from '../store/sqlite/alerting.js';
import { openSqliteStore, type SqliteStore } from '../store/sqlite/index.js';
import { buildOverview } from '../web-server/overview.js';
import { oddEyeRoutes } from './oddeye-routes.js';
import { SILENT_CHECK_NAME } from './oddeye-silence.js';
import { openTestTsdb } from './samples-test-support.js';

const T0 = 1_700_000_000_000;
const MIN = 60_000;
const quiet: AlertLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('OddEye end to end: heartbeats, auto-clear and silent series reach the alert channels', () => {
  const clock = { t: T0, now() { return this.t; } };
  let dir: string;
  let store: SqliteStore;
  let tsdb: Awaited<ReturnType<typeof openTestTsdb>>;
  let app: FastifyInstance;
  let engine: AlertEngine;
  let rx: HttpReceiver;
  let uuid: string;
  let projectId: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oversee-oddeye-e2e-'));
    store = await openSqliteStore({ path: join(dir, 'oversee.db') });
    tsdb = await openTestTsdb(clock);
    rx = await startHttpReceiver();
    const alerts = openSqliteAlertStore(store);
    await alerts.putChannel({ ...parseChannel({ name: 'hook', type: 'webhook', url: rx.url }), origin: 'api' }, T0);
    await alerts.putRoute({ name: 'all', projects: null, hosts: null, checks: null, states: null, tags: null, kinds: null, channels: ['hook'], isDefault: true }, 'api');
    engine = new AlertEngine({ store, alertStore: alerts, clock, logger: quiet, random: () => 1, settings: { ...DEFAULT_ALERT_SETTINGS, groupWindowMs: 0 } });
    // The route's own sweep timers, fast: the test moves the clock and waits for them.
    app = Fastify();
    await app.register(oddEyeRoutes, { store, clock, metrics: createSelfMetrics(), samples: tsdb.tsdb, anomalies: null, autoClearIntervalMs: 20, silenceIntervalMs: 20 });
    await app.ready();
    const p = (await store.projects.getByName('default'))!;
    [uuid, projectId] = [p.ingestToken, p.id];
  });
  after(async () => {
    await app?.close();
    await engine?.stop();
    await rx?.close();
    await store?.close();
    await tsdb?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const put = async (data: unknown[]) => {
    const r = await app.inject({ method: 'POST', url: '/oddeye-barlus/put/tsdb', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `UUID=${uuid}&data=${JSON.stringify(data)}` });
    assert.equal(r.statusCode, 200, r.body);
  };
  const special = (metric: string, status: string, reaction: number, host = 'e2e') =>
    ({ metric, status, reaction, type: 'Special', value: 0, timestamp: clock.t / 1000, message: `${metric} ${status}`, tags: { host } });
  const check = async (host: string, name: string) => {
    const h = await store.hosts.getWithKey(projectId, host);
    return h === null ? null : store.checks.getByName(h.id, name);
  };
  /** The Severe banner of the dashboard overview, as `host/check`. */
  const severe = async (): Promise<string[]> => {
    const admin = { tokenId: 0, name: 'test', role: 'admin', projectId: null, grants: [{ projectId: null, role: 'admin' }] } as Principal;
    return (await buildOverview(store, new MemoryLiveEvents(), clock, admin)).severe.map((s) => `${s.hostName}/${s.name}`);
  };
  /** Waits (real time) until `cond` holds, for at most 3 s. */
  const until = async (what: string, cond: () => Promise<boolean>) => {
    for (let i = 0; i < 150; i++) {
      if (await cond()) return;
      await sleep(20);
    }
    assert.fail(`timed out waiting for ${what}`);
  };
  /** One engine pass and its deliveries; the events the receiver got so far as `kind:check:state`. */
  const delivered = async (): Promise<string[]> => {
    await engine.tick();
    await engine.drain();
    return rx.requests.flatMap((r) => (JSON.parse(r.body) as { events: { kind: string; checkName: string | null; state: string | null }[] }).events)
      .map((e) => `${e.kind}:${e.checkName ?? ''}:${e.state ?? ''}`);
  };

  it('reaction > 0: a heartbeat that misses its minutes expires to ERR (Severe, alerted) and recovers with the next Special', async () => {
    await put([special('backup', 'OK', 5)]);
    clock.t += 5 * MIN - 1000;
    await delivered();
    assert.equal((await check('e2e', 'backup'))?.state, 'OK', 'within its 5 minutes');
    clock.t += 2000;
    assert.ok((await delivered()).includes('problem:backup:ERR'));
    const c = (await check('e2e', 'backup'))!;
    assert.deepEqual([c.state, c.expired], ['ERR', true]);
    assert.ok(c.info.startsWith('No report for'), c.info);
    assert.ok((await severe()).includes('e2e/backup'));
    await put([special('backup', 'OK', 5)]);
    assert.ok((await delivered()).includes('recovery:backup:OK'));
    assert.equal((await check('e2e', 'backup'))?.state, 'OK');
  });

  it('reaction < 0: the route\'s own timer clears an ERROR Special after |reaction| minutes, alerting both ways', async () => {
    await put([special('nginx', 'ERROR', -2)]);
    assert.ok((await delivered()).includes('problem:nginx:ERR'));
    clock.t += 2 * MIN + 1000;
    await until('the auto-clear', async () => (await check('e2e', 'nginx'))?.state === 'OK');
    assert.equal((await check('e2e', 'nginx'))?.info, 'auto-cleared: no update for 2 min');
    assert.ok((await delivered()).includes('recovery:nginx:OK'));
  });

  it('ordinary metrics silent for 3 minutes: the route\'s timer raises "silent metrics" ERR, alerted; data brings it back', async () => {
    const sample = (metric: string) => ({ metric, timestamp: clock.t / 1000, value: 1, tags: { host: 'quiet1' }, type: 'None', reaction: 0 });
    await put([sample('cpu.user'), sample('mem.free')]);
    clock.t += 3 * MIN;
    await until('the silence check', async () => (await check('quiet1', SILENT_CHECK_NAME))?.state === 'ERR');
    assert.equal((await check('quiet1', SILENT_CHECK_NAME))?.info, 'no data for 3m: cpu.user, mem.free');
    assert.ok((await severe()).includes(`quiet1/${SILENT_CHECK_NAME}`));
    assert.ok((await delivered()).includes(`problem:${SILENT_CHECK_NAME}:ERR`));
    await put([sample('cpu.user'), sample('mem.free')]);
    assert.equal((await check('quiet1', SILENT_CHECK_NAME))?.state, 'OK');
    assert.ok((await delivered()).includes(`recovery:${SILENT_CHECK_NAME}:OK`));
  });
});
