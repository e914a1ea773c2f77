// SQLite tables of the okerr adapter (module 'okerr' in schema_migrations): per-project settings and
// per-indicator state. Writes go through the store's group committer, so they share its durable COMMIT.
import type Database from 'better-sqlite3';
import {
  defaultOkerrSettings, type OkerrIndicatorRecord, type OkerrRepo, type OkerrSettings, type OkerrSettingsPatch,
} from '../../ingest/okerr-repo.js';
import { toOkerrIndicator, toOkerrSettings, type OkerrIndicatorRow, type OkerrSettingsRow } from '../okerr-rows.js';
import { isPostgresStore } from '../postgres/index.js';
import { PgOkerrRepo } from '../postgres/okerr.js';
import type { Store } from '../types.js';
import type { GroupCommitter } from './group-commit.js';
import type { SqliteStore } from './index.js';
import { type Migration, runMigrations } from './migrations-runner.js';

/** Schema steps of the okerr module. Append new steps; never edit a released one. */
export const OKERR_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'okerr project settings and indicator state',
    up: (db) => db.exec(`
      CREATE TABLE okerr_settings (
        project_id INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
        secret_salt TEXT,
        secret_hash TEXT,
        autocreate INTEGER NOT NULL,
        policies TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE okerr_indicators (
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        method TEXT NOT NULL,
        policy TEXT NOT NULL,
        previous TEXT,
        tags TEXT NOT NULL,
        description TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (project_id, name)
      );
    `),
  },
];

/** The okerr repository on the store's SQLite file; migrates its tables on construction. */
export class SqliteOkerrRepo implements OkerrRepo {
  private readonly st;

  constructor(db: Database.Database, private readonly writer: GroupCommitter) {
    runMigrations(db, 'okerr', OKERR_MIGRATIONS);
    this.st = {
      settings: db.prepare('SELECT * FROM okerr_settings WHERE project_id = ?'),
      upsertSettings: db.prepare(`INSERT INTO okerr_settings (project_id, secret_salt, secret_hash, autocreate, policies, updated_at)
        VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (project_id) DO UPDATE SET secret_salt = excluded.secret_salt,
        secret_hash = excluded.secret_hash, autocreate = excluded.autocreate, policies = excluded.policies, updated_at = excluded.updated_at`),
      indicator: db.prepare('SELECT * FROM okerr_indicators WHERE project_id = ? AND name = ?'),
      upsertIndicator: db.prepare(`INSERT INTO okerr_indicators (project_id, name, method, policy, previous, tags, description, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (project_id, name) DO UPDATE SET method = excluded.method, policy = excluded.policy,
        previous = excluded.previous, tags = excluded.tags, description = excluded.description, updated_at = excluded.updated_at`),
    };
  }

  async getSettings(projectId: number): Promise<OkerrSettings> {
    const row = this.st.settings.get(projectId) as OkerrSettingsRow | undefined;
    return row ? toOkerrSettings(row) : defaultOkerrSettings(projectId);
  }

  setSettings(projectId: number, patch: OkerrSettingsPatch, now: number): Promise<OkerrSettings> {
    return this.writer.run(() => {
      const row = this.st.settings.get(projectId) as OkerrSettingsRow | undefined;
      const cur = row ? toOkerrSettings(row) : defaultOkerrSettings(projectId);
      const next: OkerrSettings = {
        projectId,
        secret: patch.secret === undefined ? cur.secret : patch.secret,
        autocreate: patch.autocreate ?? cur.autocreate,
        policies: patch.policies ?? cur.policies,
      };
      this.st.upsertSettings.run(projectId, next.secret?.salt ?? null, next.secret?.hash ?? null, next.autocreate ? 1 : 0,
        JSON.stringify(next.policies), now);
      return next;
    });
  }

  async getIndicator(projectId: number, name: string): Promise<OkerrIndicatorRecord | null> {
    const row = this.st.indicator.get(projectId, name) as OkerrIndicatorRow | undefined;
    return row ? toOkerrIndicator(row) : null;
  }

  saveIndicator(r: OkerrIndicatorRecord): Promise<void> {
    return this.writer.run(() => {
      this.st.upsertIndicator.run(r.projectId, r.name, r.method, r.policy, r.previous, JSON.stringify(r.tags), r.desc, r.updatedAt);
    });
  }
}

/** True for the embedded store (its file is shared with module tables). */
export function isSqliteStore(store: Store): store is SqliteStore {
  return store.dialect === 'sqlite' && 'db' in store && 'writer' in store;
}

/** The okerr repository for a store (SQLite or PostgreSQL tables), or null for another store. */
export function okerrRepoFor(store: Store): OkerrRepo | null {
  if (isPostgresStore(store)) return new PgOkerrRepo(store.pool);
  return isSqliteStore(store) ? new SqliteOkerrRepo(store.db, store.writer) : null;
}
