// Test helpers: log in through the real routes and carry the session cookie and CSRF header.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Role } from '../../domain/types.js';
import type { SqliteStore } from '../../store/sqlite/index.js';
import { createUserChecked } from '../routes.js';
import { CSRF_HEADER } from '../sessions.js';
import { openSqliteUserStore } from '../sqlite-store.js';
import type { User } from '../types.js';

/** A logged-in browser-like client for `app.inject`. */
export interface SessionClient {
  cookie: string;
  /** Injects with the session cookie and the CSRF header. */
  inject(opts: InjectOptions): Promise<LightMyRequestResponse>;
}

/** Creates a user directly in the store. */
export async function addUser(store: SqliteStore, name: string, role: Role, projectId: number | null = null, password = 'correct horse'): Promise<User> {
  return createUserChecked(openSqliteUserStore(store.db), store, { name, password, role, projectId }, Date.now());
}

/** Logs in through POST /api/v1/session and returns a client carrying the cookie. */
export async function login(app: FastifyInstance, name: string, password = 'correct horse'): Promise<SessionClient> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/session', headers: { [CSRF_HEADER]: '1' }, payload: { name, password } });
  if (res.statusCode !== 200) throw new Error(`login of ${name} failed: ${res.statusCode} ${res.body}`);
  const setCookie = String(res.headers['set-cookie']);
  const cookie = setCookie.split(';')[0] ?? '';
  return {
    cookie,
    inject: (opts) => app.inject({ ...opts, headers: { cookie, [CSRF_HEADER]: '1', ...(opts.headers ?? {}) } }),
  };
}
