// The dashboard side of the server in one call: users and sessions, saved dashboards, the overview,
// live events over SSE and the built web app. The composition root calls registerWebUi once.
import type { FastifyInstance } from 'fastify';
import { MemoryLiveEvents, type LiveEvents } from '../live/events.js';
import { liveRoutes } from '../live/sse.js';
import { isPostgresStore } from '../store/postgres/index.js';
import { PgUserStore } from '../store/postgres/users.js';
import type { Store } from '../store/types.js';
import { dashboardRoutes } from '../users/dashboards.js';
import { LoginLimiter, type LoginLimits } from '../users/rate-limit.js';
import { userRoutes } from '../users/routes.js';
import { SessionAuth } from '../users/sessions.js';
import { openSqliteUserStore } from '../users/sqlite-store.js';
import type { UserStore } from '../users/types.js';
import type { Clock } from '../util/clock.js';
import { overviewRoutes } from './overview.js';
import { findWebRoot, webAppRoutes } from './static.js';

/** What registerWebUi needs; users defaults to tables in the SQLite store's file. */
export interface WebUiOptions {
  store: Store;
  clock: Clock;
  live?: LiveEvents;
  users?: UserStore;
  loginLimits?: LoginLimits;
  /** Directory of the built app; default: found next to the server (null serves a "not built" notice). */
  webRoot?: string | null;
  heartbeatMs?: number;
}

/** What the rest of the server uses: the session authenticator (for /api/v1) and the live bus. */
export interface WebUi {
  auth: SessionAuth;
  live: LiveEvents;
  users: UserStore;
}

/** The user store of a store: tables in the same SQLite file or PostgreSQL schema. */
export function userStoreFor(store: Store): UserStore {
  if (isPostgresStore(store)) return new PgUserStore(store.pool);
  if (store.dialect === 'sqlite' && 'db' in store) return openSqliteUserStore(store.db as import('better-sqlite3').Database);
  throw new Error(`users: no user store for the ${store.dialect} store yet`);
}

/** Registers the dashboard routes on `app` and returns the authenticator and bus. */
export async function registerWebUi(app: FastifyInstance, opts: WebUiOptions): Promise<WebUi> {
  const live = opts.live ?? new MemoryLiveEvents();
  const users = opts.users ?? userStoreFor(opts.store);
  const auth = new SessionAuth(users, opts.store, opts.clock);
  const principal = auth.principal.bind(auth);
  const limiter = new LoginLimiter(opts.loginLimits);
  await app.register(async (api) => {
    await api.register(userRoutes, { users, auth, store: opts.store, clock: opts.clock, limiter });
    await api.register(dashboardRoutes, { users, auth, clock: opts.clock });
    await api.register(overviewRoutes, { store: opts.store, live, clock: opts.clock, principal });
    await api.register(liveRoutes, { live, principal, ...(opts.heartbeatMs !== undefined ? { heartbeatMs: opts.heartbeatMs } : {}) });
  }, { prefix: '/api/v1' });
  await app.register(webAppRoutes, { root: opts.webRoot === undefined ? findWebRoot() : opts.webRoot });
  return { auth, live, users };
}
