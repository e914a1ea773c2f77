// The overview's read of every visible check on SQLite, in one narrow query: only the columns the
// overview sends, as arrays (no full Check objects). Measured on 10,000 checks (load ~12, 2 cores):
// 30-50 ms for the narrow rows against 100-170 ms for the `c.*` rows store.checks.list maps to Checks.
import type { Database } from 'better-sqlite3';
import type { CheckState } from '../domain/types.js';
import type { Store } from '../store/types.js';
import type { OverviewCheck } from './overview.js';

/** Which checks to read: every project, one project, or these projects (empty: none). */
export interface OverviewScope { projectId?: number; projectIds?: readonly number[] }

type Raw = [number, number, number, string, string, string, number | null, number | null, number, string];

/** The SQLite connection behind `store` when it is an open SQLite store, else null (use the generic path). */
export function sqliteDbOf(store: Store): Database | null {
  if (store.dialect !== 'sqlite' || !('db' in store)) return null;
  const db = (store as { db: Database }).db;
  return db.open ? db : null;
}

/**
 * Every check in `scope`, ordered by id as store.checks.list pages them, with info cut to `infoMax`
 * characters (plus "…"). Same fields and values as the generic path (tested against it).
 */
export function sqliteOverviewChecks(db: Database, scope: OverviewScope, infoMax: number): OverviewCheck[] {
  const where: string[] = [];
  const args: (number | string)[] = [];
  if (scope.projectId !== undefined) { where.push('c.project_id = ?'); args.push(scope.projectId); }
  if (scope.projectIds !== undefined) { where.push('c.project_id IN (SELECT value FROM json_each(?))'); args.push(JSON.stringify(scope.projectIds)); }
  // Host names apart (one row per host) instead of a join: the join's per-check lookups cost more.
  const hostNames = new Map(db.prepare('SELECT id, name FROM hosts').raw().all() as [number, string][]);
  const rows = db.prepare(`SELECT c.id, c.project_id, c.host_id, c.name, c.state, c.info, c.last_report_at, c.last_change_at, c.expired, c.tags
    FROM checks c ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY c.id`).raw().all(...args) as Raw[];
  const out: OverviewCheck[] = [];
  for (const r of rows) {
    const hostName = hostNames.get(r[2]);
    if (hostName === undefined) continue; // cannot happen (foreign key); an inner join would skip it too
    const info = r[5];
    out.push({
      id: r[0], projectId: r[1], hostId: r[2], hostName, name: r[3], state: r[4] as CheckState,
      info: info.length > infoMax ? `${info.slice(0, infoMax)}…` : info,
      lastReportAt: r[6], lastChangeAt: r[7], expired: r[8] !== 0, tags: r[9] === '[]' ? [] : JSON.parse(r[9]) as string[],
    });
  }
  return out;
}
