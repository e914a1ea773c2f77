// Schema migrations for SQLite, per module: each module (core, tsdb, alerting, ...) owns an ordered
// list of steps and its own version counter in `schema_migrations`, so modules evolve independently.
import type Database from 'better-sqlite3';

/** One schema step: `version` counts up from 1 within its module and never changes once released. */
export interface Migration {
  version: number;
  description: string;
  up: (db: Database.Database) => void;
}

/** Applies, in one transaction each, the steps of `module` newer than its recorded version. Returns the new version. */
export function runMigrations(db: Database.Database, module: string, steps: readonly Migration[]): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    module TEXT NOT NULL, version INTEGER NOT NULL, description TEXT NOT NULL, applied_at INTEGER NOT NULL,
    PRIMARY KEY (module, version))`);
  const current = (db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations WHERE module = ?').get(module) as { v: number }).v;
  let version = current;
  for (const step of [...steps].sort((a, b) => a.version - b.version)) {
    if (step.version <= current) continue;
    if (step.version !== version + 1) throw new Error(`migrations of ${module}: version ${step.version} follows ${version}`);
    db.transaction(() => {
      step.up(db);
      db.prepare('INSERT INTO schema_migrations (module, version, description, applied_at) VALUES (?, ?, ?, ?)')
        .run(module, step.version, step.description, Date.now());
    })();
    version = step.version;
  }
  return version;
}
