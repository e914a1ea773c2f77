// Auto-clear times of OddEye Specials on PostgreSQL (module 'oddeye'): the AutoClearRepo of
// src/ingest/oddeye-autoclear.ts. Several nodes may sweep at once: a due check is reported OK by
// each of them, which changes its state once (the second report finds it OK already).
import type pg from 'pg';
import type { AutoClearRepo } from '../../ingest/oddeye-autoclear.js';
import type { PgMigration } from './migrations-runner.js';
import { mapPgError } from './pool.js';

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
];

/** AutoClearRepo on the store's pool (table migrated when the store opens). */
export class PgAutoClearRepo implements AutoClearRepo {
  constructor(private readonly pool: pg.Pool) {}

  async set(checkId: number, clearAt: number | null, minutes: number): Promise<void> {
    try {
      if (clearAt === null) await this.pool.query('DELETE FROM oddeye_autoclear WHERE check_id = $1', [checkId]);
      else {
        await this.pool.query(`INSERT INTO oddeye_autoclear (check_id, clear_at, minutes) VALUES ($1, $2, $3)
          ON CONFLICT (check_id) DO UPDATE SET clear_at = excluded.clear_at, minutes = excluded.minutes`, [checkId, clearAt, minutes]);
      }
    } catch (err) {
      throw mapPgError(err);
    }
  }

  async due(now: number, limit: number): Promise<{ checkId: number; minutes: number }[]> {
    try {
      const res = await this.pool.query<{ check_id: number; minutes: number }>(
        'SELECT check_id, minutes FROM oddeye_autoclear WHERE clear_at <= $1 ORDER BY clear_at LIMIT $2', [now, limit]);
      return res.rows.map((r) => ({ checkId: r.check_id, minutes: r.minutes }));
    } catch (err) {
      throw mapPgError(err);
    }
  }
}
