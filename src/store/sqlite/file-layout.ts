// On-disk layout of a SQLite file, chosen when the file is created (page size and auto_vacuum cannot
// change afterwards without a full VACUUM), and the bounded reclaiming of its free pages.
import type Database from 'better-sqlite3';

/**
 * Page size of new files: 8 KiB. tsdb chunks of a 2 h raw window are ~0.9 KB, so a 4 KiB page holds
 * four and wastes ~12 %; an 8 KiB page holds nine (~5 % waste) without making small writes of the
 * core store much dearer.
 */
export const NEW_FILE_PAGE_SIZE = 8192;

/**
 * Sets the layout of a file that has no tables yet: PAGE_SIZE and auto_vacuum=INCREMENTAL (free
 * pages can then be given back to the file system with reclaimFreePages). Must run before anything
 * else touches the file (before journal_mode=WAL). An existing file keeps its layout; returns
 * whether the layout was applied.
 */
export function applyNewFileLayout(db: Database.Database): boolean {
  const tables = db.prepare("SELECT COUNT(*) AS n FROM sqlite_schema WHERE type = 'table'").get() as { n: number };
  if (tables.n > 0) return false;
  db.pragma(`page_size = ${NEW_FILE_PAGE_SIZE}`);
  db.pragma('auto_vacuum = INCREMENTAL');
  return true;
}

/** Whether the file runs auto_vacuum=INCREMENTAL (files created before this layout do not). */
export function hasIncrementalVacuum(db: Database.Database): boolean {
  return db.pragma('auto_vacuum', { simple: true }) === 2;
}

/**
 * Gives free pages back to the file system, `stepPages` at a time (one short write transaction each,
 * yielding to the event loop between steps), at most `maxBytes` per call. 128 pages (1 MiB) take a
 * few ms, up to ~20 ms when pages must be moved; 1,024 took 80-250 ms, too long a stall for ingestion. Returns the bytes released;
 * 0 on a file without incremental auto_vacuum (see docs/metrics.md for a one-off VACUUM).
 */
export async function reclaimFreePages(db: Database.Database, maxBytes = 256 * 1024 * 1024, stepPages = 128): Promise<number> {
  if (!db.open || !hasIncrementalVacuum(db)) return 0;
  const page = db.pragma('page_size', { simple: true }) as number;
  let budget = Math.max(0, Math.floor(maxBytes / page));
  let released = 0;
  while (budget > 0 && db.open && !db.inTransaction) {
    const free = db.pragma('freelist_count', { simple: true }) as number;
    if (free === 0) break;
    const n = Math.min(free, stepPages, budget);
    db.pragma(`incremental_vacuum(${n})`);
    released += n * page;
    budget -= n;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return released;
}
