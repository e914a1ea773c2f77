// Test harness for the /api/v1 plugin: a real SQLite store in a temp dir, a Fastify instance with the
// plugin mounted under /api/v1, a hand-moved clock and one token per role. Not shipped (build excludes it).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import type { CheckState, Role } from '../../../domain/types.js';
import { createSelfMetrics, type SelfMetrics } from '../../../server/self-metrics.js';
import { openSqliteStore, type SqliteStore } from '../../../store/sqlite/index.js';
import { createToken } from '../../auth.js';
import { apiV1Routes, type ApiV1Options } from '../index.js';

/** A clock the test moves by hand. */
export interface ManualClock {
  now(): number;
  set(ms: number): void;
}

/** Everything a test needs; call close() in after/afterEach. */
export interface Harness {
  app: FastifyInstance;
  store: SqliteStore;
  clock: ManualClock;
  metrics: SelfMetrics;
  defaultProjectId: number;
  /** Secrets of all-project tokens with each role. */
  tokens: Record<Role, string>;
  /** Creates another token and returns its secret. */
  token(role: Role, projectId: number | null): Promise<string>;
  /** GET/DELETE/POST through inject; answers status and parsed JSON body (undefined when empty). */
  call(method: 'GET' | 'POST' | 'DELETE', url: string, token?: string | null, body?: unknown): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

/** Starts a harness at time `start` (ms); `extra` is merged into the plugin options. */
export async function startHarness(start = 1_700_000_000_000, extra: Partial<ApiV1Options> = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'oversee-api-'));
  const store = await openSqliteStore({ path: join(dir, 'oversee.db'), synchronous: 'NORMAL' });
  let t = start;
  const clock: ManualClock = { now: () => t, set: (ms) => { t = ms; } };
  const metrics = createSelfMetrics();
  const app = Fastify({ logger: false });
  await app.register(apiV1Routes, { prefix: '/api/v1', store, clock, metrics, ...extra });
  await app.ready();
  const def = await store.projects.getByName('default');
  if (def === null) throw new Error('store has no default project');
  const token = async (role: Role, projectId: number | null): Promise<string> =>
    (await createToken(store, { name: `${role}-${String(projectId)}`, role, projectId }, clock)).token;
  const tokens: Record<Role, string> = {
    viewer: await token('viewer', null), editor: await token('editor', null), admin: await token('admin', null),
  };
  return {
    app, store, clock, metrics, defaultProjectId: def.id, tokens, token,
    async call(method, url, tok = tokens.viewer, body) {
      const headers: Record<string, string> = tok === null ? {} : { authorization: `Bearer ${tok}` };
      const res = await app.inject({ method, url, headers, ...(body === undefined ? {} : { payload: body as object }) });
      return { status: res.statusCode, body: res.body === '' ? undefined : (JSON.parse(res.body) as unknown) };
    },
    async close() {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Registers host `name` in `projectId` and reports `services` ([name, state] pairs) at time `at`. Returns the host id. */
export async function seedHost(
  store: SqliteStore, projectId: number, name: string, services: readonly (readonly [string, CheckState])[], at: number,
): Promise<number> {
  const host = await store.hosts.register(projectId, name, null, at);
  if (services.length > 0) {
    await store.ingest.reportStates({
      hostId: host.id, at, address: '127.0.0.1', source: 'overc',
      services: services.map(([n, state]) => ({ name: n, state, info: `${n} is ${state}`, periodS: 60 })),
    });
  }
  return host.id;
}

/** The error code of an error answer body. */
export function errorCode(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || !('error' in body)) return undefined;
  const e = body.error;
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

/** The error message of an error answer body. */
export function errorMessage(body: unknown): string {
  if (typeof body !== 'object' || body === null || !('error' in body)) return '';
  const e = body.error;
  return typeof e === 'object' && e !== null && 'message' in e && typeof e.message === 'string' ? e.message : '';
}

/** The items and nextCursor of a page answer. */
export function pageOf<T = Record<string, unknown>>(body: unknown): { items: T[]; nextCursor: string | null } {
  return body as { items: T[]; nextCursor: string | null };
}
