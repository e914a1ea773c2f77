// The tsdb's persistence in SQLite (better-sqlite3): series, WAL records and chunks in three tables
// of the same file as the rest of the store (module 'tsdb' in schema_migrations), or standalone.
// Durability follows the connection's `synchronous` pragma: FULL survives power loss, NORMAL (in WAL
// journal mode) survives a killed process.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ChunkRow, NewChunk, PendingQuery, PendingWindow, StoredSeries, TsdbStorage, TsdbStorageStats } from '../../tsdb/storage.js';
import type { MetricType } from '../../tsdb/types.js';
import { applyNewFileLayout, reclaimFreePages } from './file-layout.js';
import { runMigrations, type Migration } from './migrations-runner.js';

/** Schema of the tsdb tables. */
export const TSDB_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'tsdb series, WAL and chunks',
    up: (db) => {
      db.exec(`
        CREATE TABLE tsdb_series (
          id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL, name TEXT NOT NULL, tags TEXT NOT NULL,
          type TEXT NOT NULL, created_at INTEGER NOT NULL);
        CREATE UNIQUE INDEX tsdb_series_identity ON tsdb_series (project_id, name, tags);
        CREATE TABLE tsdb_wal (id INTEGER PRIMARY KEY AUTOINCREMENT, data BLOB NOT NULL);
        CREATE TABLE tsdb_chunks (
          id INTEGER PRIMARY KEY AUTOINCREMENT, series_id INTEGER NOT NULL, tier INTEGER NOT NULL,
          window_start INTEGER NOT NULL, min_ts INTEGER NOT NULL, max_ts INTEGER NOT NULL,
          count INTEGER NOT NULL, level INTEGER NOT NULL, data BLOB NOT NULL);
        CREATE INDEX tsdb_chunks_lookup ON tsdb_chunks (series_id, tier, window_start);
        CREATE INDEX tsdb_chunks_pending ON tsdb_chunks (tier, level, window_start);
        CREATE INDEX tsdb_chunks_age ON tsdb_chunks (tier, max_ts);
      `);
    },
  },
];

interface SeriesRowDb { id: number; project_id: number; name: string; tags: string; type: string; created_at: number }
interface ChunkRowDb {
  id: number; series_id: number; tier: number; window_start: number; min_ts: number; max_ts: number; count: number; level: number; data: Buffer;
}

function blob(u: Uint8Array): Buffer {
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

/**
 * Opening options: an existing connection (shared with the main store; pass the store's `durable`
 * when that connection does not fsync inside COMMIT, so WAL appends are acknowledged only once on
 * disk) or a file of its own.
 */
export type SqliteTsdbStorageOptions = { db: Database.Database; durable?: () => Promise<void> } | { path: string; synchronous?: 'FULL' | 'NORMAL' };

/** Opens the tsdb storage, creating or migrating its tables. */
export function openSqliteTsdbStorage(opts: SqliteTsdbStorageOptions): TsdbStorage {
  let db: Database.Database;
  let owns = false;
  if ('db' in opts) db = opts.db;
  else {
    if (opts.path !== ':memory:') mkdirSync(dirname(opts.path), { recursive: true });
    db = new Database(opts.path);
    owns = true;
    applyNewFileLayout(db);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${opts.synchronous ?? 'FULL'}`);
  }
  try {
    runMigrations(db, 'tsdb', TSDB_MIGRATIONS);
  } catch (err) {
    if (owns) db.close();
    throw err;
  }
  return new SqliteTsdbStorage(db, owns, 'db' in opts ? opts.durable : undefined);
}

class SqliteTsdbStorage implements TsdbStorage {
  private closed = false;
  private readonly upsertSeries: Database.Statement;
  private readonly insertWal: Database.Statement;
  private readonly insertChunk: Database.Statement;
  private readonly deleteWalUpTo: Database.Statement;
  private readonly deleteChunk: Database.Statement;
  private readonly selectChunks: Database.Statement;
  private readonly selectPending: Database.Statement;
  private readonly selectWindows: Database.Statement;
  private readonly appendTx: (series: readonly StoredSeries[], record: Uint8Array) => number;
  private readonly checkpointTx: (chunks: readonly NewChunk[], walUpTo: number) => void;
  private readonly replaceTx: (remove: readonly number[], add: readonly NewChunk[]) => void;

  constructor(private readonly db: Database.Database, private readonly owns: boolean, private readonly durable?: () => Promise<void>) {
    this.upsertSeries = db.prepare(`INSERT INTO tsdb_series (id, project_id, name, tags, type, created_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET type = excluded.type`);
    this.insertWal = db.prepare('INSERT INTO tsdb_wal (data) VALUES (?)');
    this.insertChunk = db.prepare(`INSERT INTO tsdb_chunks (series_id, tier, window_start, min_ts, max_ts, count, level, data)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    this.deleteWalUpTo = db.prepare('DELETE FROM tsdb_wal WHERE id <= ?');
    this.deleteChunk = db.prepare('DELETE FROM tsdb_chunks WHERE id = ?');
    this.selectChunks = db.prepare(`SELECT * FROM tsdb_chunks INDEXED BY tsdb_chunks_lookup WHERE series_id IN (SELECT value FROM json_each(?))
      AND tier = ? AND window_start <= ? AND max_ts >= ? AND min_ts <= ? AND level < ? ORDER BY series_id, window_start, id`);
    this.selectWindows = db.prepare(`SELECT DISTINCT series_id, window_start FROM tsdb_chunks INDEXED BY tsdb_chunks_lookup
      WHERE series_id IN (SELECT value FROM json_each(?)) AND tier = ? AND window_start <= ? AND max_ts >= ? AND min_ts <= ? AND level < ?
      ORDER BY series_id, window_start`);
    this.selectPending = db.prepare(`SELECT series_id, window_start, COUNT(*) AS chunks, MIN(level) AS min_level FROM tsdb_chunks
      WHERE tier = 0 AND level < ? AND window_start < ? GROUP BY series_id, window_start HAVING COUNT(*) >= ?
      ORDER BY window_start, series_id LIMIT ?`);
    const putChunk = (c: NewChunk): void => {
      this.insertChunk.run(c.seriesId, c.tier, c.windowStart, c.minTs, c.maxTs, c.count, c.level, blob(c.data));
    };
    this.appendTx = db.transaction((series: readonly StoredSeries[], record: Uint8Array) => {
      for (const s of series) this.upsertSeries.run(s.id, s.projectId, s.name, JSON.stringify(s.tags), s.type, s.createdAt);
      return Number(this.insertWal.run(blob(record)).lastInsertRowid);
    });
    this.checkpointTx = db.transaction((chunks: readonly NewChunk[], walUpTo: number) => {
      for (const c of chunks) putChunk(c);
      this.deleteWalUpTo.run(walUpTo);
    });
    this.replaceTx = db.transaction((remove: readonly number[], add: readonly NewChunk[]) => {
      for (const id of remove) this.deleteChunk.run(id);
      for (const c of add) putChunk(c);
    });
  }

  private check(): void {
    if (this.closed) throw new Error('tsdb storage is closed');
  }

  async loadSeries(): Promise<StoredSeries[]> {
    this.check();
    const rows = this.db.prepare('SELECT * FROM tsdb_series ORDER BY id').all() as SeriesRowDb[];
    return rows.map((r) => ({
      id: r.id, projectId: r.project_id, name: r.name, tags: JSON.parse(r.tags) as Record<string, string>,
      type: r.type as MetricType, createdAt: r.created_at,
    }));
  }

  async appendWal(series: readonly StoredSeries[], record: Uint8Array): Promise<number> {
    this.check();
    const id = this.appendTx(series, record);
    if (this.durable) await this.durable();
    return id;
  }

  async readWal(): Promise<Array<{ id: number; data: Uint8Array }>> {
    this.check();
    return (this.db.prepare('SELECT id, data FROM tsdb_wal ORDER BY id').all() as Array<{ id: number; data: Buffer }>)
      .map((r) => ({ id: r.id, data: new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength) }));
  }

  async checkpoint(chunks: readonly NewChunk[], walUpTo: number): Promise<void> {
    this.check();
    this.checkpointTx(chunks, walUpTo);
  }

  async readChunks(seriesIds: readonly number[], tier: number, from: number, to: number, maxLevel = 1e9): Promise<ChunkRow[]> {
    this.check();
    if (seriesIds.length === 0) return [];
    const rows = this.selectChunks.all(JSON.stringify(seriesIds), tier, to, from, to, maxLevel) as ChunkRowDb[];
    return rows.map((r) => ({
      id: r.id, seriesId: r.series_id, tier: r.tier, windowStart: r.window_start, minTs: r.min_ts, maxTs: r.max_ts,
      count: r.count, level: r.level, data: new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength),
    }));
  }

  async chunkWindows(seriesIds: readonly number[], tier: number, from: number, to: number, maxLevel = 1e9): Promise<Array<{ seriesId: number; windowStart: number }>> {
    this.check();
    if (seriesIds.length === 0) return [];
    return (this.selectWindows.all(JSON.stringify(seriesIds), tier, to, from, to, maxLevel) as Array<{ series_id: number; window_start: number }>)
      .map((r) => ({ seriesId: r.series_id, windowStart: r.window_start }));
  }

  async pendingWindows(q: PendingQuery): Promise<PendingWindow[]> {
    this.check();
    const before = Math.min(q.windowStartBefore, Number.MAX_SAFE_INTEGER);
    const rows = this.selectPending.all(q.maxLevel, before, q.minChunks, q.limit) as
      Array<{ series_id: number; window_start: number; chunks: number; min_level: number }>;
    return rows.map((r) => ({ seriesId: r.series_id, windowStart: r.window_start, chunks: r.chunks, minLevel: r.min_level }));
  }

  async replaceChunks(remove: readonly number[], add: readonly NewChunk[]): Promise<void> {
    this.check();
    this.replaceTx(remove, add);
  }

  async deleteChunksBefore(tier: number, before: number): Promise<number> {
    this.check();
    return this.db.prepare('DELETE FROM tsdb_chunks WHERE tier = ? AND max_ts < ?').run(tier, before).changes;
  }

  async deleteProjectSeries(projectId: number, limit: number): Promise<number> {
    this.check();
    const chunks = this.db.prepare(`DELETE FROM tsdb_chunks WHERE id IN (SELECT c.id FROM tsdb_series s
      JOIN tsdb_chunks c ON c.series_id = s.id WHERE s.project_id = ? LIMIT ?)`).run(projectId, limit).changes;
    if (chunks > 0) return chunks;
    return this.db.prepare('DELETE FROM tsdb_series WHERE project_id = ?').run(projectId).changes;
  }

  async reclaimSpace(): Promise<number> {
    this.check();
    return reclaimFreePages(this.db);
  }

  async stats(): Promise<TsdbStorageStats> {
    this.check();
    const c = this.db.prepare(`SELECT COUNT(*) AS chunks, COALESCE(SUM(LENGTH(data)), 0) AS bytes,
      COALESCE(SUM(CASE WHEN tier = 0 THEN count ELSE 0 END), 0) AS raw_samples,
      COALESCE(SUM(CASE WHEN tier = 0 THEN LENGTH(data) ELSE 0 END), 0) AS raw_bytes FROM tsdb_chunks`)
      .get() as { chunks: number; bytes: number; raw_samples: number; raw_bytes: number };
    const w = this.db.prepare('SELECT COUNT(*) AS n, COALESCE(SUM(LENGTH(data)), 0) AS bytes FROM tsdb_wal').get() as { n: number; bytes: number };
    const s = this.db.prepare('SELECT COUNT(*) AS n FROM tsdb_series').get() as { n: number };
    return {
      series: s.n, chunks: c.chunks, chunkBytes: c.bytes, rawSamples: c.raw_samples, rawBytes: c.raw_bytes, walRecords: w.n, walBytes: w.bytes,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.owns) this.db.close();
  }
}
