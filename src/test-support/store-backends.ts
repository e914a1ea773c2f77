// The core, alert and user stores on each real backend, for tests that must hold on both: a fresh
// SQLite file, and a fresh schema of the test PostgreSQL (a skip reason when it is unreachable;
// under CI=true pgSkipReason throws instead).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AlertStore } from '../alert/store-types.js';
import { openPostgresAlertStore } from '../store/postgres/alerting.js';
import { openPostgresStore } from '../store/postgres/index.js';
import { dropSchema, freshSchemaName, pgSkipReason, pgTestUrl } from '../store/postgres/test-support.js';
import { PgUserStore } from '../store/postgres/users.js';
import { openSqliteAlertStore } from '../store/sqlite/alerting.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import type { Store } from '../store/types.js';
import { openSqliteUserStore } from '../users/sqlite-store.js';
import type { UserStore } from '../users/types.js';

/** The stores of one backend and how to throw them away. */
export interface StoreBackend {
  store: Store;
  alerts: AlertStore;
  users: UserStore;
  cleanup(): Promise<void>;
}

/** [name, open] per backend; open gives the stores, or why the backend cannot run here. `tmpPrefix` names the SQLite temp dir. */
export function storeBackends(tmpPrefix: string): Array<[string, () => Promise<StoreBackend | string>]> {
  return [
    ['SQLite', async () => {
      const dir = mkdtempSync(join(tmpdir(), tmpPrefix));
      const store = await openSqliteStore({ path: join(dir, 'oversee.db'), synchronous: 'NORMAL' });
      return {
        store, alerts: openSqliteAlertStore(store), users: openSqliteUserStore(store.db),
        cleanup: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); },
      };
    }],
    ['PostgreSQL', async () => {
      const url = pgTestUrl();
      const skip = await pgSkipReason(url);
      if (skip !== null) return skip;
      const schema = freshSchemaName();
      const store = await openPostgresStore({ url, schema, poolSize: 4 });
      return {
        store, alerts: await openPostgresAlertStore(store), users: new PgUserStore(store.pool),
        cleanup: async () => { await store.close(); await dropSchema(url, schema); },
      };
    }],
  ];
}
