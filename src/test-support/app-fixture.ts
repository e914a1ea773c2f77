// Builds an in-process app on a real SQLite file in a temp dir, for route tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppDeps } from '../server/app.js';
import { createSelfMetrics, type SelfMetrics } from '../server/self-metrics.js';
import { openSqliteStore, type SqliteStore } from '../store/sqlite/index.js';
import type { Clock } from '../util/clock.js';

/** A running in-process app with its store, metrics and a clock the test can move. */
export interface AppFixture {
  app: FastifyInstance;
  store: SqliteStore;
  metrics: SelfMetrics;
  clock: Clock & { t: number };
  close(): Promise<void>;
}

/** Opens a fresh store in a temp dir and builds the app on it. */
export async function appFixture(overrides: Partial<AppDeps> = {}): Promise<AppFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'oversee-app-'));
  const metrics = createSelfMetrics();
  const store = await openSqliteStore({ path: join(dir, 'oversee.db'), observer: metrics.storeObserver });
  const clock = { t: 1_700_000_000_000, now() { return this.t; } };
  const app = await buildApp({ store, metrics, clock, logger: false, bodyLimit: 1024 * 1024, ...overrides });
  await app.ready();
  return {
    app, store, metrics, clock,
    async close() {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
