// The core schema (projects, tokens, hosts, checks, history, flips, alerts) as ordered migrations.
import type { Migration } from './migrations-runner.js';

/** Core schema steps. Append new steps; never edit a released one. */
export const CORE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'projects, api tokens, hosts, checks, state reports, flips, alerts',
    up: (db) => db.exec(`
      CREATE TABLE projects (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        ingest_token TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE api_tokens (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('viewer','editor','admin')),
        project_id INTEGER REFERENCES projects(id) ON DELETE CASCADE,
        token_hash TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL,
        last_used_at INTEGER
      );
      CREATE TABLE hosts (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        key_salt TEXT,
        key_hash TEXT,
        created_at INTEGER NOT NULL,
        last_seen_at INTEGER,
        last_address TEXT,
        UNIQUE (project_id, name)
      );
      CREATE TABLE checks (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        host_id INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        source TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('OK','WARN','ERR','UNK')),
        info TEXT NOT NULL DEFAULT '',
        period_s INTEGER,
        patience_s INTEGER,
        last_report_at INTEGER,
        last_change_at INTEGER,
        deadline_at INTEGER,
        expired INTEGER NOT NULL DEFAULT 0,
        source_address TEXT,
        tags TEXT NOT NULL DEFAULT '[]',
        created_at INTEGER NOT NULL,
        UNIQUE (host_id, name)
      );
      CREATE INDEX checks_project_state ON checks (project_id, state);
      CREATE INDEX checks_deadline ON checks (deadline_at) WHERE deadline_at IS NOT NULL AND expired = 0;
      CREATE TABLE state_reports (
        id INTEGER PRIMARY KEY,
        check_id INTEGER NOT NULL REFERENCES checks(id) ON DELETE CASCADE,
        at INTEGER NOT NULL,
        state TEXT NOT NULL,
        info TEXT NOT NULL
      );
      CREATE INDEX state_reports_check_at ON state_reports (check_id, at);
      CREATE INDEX state_reports_at ON state_reports (at);
      CREATE TABLE flips (
        id INTEGER PRIMARY KEY,
        check_id INTEGER NOT NULL REFERENCES checks(id) ON DELETE CASCADE,
        project_id INTEGER NOT NULL,
        host_id INTEGER NOT NULL,
        at INTEGER NOT NULL,
        old_state TEXT NOT NULL,
        new_state TEXT NOT NULL,
        reason TEXT NOT NULL,
        info TEXT NOT NULL,
        claimed_by TEXT,
        notified_at INTEGER
      );
      CREATE INDEX flips_check_at ON flips (check_id, at);
      CREATE INDEX flips_project_at ON flips (project_id, at);
      CREATE INDEX flips_unnotified ON flips (id) WHERE notified_at IS NULL;
      CREATE TABLE alerts (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        host_id INTEGER REFERENCES hosts(id) ON DELETE CASCADE,
        check_id INTEGER REFERENCES checks(id) ON DELETE CASCADE,
        at INTEGER NOT NULL,
        title TEXT NOT NULL,
        message TEXT NOT NULL,
        source TEXT NOT NULL,
        claimed_by TEXT,
        notified_at INTEGER
      );
      CREATE INDEX alerts_project_at ON alerts (project_id, at);
      CREATE INDEX alerts_unnotified ON alerts (id) WHERE notified_at IS NULL;
    `),
  },
  {
    version: 2,
    description: 'project description (projects API)',
    up: (db) => db.exec("ALTER TABLE projects ADD COLUMN description TEXT NOT NULL DEFAULT ''"),
  },
  {
    version: 3,
    description: 'deleted project ids (a new project never takes the id of a deleted one: SQLite reuses the highest rowid)',
    up: (db) => db.exec('CREATE TABLE deleted_projects (id INTEGER PRIMARY KEY, deleted_at INTEGER NOT NULL)'),
  },
  {
    version: 4,
    description: 'retired host and check ids (a new host or check never takes the id of a deleted one, whose alert events keep that id)',
    // Triggers also fire for rows removed by ON DELETE CASCADE (a host's checks, a project's hosts).
    // Ids deleted before this step are unknown: the floor starts at the highest id present.
    up: (db) => db.exec(`
      CREATE TABLE retired_ids (tbl TEXT PRIMARY KEY, max_id INTEGER NOT NULL) WITHOUT ROWID;
      INSERT INTO retired_ids VALUES ('hosts', COALESCE((SELECT MAX(id) FROM hosts), 0)), ('checks', COALESCE((SELECT MAX(id) FROM checks), 0));
      CREATE TRIGGER hosts_retire_id AFTER DELETE ON hosts BEGIN
        UPDATE retired_ids SET max_id = MAX(max_id, OLD.id) WHERE tbl = 'hosts';
      END;
      CREATE TRIGGER checks_retire_id AFTER DELETE ON checks BEGIN
        UPDATE retired_ids SET max_id = MAX(max_id, OLD.id) WHERE tbl = 'checks';
      END;
    `),
  },
];
