// Browser-test support: Debian's chromium through playwright-core (skipped with a printed reason
// when it is missing, unless CI=true), and an in-process Oversee serving the built web app.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { buildApp } from '../../src/server/app.js';
import { createSelfMetrics } from '../../src/server/self-metrics.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/index.js';
import { openSqliteTsdbStorage } from '../../src/store/sqlite/tsdb-storage.js';
import { Tsdb } from '../../src/tsdb/index.js';
import { MemoryLiveEvents } from '../../src/live/events.js';
import { AlertAdmin, AlertEngine } from '../../src/alert/index.js';
import { openSqliteAlertStore } from '../../src/store/sqlite/alerting.js';
import { withLiveEvents } from '../../src/live/store.js';
import { systemClock } from '../../src/util/clock.js';
import type { FastifyInstance } from 'fastify';
import { REPO_ROOT } from './server.js';

/** Where Debian installs chromium. */
export const CHROMIUM = '/usr/bin/chromium';
/** Launch flags for a headless chromium in a container. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];
/** Screenshots go here (ignored by git). */
export const RESULTS_DIR = join(REPO_ROOT, 'test-results');
/** The built web app. */
export const WEB_ROOT = join(REPO_ROOT, 'dist', 'web') + '/';

/** Why browser tests cannot run here, or null when they can. Under CI=true a missing browser is an error. */
export function browserSkipReason(): string | null {
  let reason: string | null = null;
  if (!existsSync(CHROMIUM)) reason = `${CHROMIUM} is missing (apt-get install chromium)`;
  else if (!existsSync(join(WEB_ROOT, 'index.html'))) reason = `${WEB_ROOT}index.html is missing (npm run build)`;
  if (reason !== null && process.env.CI === 'true') throw new Error(`browser tests cannot run under CI: ${reason}`);
  if (reason !== null) console.log(`# skipping browser tests: ${reason}`);
  return reason;
}

/** Launches headless chromium. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** A listening in-process server over a fresh store. */
export interface LiveServer {
  url: string;
  app: FastifyInstance;
  store: SqliteStore;
  close(): Promise<void>;
}

/** Starts Oversee on 127.0.0.1:0 with the built web app, a time-series store and the alerting API (SQLite files in a temp dir); `engine` adds the alert engine (not started), which the channel test route needs. */
export async function startLiveServer(opts: { engine?: boolean } = {}): Promise<LiveServer> {
  const dir = mkdtempSync(join(tmpdir(), 'oversee-browser-'));
  // Wrapped as the composition root is meant to: every change through the store is published live.
  const live = new MemoryLiveEvents();
  const store = withLiveEvents(await openSqliteStore({ path: join(dir, 'oversee.db') }), live);
  const tsdb = await Tsdb.open({ storage: openSqliteTsdbStorage({ path: join(dir, 'tsdb.sqlite') }), clock: systemClock });
  const alertStore = openSqliteAlertStore(store);
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const engine = opts.engine === true ? new AlertEngine({ store, alertStore, clock: systemClock, logger: quiet }) : null;
  const alerting = { admin: new AlertAdmin({ store, alertStore, clock: systemClock }), engine };
  const app = await buildApp({ store, live, tsdb, alerting, metrics: createSelfMetrics(), clock: systemClock, logger: false, bodyLimit: 10 * 1024 * 1024, webRoot: WEB_ROOT });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    url, app, store,
    async close() {
      await engine?.stop();
      await app.close();
      await tsdb.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The path of a screenshot named `name` (creates the folder). */
export function screenshotPath(name: string): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  return join(RESULTS_DIR, `${name}.png`);
}

/** POSTs JSON to the server. */
export async function postJson(base: string, path: string, body: unknown): Promise<Response> {
  return fetch(new URL(path, base), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}
