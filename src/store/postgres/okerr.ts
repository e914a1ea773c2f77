// The okerr adapter's tables on PostgreSQL (module 'okerr'): per-project settings and per-indicator
// state, the OkerrRepo of src/ingest/okerr-repo.ts. Each write is one statement (an upsert).
import type pg from 'pg';
import {
  defaultOkerrSettings, type OkerrIndicatorRecord, type OkerrPolicy, type OkerrRepo, type OkerrSettings, type OkerrSettingsPatch,
} from '../../ingest/okerr-repo.js';
import type { PgMigration } from './migrations-runner.js';
import { inTransaction, mapPgError } from './pool.js';

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

interface SettingsRow { project_id: number; secret_salt: string | null; secret_hash: string | null; autocreate: boolean; policies: string }
interface IndicatorRow {
  project_id: number; name: string; method: string; policy: string; previous: string | null; tags: string; description: string; updated_at: number;
}

function isPolicy(v: unknown): v is OkerrPolicy {
  if (typeof v !== 'object' || v === null) return false;
  const { periodS, patienceS } = v as Record<string, unknown>;
  return typeof periodS === 'number' && typeof patienceS === 'number';
}

function toSettings(row: SettingsRow): OkerrSettings {
  const policies: Record<string, OkerrPolicy> = {};
  const parsed: unknown = JSON.parse(row.policies);
  if (typeof parsed === 'object' && parsed !== null) {
    for (const [k, v] of Object.entries(parsed)) if (isPolicy(v)) policies[k] = { periodS: v.periodS, patienceS: v.patienceS };
  }
  return {
    projectId: row.project_id,
    secret: row.secret_salt !== null && row.secret_hash !== null ? { salt: row.secret_salt, hash: row.secret_hash } : null,
    autocreate: row.autocreate,
    policies,
  };
}

function toIndicator(row: IndicatorRow): OkerrIndicatorRecord {
  const tags: unknown = JSON.parse(row.tags);
  return {
    projectId: row.project_id, name: row.name, method: row.method, policy: row.policy, previous: row.previous,
    tags: Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [], desc: row.description, updatedAt: row.updated_at,
  };
}

/** OkerrRepo on the store's pool (tables migrated when the store opens). */
export class PgOkerrRepo implements OkerrRepo {
  constructor(private readonly pool: pg.Pool) {}

  async getSettings(projectId: number): Promise<OkerrSettings> {
    const row = (await this.pool.query<SettingsRow>('SELECT * FROM okerr_settings WHERE project_id = $1', [projectId])
      .catch((err: unknown) => { throw mapPgError(err); })).rows[0];
    return row ? toSettings(row) : defaultOkerrSettings(projectId);
  }

  /** Read-modify-write under the settings row's lock (a patch from another node is never lost). */
  setSettings(projectId: number, patch: OkerrSettingsPatch, now: number): Promise<OkerrSettings> {
    return inTransaction(this.pool, async (c) => {
      await c.query(`INSERT INTO okerr_settings (project_id, autocreate, policies, updated_at) VALUES ($1, true, '{}', $2)
        ON CONFLICT (project_id) DO NOTHING`, [projectId, now]);
      const cur = toSettings((await c.query<SettingsRow>('SELECT * FROM okerr_settings WHERE project_id = $1 FOR UPDATE', [projectId])).rows[0] as SettingsRow);
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
    const row = (await this.pool.query<IndicatorRow>('SELECT * FROM okerr_indicators WHERE project_id = $1 AND name = $2', [projectId, name])
      .catch((err: unknown) => { throw mapPgError(err); })).rows[0];
    return row ? toIndicator(row) : null;
  }

  async saveIndicator(r: OkerrIndicatorRecord): Promise<void> {
    await this.pool.query(`INSERT INTO okerr_indicators (project_id, name, method, policy, previous, tags, description, updated_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (project_id, name) DO UPDATE SET method = excluded.method, policy = excluded.policy,
      previous = excluded.previous, tags = excluded.tags, description = excluded.description, updated_at = excluded.updated_at`,
    [r.projectId, r.name, r.method, r.policy, r.previous, JSON.stringify(r.tags), r.desc, r.updatedAt]).catch((err: unknown) => { throw mapPgError(err); });
  }
}
