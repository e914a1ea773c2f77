// The tsdb's persistence in PostgreSQL: series, WAL records and chunks (module 'tsdb' in
// schema_migrations), on the store's pool or a pool of its own. Each WAL record carries the writing
// node's id and a node reads and truncates only its own WAL, so several nodes can each keep a head.
// Nodes sharing one schema must take new series ids from assignSeriesIds (one id per identity for
// every node), not from a counter of their own.
import type pg from 'pg';
import type { ChunkRow, NewChunk, PendingQuery, PendingWindow, StoredSeries, TsdbStorage, TsdbStorageStats } from '../../tsdb/storage.js';
import type { MetricType } from '../../tsdb/types.js';
import { runPgMigrations, type PgMigration } from './migrations-runner.js';
import { checkSchemaName, createPool, inTransaction, mapPgError, type Queryable } from './pool.js';

/** Schema of the tsdb tables. Append new steps; never edit a released one. */
export const PG_TSDB_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    description: 'tsdb series, per-node WAL and chunks',
    up: (c) => c.query(`
      CREATE TABLE tsdb_series (
        id BIGINT PRIMARY KEY, project_id BIGINT NOT NULL, name TEXT NOT NULL, tags TEXT NOT NULL,
        type TEXT NOT NULL, created_at BIGINT NOT NULL);
      CREATE UNIQUE INDEX tsdb_series_identity ON tsdb_series (project_id, name, tags);
      CREATE SEQUENCE tsdb_series_ids;
      CREATE TABLE tsdb_wal (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, node TEXT NOT NULL, data BYTEA NOT NULL);
      CREATE INDEX tsdb_wal_node ON tsdb_wal (node, id);
      CREATE TABLE tsdb_chunks (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, series_id BIGINT NOT NULL, tier INTEGER NOT NULL,
        window_start BIGINT NOT NULL, min_ts BIGINT NOT NULL, max_ts BIGINT NOT NULL,
        count INTEGER NOT NULL, level INTEGER NOT NULL, data BYTEA NOT NULL);
      CREATE INDEX tsdb_chunks_lookup ON tsdb_chunks (series_id, tier, window_start);
      CREATE INDEX tsdb_chunks_pending ON tsdb_chunks (tier, level, window_start);
      CREATE INDEX tsdb_chunks_age ON tsdb_chunks (tier, max_ts);
    `),
  },
];

/** Opening options: the store's pool (shared, left open by close) or a URL for a pool of its own. */
export type PostgresTsdbStorageOptions = ({ pool: pg.Pool } | { url: string; poolSize?: number }) & {
  /** Schema of the tables (the store's schema when sharing its pool). */
  schema: string;
  /** Owner of the WAL records this storage writes, reads and truncates; default 'default'. */
  nodeId?: string;
};

/** A series identity without its id. */
export type SeriesIdentity = Omit<StoredSeries, 'id'>;

/** TsdbStorage plus what several nodes sharing one schema need. */
export interface PostgresTsdbStorage extends TsdbStorage {
  /**
   * Stores each series unless one with the same (project, name, tags) exists, and resolves to the ids,
   * in input order: every node asking for one identity gets the same id. Tags must have sorted keys.
   */
  assignSeriesIds(series: readonly SeriesIdentity[]): Promise<number[]>;
  /** As TsdbStorage.deleteProjectSeries (always present here). */
  deleteProjectSeries(projectId: number, limit: number): Promise<number>;
}

interface ChunkRowDb {
  id: number; series_id: number; tier: number; window_start: number; min_ts: number; max_ts: number; count: number; level: number; data: Buffer;
}

const RETENTION_BATCH = 5000;

/** Rolls back a replaceChunks whose chunks another node replaced first. */
class ChunksTaken extends Error {}

/** Opens the tsdb storage, creating or migrating its tables under the schema's migration lock. */
export async function openPostgresTsdbStorage(opts: PostgresTsdbStorageOptions): Promise<PostgresTsdbStorage> {
  const schema = checkSchemaName(opts.schema);
  const owns = !('pool' in opts);
  const pool = 'pool' in opts ? opts.pool : createPool({ url: opts.url, schema, size: opts.poolSize ?? 4 });
  try {
    await runPgMigrations(pool, schema, 'tsdb', PG_TSDB_MIGRATIONS);
  } catch (err) {
    if (owns) await pool.end().catch(() => {});
    throw err;
  }
  return new PgTsdbStorage(pool, owns, opts.nodeId ?? 'default');
}

const view = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
const bytes = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

/** The chunks readChunks returns (see TsdbStorage), on any connection (a snapshot transaction's too). */
export async function selectChunks(q: Queryable, seriesIds: readonly number[], tier: number, from: number, to: number, maxLevel: number): Promise<ChunkRow[]> {
  if (seriesIds.length === 0) return [];
  const res = await q.query<ChunkRowDb>(`SELECT * FROM tsdb_chunks WHERE series_id = ANY($1::bigint[]) AND tier = $2
    AND window_start <= $3 AND max_ts >= $4 AND min_ts <= $3 AND level < $5 ORDER BY series_id, window_start, id`,
  [seriesIds, tier, to, from, Math.min(maxLevel, 2 ** 31 - 1)]);
  return res.rows.map((r) => ({
    id: r.id, seriesId: r.series_id, tier: r.tier, windowStart: r.window_start, minTs: r.min_ts, maxTs: r.max_ts,
    count: r.count, level: r.level, data: view(r.data),
  }));
}

/** Inserts chunks in one statement (arrays through unnest). */
async function putChunks(c: pg.PoolClient, chunks: readonly NewChunk[]): Promise<void> {
  if (chunks.length === 0) return;
  await c.query(`INSERT INTO tsdb_chunks (series_id, tier, window_start, min_ts, max_ts, count, level, data)
    SELECT * FROM unnest($1::bigint[], $2::int[], $3::bigint[], $4::bigint[], $5::bigint[], $6::int[], $7::int[], $8::bytea[])`, [
    chunks.map((x) => x.seriesId), chunks.map((x) => x.tier), chunks.map((x) => x.windowStart), chunks.map((x) => x.minTs),
    chunks.map((x) => x.maxTs), chunks.map((x) => x.count), chunks.map((x) => x.level), chunks.map((x) => bytes(x.data)),
  ]);
}

class PgTsdbStorage implements PostgresTsdbStorage {
  private closed = false;

  constructor(private readonly pool: pg.Pool, private readonly owns: boolean, private readonly nodeId: string) {}

  private async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('tsdb storage is closed');
    try {
      return await fn();
    } catch (err) {
      throw mapPgError(err);
    }
  }

  loadSeries(): Promise<StoredSeries[]> {
    return this.run(async () => {
      const res = await this.pool.query<{ id: number; project_id: number; name: string; tags: string; type: string; created_at: number }>(
        'SELECT * FROM tsdb_series ORDER BY id');
      return res.rows.map((r) => ({
        id: r.id, projectId: r.project_id, name: r.name, tags: JSON.parse(r.tags) as Record<string, string>, type: r.type as MetricType, createdAt: r.created_at,
      }));
    });
  }

  appendWal(series: readonly StoredSeries[], record: Uint8Array): Promise<number> {
    return this.run(() => inTransaction(this.pool, async (c) => {
      if (series.length > 0) {
        await c.query(`INSERT INTO tsdb_series (id, project_id, name, tags, type, created_at)
          SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::bigint[])
          ON CONFLICT (id) DO UPDATE SET type = excluded.type`, [
          series.map((s) => s.id), series.map((s) => s.projectId), series.map((s) => s.name), series.map((s) => JSON.stringify(s.tags)),
          series.map((s) => s.type), series.map((s) => s.createdAt),
        ]);
      }
      const res = await c.query<{ id: number }>('INSERT INTO tsdb_wal (node, data) VALUES ($1, $2) RETURNING id', [this.nodeId, bytes(record)]);
      return (res.rows[0] as { id: number }).id;
    }));
  }

  assignSeriesIds(series: readonly SeriesIdentity[]): Promise<number[]> {
    return this.run(async () => {
      if (series.length === 0) return [];
      const tags = series.map((s) => JSON.stringify(s.tags));
      // 1. Insert the identities not stored yet (a racing node's insert makes ours yield, then is read back).
      //    In one canonical order on every node: two nodes inserting the same new series in different
      //    orders would take the unique-index locks in opposite orders and deadlock.
      await this.pool.query(`INSERT INTO tsdb_series (id, project_id, name, tags, type, created_at)
        SELECT nextval('tsdb_series_ids'), o.p, o.n, o.t, o.ty, o.c FROM (
          SELECT u.p, u.n, u.t, u.ty, u.c
          FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[]) AS u(p, n, t, ty, c)
          WHERE NOT EXISTS (SELECT 1 FROM tsdb_series s WHERE s.project_id = u.p AND s.name = u.n AND s.tags = u.t)
          ORDER BY u.p, u.n COLLATE "C", u.t COLLATE "C") AS o
        ON CONFLICT (project_id, name, tags) DO NOTHING`,
      [series.map((s) => s.projectId), series.map((s) => s.name), tags, series.map((s) => s.type), series.map((s) => s.createdAt)]);
      // 2. Read every id back (a new statement sees what racing nodes committed).
      const res = await this.pool.query<{ id: number; project_id: number; name: string; tags: string }>(
        `SELECT s.id, s.project_id, s.name, s.tags FROM tsdb_series s
         JOIN unnest($1::bigint[], $2::text[], $3::text[]) AS u(p, n, t) ON s.project_id = u.p AND s.name = u.n AND s.tags = u.t`,
        [series.map((s) => s.projectId), series.map((s) => s.name), tags]);
      const byKey = new Map(res.rows.map((r) => [`${r.project_id}\u0000${r.name}\u0000${r.tags}`, r.id]));
      return series.map((s, i) => {
        const id = byKey.get(`${s.projectId}\u0000${s.name}\u0000${tags[i] as string}`);
        if (id === undefined) throw new Error(`series ${s.name} was not stored`);
        return id;
      });
    });
  }

  readWal(): Promise<Array<{ id: number; data: Uint8Array }>> {
    return this.run(async () => (await this.pool.query<{ id: number; data: Buffer }>('SELECT id, data FROM tsdb_wal WHERE node = $1 ORDER BY id', [this.nodeId]))
      .rows.map((r) => ({ id: r.id, data: view(r.data) })));
  }

  checkpoint(chunks: readonly NewChunk[], walUpTo: number): Promise<void> {
    return this.run(() => inTransaction(this.pool, async (c) => {
      await putChunks(c, chunks);
      await c.query('DELETE FROM tsdb_wal WHERE node = $1 AND id <= $2', [this.nodeId, walUpTo]);
    }));
  }

  readChunks(seriesIds: readonly number[], tier: number, from: number, to: number, maxLevel = 1e9): Promise<ChunkRow[]> {
    return this.run(() => selectChunks(this.pool, seriesIds, tier, from, to, maxLevel));
  }

  chunkWindows(seriesIds: readonly number[], tier: number, from: number, to: number, maxLevel = 1e9): Promise<Array<{ seriesId: number; windowStart: number }>> {
    return this.run(async () => {
      if (seriesIds.length === 0) return [];
      const res = await this.pool.query<{ series_id: number; window_start: number }>(`SELECT DISTINCT series_id, window_start FROM tsdb_chunks
        WHERE series_id = ANY($1::bigint[]) AND tier = $2 AND window_start <= $3 AND max_ts >= $4 AND min_ts <= $3 AND level < $5
        ORDER BY series_id, window_start`, [seriesIds, tier, to, from, Math.min(maxLevel, 2 ** 31 - 1)]);
      return res.rows.map((r) => ({ seriesId: r.series_id, windowStart: r.window_start }));
    });
  }

  pendingWindows(q: PendingQuery): Promise<PendingWindow[]> {
    return this.run(async () => {
      const res = await this.pool.query<{ series_id: number; window_start: number; chunks: number; min_level: number }>(
        `SELECT series_id, window_start, COUNT(*)::int AS chunks, MIN(level) AS min_level FROM tsdb_chunks
         WHERE tier = 0 AND level < $1 AND window_start < $2 GROUP BY series_id, window_start HAVING COUNT(*) >= $3
         ORDER BY window_start, series_id LIMIT $4`,
        [Math.min(q.maxLevel, 2 ** 31 - 1), Math.min(q.windowStartBefore, Number.MAX_SAFE_INTEGER), q.minChunks, q.limit]);
      return res.rows.map((r) => ({ seriesId: r.series_id, windowStart: r.window_start, chunks: r.chunks, minLevel: r.min_level }));
    });
  }

  /**
   * All or nothing: when another node already replaced some of `remove` (two nodes compacting the same
   * window), nothing is written, so the same samples never end up in two merged chunks.
   */
  replaceChunks(remove: readonly number[], add: readonly NewChunk[]): Promise<void> {
    return this.run(async () => {
      try {
        await inTransaction(this.pool, async (c) => {
          if (remove.length > 0) {
            const gone = (await c.query('DELETE FROM tsdb_chunks WHERE id = ANY($1::bigint[])', [[...new Set(remove)]])).rowCount ?? 0;
            if (gone !== new Set(remove).size) throw new ChunksTaken();
          }
          await putChunks(c, add);
        });
      } catch (err) {
        if (!(err instanceof ChunksTaken)) throw err;
      }
    });
  }

  deleteProjectSeries(projectId: number, limit: number): Promise<number> {
    return this.run(async () => {
      const chunks = (await this.pool.query(`DELETE FROM tsdb_chunks WHERE id IN (SELECT c.id FROM tsdb_series s
        JOIN tsdb_chunks c ON c.series_id = s.id WHERE s.project_id = $1 LIMIT $2)`, [projectId, limit])).rowCount ?? 0;
      if (chunks > 0) return chunks;
      return (await this.pool.query('DELETE FROM tsdb_series WHERE project_id = $1', [projectId])).rowCount ?? 0;
    });
  }

  /** Deletes in batches (by the (tier, max_ts) index) so that retention never holds a long transaction. */
  deleteChunksBefore(tier: number, before: number): Promise<number> {
    return this.run(async () => {
      let total = 0;
      for (;;) {
        const n = (await this.pool.query(`DELETE FROM tsdb_chunks WHERE id IN
          (SELECT id FROM tsdb_chunks WHERE tier = $1 AND max_ts < $2 LIMIT ${RETENTION_BATCH})`, [tier, before])).rowCount ?? 0;
        total += n;
        if (n < RETENTION_BATCH) return total;
      }
    });
  }

  /**
   * Plain VACUUM of the WAL table (SKIP_LOCKED; never blocks writers): every checkpoint deletes its
   * records, and their TOASTed blobs would otherwise stay until autovacuum comes by. VACUUM truncates
   * the emptied tail, so the bytes go back to the file system. Chunks are left to autovacuum.
   */
  reclaimSpace(): Promise<number> {
    return this.run(async () => {
      const size = async (): Promise<number> =>
        Number((await this.pool.query<{ n: string }>("SELECT pg_total_relation_size('tsdb_wal')::text AS n")).rows[0]?.n ?? 0);
      const before = await size();
      await this.pool.query('VACUUM (SKIP_LOCKED) tsdb_wal');
      return Math.max(0, before - (await size()));
    });
  }

  stats(): Promise<TsdbStorageStats> {
    return this.run(async () => {
      const res = await this.pool.query<{ chunks: number; bytes: number; raw_samples: number; raw_bytes: number; wal_n: number; wal_bytes: number; series: number }>(`
        SELECT (SELECT COUNT(*) FROM tsdb_series) AS series, c.*, w.* FROM
          (SELECT COUNT(*) AS chunks, COALESCE(SUM(octet_length(data)), 0)::bigint AS bytes,
                  COALESCE(SUM(count) FILTER (WHERE tier = 0), 0)::bigint AS raw_samples,
                  COALESCE(SUM(octet_length(data)) FILTER (WHERE tier = 0), 0)::bigint AS raw_bytes FROM tsdb_chunks) c,
          (SELECT COUNT(*) AS wal_n, COALESCE(SUM(octet_length(data)), 0)::bigint AS wal_bytes FROM tsdb_wal WHERE node = $1) w`, [this.nodeId]);
      const r = res.rows[0] as { chunks: number; bytes: number; raw_samples: number; raw_bytes: number; wal_n: number; wal_bytes: number; series: number };
      return {
        series: r.series, chunks: r.chunks, chunkBytes: r.bytes, rawSamples: r.raw_samples, rawBytes: r.raw_bytes, walRecords: r.wal_n, walBytes: r.wal_bytes,
      };
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.owns) await this.pool.end();
  }
}
