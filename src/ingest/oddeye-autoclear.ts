// OddEye Specials with `reaction < 0` clear themselves: a non-OK Special goes back to OK after
// |reaction| minutes without a newer Special (PROTOCOLS.md §2). The due times are kept in a table
// (module 'oddeye') so that a restart does not forget them; a sweeper reports the due checks as OK.
import type Database from 'better-sqlite3';
import type { GroupCommitter } from '../store/sqlite/group-commit.js';
import { type Migration, runMigrations } from '../store/sqlite/migrations-runner.js';
import { isSqliteStore } from '../store/sqlite/okerr.js';
import { isPostgresStore } from '../store/postgres/index.js';
import { PgAutoClearRepo } from '../store/postgres/oddeye.js';
import type { Store } from '../store/types.js';
import type { Clock } from '../util/clock.js';

/** Schema steps of the oddeye module. Append new steps; never edit a released one. */
export const ODDEYE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'auto-clear times of OddEye Specials',
    up: (db) => db.exec(`
      CREATE TABLE oddeye_autoclear (
        check_id INTEGER PRIMARY KEY REFERENCES checks(id) ON DELETE CASCADE,
        clear_at INTEGER NOT NULL,
        minutes REAL NOT NULL
      );
      CREATE INDEX oddeye_autoclear_due ON oddeye_autoclear (clear_at);
    `),
  },
  {
    version: 2,
    description: 'last-seen times of ordinary OddEye series and the hosts flagged silent (oddeye-silence.ts)',
    up: (db) => db.exec(`
      CREATE TABLE oddeye_seen (
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        host TEXT NOT NULL,
        series TEXT NOT NULL,
        metric TEXT NOT NULL,
        seen_at INTEGER NOT NULL,
        PRIMARY KEY (project_id, host, series)
      );
      CREATE INDEX oddeye_seen_at ON oddeye_seen (seen_at);
      CREATE TABLE oddeye_silent (
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        host TEXT NOT NULL,
        check_id INTEGER NOT NULL,
        info TEXT NOT NULL,
        PRIMARY KEY (project_id, host)
      );
    `),
  },
];

/** Where auto-clear times are kept. Writes resolve once durable. */
export interface AutoClearRepo {
  /** Sets (or replaces) the time `checkId` clears at; null removes it. */
  set(checkId: number, clearAt: number | null, minutes: number): Promise<void>;
  /** Entries due at `now`, oldest first. */
  due(now: number, limit: number): Promise<{ checkId: number; minutes: number }[]>;
}

/** The auto-clear table in the store's SQLite file. */
export class SqliteAutoClearRepo implements AutoClearRepo {
  private readonly st;

  constructor(db: Database.Database, private readonly writer: GroupCommitter) {
    runMigrations(db, 'oddeye', ODDEYE_MIGRATIONS);
    this.st = {
      upsert: db.prepare(`INSERT INTO oddeye_autoclear (check_id, clear_at, minutes) VALUES (?, ?, ?)
        ON CONFLICT (check_id) DO UPDATE SET clear_at = excluded.clear_at, minutes = excluded.minutes`),
      remove: db.prepare('DELETE FROM oddeye_autoclear WHERE check_id = ?'),
      due: db.prepare('SELECT check_id, minutes FROM oddeye_autoclear WHERE clear_at <= ? ORDER BY clear_at LIMIT ?'),
    };
  }

  set(checkId: number, clearAt: number | null, minutes: number): Promise<void> {
    return this.writer.run(() => {
      if (clearAt === null) this.st.remove.run(checkId);
      else this.st.upsert.run(checkId, clearAt, minutes);
    });
  }

  async due(now: number, limit: number): Promise<{ checkId: number; minutes: number }[]> {
    return (this.st.due.all(now, limit) as { check_id: number; minutes: number }[]).map((r) => ({ checkId: r.check_id, minutes: r.minutes }));
  }
}

/** The auto-clear repository for a store (SQLite or PostgreSQL table), or null for another store. */
export function autoClearRepoFor(store: Store): AutoClearRepo | null {
  if (isPostgresStore(store)) return new PgAutoClearRepo(store.pool);
  return isSqliteStore(store) ? new SqliteAutoClearRepo(store.db, store.writer) : null;
}

/**
 * Reports every due check as OK ("auto-cleared") and removes its entry. A check that got a newer
 * Special meanwhile had its entry replaced or removed at that time, so a due entry is always current.
 */
export async function sweepAutoClear(store: Store, repo: AutoClearRepo, clock: Clock): Promise<number> {
  const now = clock.now();
  let cleared = 0;
  for (const { checkId, minutes } of await repo.due(now, 1000)) {
    const check = await store.checks.get(checkId);
    if (check !== null && check.state !== 'OK') {
      await store.ingest.reportStates({
        hostId: check.hostId, at: now, address: null, source: 'oddeye',
        services: [{ name: check.name, state: 'OK', info: `auto-cleared: no update for ${minutes} min`, periodS: check.periodS }],
      });
      cleared++;
    }
    await repo.set(checkId, null, 0);
  }
  return cleared;
}
