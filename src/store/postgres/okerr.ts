// The okerr adapter's tables on PostgreSQL (module 'okerr'): per-project settings and per-indicator
// state, the OkerrRepo of src/ingest/okerr-repo.ts. Each write is one statement (an upsert).
import type pg from 'pg';
import {
  defaultOkerrSettings, type OkerrIndicatorRecord, type OkerrRepo, type OkerrSettings, type OkerrSettingsPatch,
} from '../../ingest/okerr-repo.js';
import { toOkerrIndicator, toOkerrSettings, type OkerrIndicatorRow, type OkerrSettingsRow } from '../okerr-rows.js';
import type { PgMigration } from './migrations-runner.js';
import { inTransaction, pgQuery } from './pool.js';

/** Schema steps of the okerr module. Append new steps; never edit a released one. */
export const PG_OKERR_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    description: 'okerr project settings and indicator state',
    up: (c) => c.query(`
      CREATE TABLE okerr_settings (
        project_id BIGINT PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
        secret_salt TEXT,
        secret_hash TEXT,
        autocreate BOOLEAN NOT NULL,
        policies TEXT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE TABLE okerr_indicators (
        project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        method TEXT NOT NULL,
        policy TEXT NOT NULL,
        previous TEXT,
        tags TEXT NOT NULL,
        description TEXT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (project_id, name)
      );
    `),
  },
];

/** OkerrRepo on the store's pool (tables migrated when the store opens). */
export class PgOkerrRepo implements OkerrRepo {
  constructor(private readonly pool: pg.Pool) {}

  async getSettings(projectId: number): Promise<OkerrSettings> {
    const row = (await pgQuery<OkerrSettingsRow>(this.pool, 'SELECT * FROM okerr_settings WHERE project_id = $1', [projectId])).rows[0];
    return row ? toOkerrSettings(row) : defaultOkerrSettings(projectId);
  }

  /** Read-modify-write under the settings row's lock (a patch from another node is never lost). */
  setSettings(projectId: number, patch: OkerrSettingsPatch, now: number): Promise<OkerrSettings> {
    return inTransaction(this.pool, async (c) => {
      await c.query(`INSERT INTO okerr_settings (project_id, autocreate, policies, updated_at) VALUES ($1, true, '{}', $2)
        ON CONFLICT (project_id) DO NOTHING`, [projectId, now]);
      const cur = toOkerrSettings((await c.query<OkerrSettingsRow>('SELECT * FROM okerr_settings WHERE project_id = $1 FOR UPDATE', [projectId])).rows[0] as OkerrSettingsRow);
      const next: OkerrSettings = {
        projectId,
        secret: patch.secret === undefined ? cur.secret : patch.secret,
        autocreate: patch.autocreate ?? cur.autocreate,
        policies: patch.policies ?? cur.policies,
      };
      await c.query('UPDATE okerr_settings SET secret_salt = $2, secret_hash = $3, autocreate = $4, policies = $5, updated_at = $6 WHERE project_id = $1',
        [projectId, next.secret?.salt ?? null, next.secret?.hash ?? null, next.autocreate, JSON.stringify(next.policies), now]);
      return next;
    });
  }

  async getIndicator(projectId: number, name: string): Promise<OkerrIndicatorRecord | null> {
    const row = (await pgQuery<OkerrIndicatorRow>(this.pool, 'SELECT * FROM okerr_indicators WHERE project_id = $1 AND name = $2', [projectId, name])).rows[0];
    return row ? toOkerrIndicator(row) : null;
  }

  async saveIndicator(r: OkerrIndicatorRecord): Promise<void> {
    await pgQuery(this.pool, `INSERT INTO okerr_indicators (project_id, name, method, policy, previous, tags, description, updated_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (project_id, name) DO UPDATE SET method = excluded.method, policy = excluded.policy,
      previous = excluded.previous, tags = excluded.tags, description = excluded.description, updated_at = excluded.updated_at`,
    [r.projectId, r.name, r.method, r.policy, r.previous, JSON.stringify(r.tags), r.desc, r.updatedAt]);
  }
}
