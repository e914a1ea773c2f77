// OddEye tables on PostgreSQL (module 'oddeye'): the AutoClearRepo of src/ingest/oddeye-autoclear.ts
// and the SilenceRepo of src/ingest/oddeye-silence.ts. Several nodes may sweep at once: a due check
// is reported by each of them, which changes its state once (the second report finds it changed).
import type pg from 'pg';
import type { AutoClearRepo } from '../../ingest/oddeye-autoclear.js';
import type { SeenRow, SilenceRepo, SilentFlag } from '../../ingest/oddeye-silence.js';
import type { PgMigration } from './migrations-runner.js';
import { pgQuery } from './pool.js';

/** Schema steps of the oddeye module. Append new steps; never edit a released one. */
export const PG_ODDEYE_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    description: 'auto-clear times of OddEye Specials',
    up: (c) => c.query(`
      CREATE TABLE oddeye_autoclear (
        check_id BIGINT PRIMARY KEY REFERENCES checks(id) ON DELETE CASCADE,
        clear_at BIGINT NOT NULL,
        minutes DOUBLE PRECISION NOT NULL
      );
      CREATE INDEX oddeye_autoclear_due ON oddeye_autoclear (clear_at);
    `),
  },
  {
    version: 2,
    description: 'last-seen times of ordinary OddEye series and the hosts flagged silent',
    up: (c) => c.query(`
      CREATE TABLE oddeye_seen (
        project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        host TEXT NOT NULL,
        series TEXT NOT NULL,
        metric TEXT NOT NULL,
        seen_at BIGINT NOT NULL,
        PRIMARY KEY (project_id, host, series)
      );
      CREATE INDEX oddeye_seen_at ON oddeye_seen (seen_at);
      CREATE TABLE oddeye_silent (
        project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        host TEXT NOT NULL,
        check_id BIGINT NOT NULL,
        info TEXT NOT NULL,
        PRIMARY KEY (project_id, host)
      );
    `),
  },
];

/** AutoClearRepo on the store's pool (table migrated when the store opens). */
export class PgAutoClearRepo implements AutoClearRepo {
  constructor(private readonly pool: pg.Pool) {}

  async set(checkId: number, clearAt: number | null, minutes: number): Promise<void> {
    if (clearAt === null) await pgQuery(this.pool, 'DELETE FROM oddeye_autoclear WHERE check_id = $1', [checkId]);
    else {
      await pgQuery(this.pool, `INSERT INTO oddeye_autoclear (check_id, clear_at, minutes) VALUES ($1, $2, $3)
        ON CONFLICT (check_id) DO UPDATE SET clear_at = excluded.clear_at, minutes = excluded.minutes`, [checkId, clearAt, minutes]);
    }
  }

  async due(now: number, limit: number): Promise<{ checkId: number; minutes: number }[]> {
    const res = await pgQuery<{ check_id: number; minutes: number }>(this.pool,
      'SELECT check_id, minutes FROM oddeye_autoclear WHERE clear_at <= $1 ORDER BY clear_at LIMIT $2', [now, limit]);
    return res.rows.map((r) => ({ checkId: r.check_id, minutes: r.minutes }));
  }
}

/** Rows per upsert statement of last-seen times. */
const TOUCH_BATCH = 5000;

/** SilenceRepo on the store's pool (tables migrated when the store opens). */
export class PgSilenceRepo implements SilenceRepo {
  constructor(private readonly pool: pg.Pool) {}

  async touch(rows: readonly SeenRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += TOUCH_BATCH) {
      const part = rows.slice(i, i + TOUCH_BATCH);
      await pgQuery(this.pool, `INSERT INTO oddeye_seen (project_id, host, series, metric, seen_at)
        SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[])
        ON CONFLICT (project_id, host, series) DO UPDATE SET seen_at = GREATEST(oddeye_seen.seen_at, excluded.seen_at)`,
      [part.map((r) => r.projectId), part.map((r) => r.host), part.map((r) => r.series), part.map((r) => r.metric), part.map((r) => r.seenAt)]);
    }
  }

  async silent(before: number): Promise<{ projectId: number; host: string; metric: string }[]> {
    const res = await pgQuery<{ project_id: string; host: string; metric: string }>(this.pool,
      'SELECT DISTINCT project_id, host, metric FROM oddeye_seen WHERE seen_at <= $1 ORDER BY project_id, host, metric', [before]);
    return res.rows.map((r) => ({ projectId: Number(r.project_id), host: r.host, metric: r.metric }));
  }

  async flags(): Promise<SilentFlag[]> {
    const res = await pgQuery<{ project_id: string; host: string; check_id: string; info: string }>(this.pool,
      'SELECT project_id, host, check_id, info FROM oddeye_silent ORDER BY project_id, host');
    return res.rows.map((r) => ({ projectId: Number(r.project_id), host: r.host, checkId: Number(r.check_id), info: r.info }));
  }

  async setFlag(projectId: number, host: string, flag: { checkId: number; info: string } | null): Promise<void> {
    if (flag === null) await pgQuery(this.pool, 'DELETE FROM oddeye_silent WHERE project_id = $1 AND host = $2', [projectId, host]);
    else {
      await pgQuery(this.pool, `INSERT INTO oddeye_silent (project_id, host, check_id, info) VALUES ($1, $2, $3, $4)
        ON CONFLICT (project_id, host) DO UPDATE SET check_id = excluded.check_id, info = excluded.info`, [projectId, host, flag.checkId, flag.info]);
    }
  }

  async forget(projectId: number, host: string, before: number): Promise<void> {
    await pgQuery(this.pool, 'DELETE FROM oddeye_seen WHERE project_id = $1 AND host = $2 AND seen_at <= $3', [projectId, host, before]);
  }
}
