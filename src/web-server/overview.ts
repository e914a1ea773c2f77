// GET /api/v1/overview: everything the overview page needs in one answer — every visible check
// (the page virtualises the list), counts per state, the Severe banner entries and the live-stream
// position to resume from, so no change between this answer and the SSE connection is lost.
import { canRead, singleProject } from '../api/v1/context.js';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Principal } from '../api/auth.js';
import type { Check, CheckState } from '../domain/types.js';
import { OverseeError } from '../errors.js';
import type { LiveEvents } from '../live/events.js';
import type { Store } from '../store/types.js';
import type { Clock } from '../util/clock.js';
import { listRoutes } from './routes-list.js';
import { encodeOverviewColumns } from './overview-columns.js';
import { sqliteDbOf, sqliteOverviewChecks, type OverviewScope } from './overview-sqlite.js';


/** True when an Accept-Encoding header allows gzip (a q=0 entry refuses it). */
export function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined) return false;
  return header.split(',').some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding !== 'gzip' && coding !== '*') return false;
    const q = params.map((x) => x.trim()).find((x) => x.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/** How long a Severe entry stays after its check left ERR (PROTOCOLS.md §2). */
export const SEVERE_LINGER_MS = 2 * 60_000;

/** One entry of the Severe banner. clearedAt is set when the check has left ERR (shown until +2 min). */
export interface SevereEntry {
  checkId: number;
  projectId: number;
  hostName: string;
  name: string;
  info: string;
  since: number | null;
  clearedAt: number | null;
}

/** What the overview list needs of a check (a subset of Check, so live `check` events fit too). */
export type OverviewCheck = Pick<Check, 'id' | 'projectId' | 'hostId' | 'hostName' | 'name' | 'state' | 'info' | 'lastReportAt' | 'lastChangeAt' | 'expired' | 'tags'>;

/** Longest info text sent in the overview (the check page shows all of it). */
export const OVERVIEW_INFO_MAX = 300;

/** The answer of GET /overview. */
export interface Overview {
  now: number;
  lastEventId: number;
  counts: Record<CheckState, number>;
  expired: number;
  checks: OverviewCheck[];
  severe: SevereEntry[];
  projects: { id: number; name: string }[];
}

/** Bodies at least this long are sent gzipped to a client that accepts it (10,000 checks as columns: 0.55 MB → 79 KB). */
export const OVERVIEW_GZIP_MIN = 16 * 1024;

/** The store filter of a caller's visible checks: every project, its only project, or its projects. */
function scopeOf(p: Principal): OverviewScope {
  if (p.grants.some((g) => g.projectId === null)) return {};
  const one = singleProject(p);
  if (one !== undefined) return { projectId: one };
  return { projectIds: [...new Set(p.grants.map((g) => g.projectId).filter((id): id is number => id !== null))] };
}

/** Every check the caller may read, in id order, info cut to OVERVIEW_INFO_MAX (SQLite: one narrow query). */
async function visibleChecks(store: Store, scope: OverviewScope, p: Principal): Promise<OverviewCheck[]> {
  const db = sqliteDbOf(store);
  const fast = db === null ? null : sqliteOverviewChecks(db, scope, OVERVIEW_INFO_MAX);
  if (fast !== null) return fast.every((c) => canRead(p, c.projectId)) ? fast : fast.filter((c) => canRead(p, c.projectId));
  const checks: OverviewCheck[] = [];
  let cursor: string | null = null;
  do {
    const page = await store.checks.list({ limit: 5000, cursor, ...scope });
    for (const c of page.items) {
      if (!canRead(p, c.projectId)) continue;
      checks.push({
        id: c.id, projectId: c.projectId, hostId: c.hostId, hostName: c.hostName, name: c.name, state: c.state,
        info: c.info.length > OVERVIEW_INFO_MAX ? `${c.info.slice(0, OVERVIEW_INFO_MAX)}…` : c.info,
        lastReportAt: c.lastReportAt, lastChangeAt: c.lastChangeAt, expired: c.expired, tags: c.tags,
      });
    }
    cursor = page.nextCursor;
  } while (cursor !== null);
  return checks;
}

/**
 * Builds the overview for a caller in one pass over its checks (the store filters by the caller's
 * projects; canRead stays as a last guard).
 * 1. The flips of the last SEVERE_LINGER_MS first, so the pass knows which checks may linger in Severe.
 * 2. Every visible check (store order; see visibleChecks), counting states and expired ones, and
 *    take ERR checks as Severe.
 * 3. Severe also gets checks whose flip out of ERR is younger than SEVERE_LINGER_MS.
 */
export async function buildOverview(store: Store, live: LiveEvents, clock: Clock, p: Principal): Promise<Overview> {
  const lastEventId = live.lastId();
  const now = clock.now();
  const scope = scopeOf(p);
  const recent = await store.history.flips({ limit: 1000, from: now - SEVERE_LINGER_MS, to: now, ...scope });
  const leftErr = new Set<number>();
  for (const f of recent.items) if (f.oldState === 'ERR') leftErr.add(f.checkId);
  const lingering = new Map<number, OverviewCheck>();
  const checks = await visibleChecks(store, scope, p);
  const counts: Record<CheckState, number> = { ERR: 0, WARN: 0, UNK: 0, OK: 0 };
  let expired = 0;
  const severe: SevereEntry[] = [];
  for (const c of checks) {
    counts[c.state]++;
    if (c.expired) expired++;
    if (c.state === 'ERR') severe.push({ checkId: c.id, projectId: c.projectId, hostName: c.hostName, name: c.name, info: c.info, since: c.lastChangeAt, clearedAt: null });
    else if (leftErr.has(c.id)) lingering.set(c.id, c);
  }
  const seen = new Set<number>();
  for (const f of recent.items) {
    const c = lingering.get(f.checkId);
    if (f.oldState !== 'ERR' || c === undefined || seen.has(c.id)) continue;
    seen.add(c.id);
    severe.push({ checkId: c.id, projectId: c.projectId, hostName: c.hostName, name: c.name, info: f.info || c.info, since: null, clearedAt: f.at });
  }
  const projects = (await store.projects.list()).filter((pr) => canRead(p, pr.id)).map((pr) => ({ id: pr.id, name: pr.name }));
  return { now, lastEventId, counts, expired, checks, severe, projects };
}

/**
 * Registers GET /overview (`?format=columns`: the checks as OverviewColumns, what the dashboard
 * loads) and GET /ui/routes (the /api/v1 routes this server has; prefix /api/v1).
 */
export async function overviewRoutes(app: FastifyInstance, opts: {
  store: Store; live: LiveEvents; clock: Clock; principal: (request: FastifyRequest) => Promise<Principal | null>;
}): Promise<void> {
  app.get('/overview', { schema: { hide: true } }, async (request, reply) => {
    const p = await opts.principal(request);
    if (p === null) throw new OverseeError('OVS_ERR_UNAUTHORIZED', 'log in or present an API token');
    const format = (request.query as Record<string, unknown>).format;
    if (format !== undefined && format !== 'columns') throw new OverseeError('OVS_ERR_VALIDATION', `format: only "columns" is known, got ${JSON.stringify(format)}`, { field: 'format' });
    const o = await buildOverview(opts.store, opts.live, opts.clock, p);
    const body = format === 'columns'
      ? JSON.stringify({ ...o, checks: undefined, columns: encodeOverviewColumns(o.checks, o.now) })
      : JSON.stringify(o);
    reply.type('application/json').header('cache-control', 'no-store').header('vary', 'accept-encoding');
    if (body.length < OVERVIEW_GZIP_MIN || !acceptsGzip(request.headers['accept-encoding'])) return reply.send(body);
    // Level 1, inline: 2-5 ms for the 0.55 MB of 10,000 checks as columns. On the thread pool it took
    // 40-300 ms of wall time on a busy machine (two thread hops), so it stays on the event loop.
    return reply.header('content-encoding', 'gzip').send(gzipSync(body, { level: 1 }));
  });

  let routes: string[] | null = null;
  app.get('/ui/routes', { schema: { hide: true } }, async (request) => {
    if ((await opts.principal(request)) === null) throw new OverseeError('OVS_ERR_UNAUTHORIZED', 'log in or present an API token');
    routes ??= listRoutes(app).filter((r) => r.path.startsWith('/api/v1/') && r.method !== 'HEAD').map((r) => `${r.method} ${r.path}`);
    return { routes };
  });
}
