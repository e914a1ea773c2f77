// A delivery that went out while the store could not record it (PostgreSQL restarting) is recorded
// once the store is back, and not sent a second time: a real SQLite store whose recordAttempts fails
// with OVS_ERR_UNAVAILABLE for a while, a real webhook receiver, the engine on its own timer.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { OverseeError } from '../errors.js';
import { parseChannel } from '../notify/registry.js';
import { startHttpReceiver } from '../notify/testing.js';
import { openSqliteAlertStore } from '../store/sqlite/alerting.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { AlertEngine, type AlertLogger } from './engine.js';
import type { AlertStore } from './store-types.js';
import { DEFAULT_ALERT_SETTINGS } from './types.js';

const quiet: AlertLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('a sent delivery whose record fails while the store is unavailable is recorded when it is back, and sent once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'oversee-alert-record-'));
  const store = await openSqliteStore({ path: join(dir, 'oversee.db'), synchronous: 'NORMAL' });
  const rx = await startHttpReceiver();
  let engine: AlertEngine | null = null;
  try {
    const real = openSqliteAlertStore(store);
    let failures = 0;
    // The store is "down" for the first three attempts to record.
    const alerts = new Proxy(real, {
      get(target, prop, receiver) {
        if (prop === 'recordAttempts') {
          return (...args: Parameters<AlertStore['recordAttempts']>) => {
            if (failures < 3) {
              failures++;
              return Promise.reject(new OverseeError('OVS_ERR_UNAVAILABLE', 'store: PostgreSQL unavailable (ECONNREFUSED)'));
            }
            return target.recordAttempts(...args);
          };
        }
        const v: unknown = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const now = Date.now();
    const project = (await store.projects.getByName('default'))!;
    const host = await store.hosts.register(project.id, 'web1', null, now);
    await real.putChannel({ ...parseChannel({ name: 'hook', type: 'webhook', url: rx.url }), origin: 'api' }, now);
    engine = new AlertEngine({ store, alertStore: alerts, clock: { now: () => Date.now() }, logger: quiet, settings: { ...DEFAULT_ALERT_SETTINGS, groupWindowMs: 0 } });
    engine.start();
    await store.ingest.reportStates({ hostId: host.id, at: Date.now(), address: null, source: 'api', services: [{ name: 'disk', state: 'ERR', info: 'full', periodS: null }] });
    engine.kick();
    const until = Date.now() + 20_000;
    let recorded = 0;
    while (Date.now() < until) {
      recorded = (await real.notifications({ limit: 10 })).items.length;
      if (recorded > 0) break;
      await sleep(50);
    }
    assert.equal(failures, 3, 'the record failed three times first');
    assert.equal(recorded, 1, 'the attempt is recorded once the store is back');
    await sleep(1500); // a few more engine passes: nothing is sent again
    assert.equal(rx.requests.length, 1, 'the receiver got the message once');
    assert.equal((await real.notifications({ limit: 10 })).items[0]?.status, 'ok');
  } finally {
    await engine?.stop();
    await rx.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
