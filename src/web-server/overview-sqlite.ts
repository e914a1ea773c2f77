// The overview's read of every visible check on SQLite, in one narrow query: only the columns the
// overview sends, as arrays (no full Check objects). Measured on 10,000 checks: ~35 ms against
// ~140 ms for store.checks.list's `c.*` rows mapped to Checks (same machine, same load).
import type { Database } from 'better-sqlite3';
import type { CheckState } from '../domain/types.js';
import type { Store } from '../store/types.js';
import type { OverviewCheck } from './overview.js';

/** Which checks to read: every project, one project, or these projects (empty: none). */
export interface OverviewScope { projectId?: number; projectIds?: readonly number[] }

type Raw = [number, number, number, string, string, string, string, number | null, number | null, number, string];

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
  const rows = db.prepare(`SELECT c.id, c.project_id, c.host_id, h.name, c.name, c.state, c.info, c.last_report_at, c.last_change_at, c.expired, c.tags
    FROM checks c JOIN hosts h ON h.id = c.host_id ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY c.id`).raw().all(...args) as Raw[];
  const out = new Array<OverviewCheck>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const info = r[6];
    out[i] = {
      id: r[0], projectId: r[1], hostId: r[2], hostName: r[3], name: r[4], state: r[5] as CheckState,
      info: info.length > infoMax ? `${info.slice(0, infoMax)}…` : info,
      lastReportAt: r[7], lastChangeAt: r[8], expired: r[9] !== 0, tags: r[10] === '[]' ? [] : JSON.parse(r[10]) as string[],
    };
  }
  return out;
}
