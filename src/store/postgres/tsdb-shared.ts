// The tsdb storage of one node among several on one PostgreSQL schema. Two rules make nodes share
// series without losing or doubling samples:
// 1. Series ids are global: the Tsdb numbers new series itself (local ids), and this layer maps each
//    local id to the id assignSeriesIds gives the series' identity (the same on every node), in WAL
//    records, chunks and queries. Series loaded at start keep their global id as local id.
// 2. Queries see every node's samples: a node's own samples are in its head; chunks are shared; the
//    samples other nodes hold in memory are in their WAL records, which raw reads add as fresh
//    (level 0) chunks, read in the same snapshot as the chunks (so a checkpoint of another node that
//    moves samples from WAL to chunks is seen either before or after, never half). Samples at the
//    same timestamp count once (the tsdb merges them, last write wins). Nodes checkpoint often
//    (runtime.ts), which keeps the foreign WAL read by each query short.
// 3. Series other nodes create are indexed here before each query/listing (syncSeries): every
//    series row records the transaction that inserted it (created_xid); a sync reads the rows whose
//    transaction is not below the high-water mark, then moves the mark to the xmin of the same
//    statement's snapshot (every older transaction has ended, so its series were read by now).
// 4. statsd flushes of this node go to timestamps ≡ its sample slot (mod SAMPLE_SLOT_MODULUS_MS),
//    a slot no other live node holds, so two nodes' flushes of one series never share a timestamp.
import type pg from 'pg';
import type { MetricType, Tsdb } from '../../tsdb/index.js';
import { mergeSamples, type SampleArrays } from '../../tsdb/samples.js';
import { encodeChunk } from '../../tsdb/codec.js';
import type { ChunkRow, NewChunk, PendingQuery, PendingWindow, StoredSeries, TsdbStorage, TsdbStorageStats } from '../../tsdb/storage.js';
import { alignDown, DEFAULT_TIERS } from '../../tsdb/tiers.js';
import { decodeWalRecord, encodeWalRecord, type WalSamples } from '../../tsdb/wal-record.js';
import { runPgMigrations, type PgMigration } from './migrations-runner.js';
import { mapPgError } from './pool.js';
import { selectChunks, type PostgresTsdbStorage } from './tsdb-storage.js';

/** Schema of the node heartbeats (module 'nodes'): which WAL owners are alive. */
export const PG_NODES_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    description: 'tsdb node heartbeats',
    up: (c) => c.query('CREATE TABLE tsdb_nodes (node TEXT PRIMARY KEY, seen_at BIGINT NOT NULL)'),
  },
  {
    version: 2,
    description: 'series creation transaction (index refresh on other nodes) and per-node sample slots',
    up: (c) => c.query(`
      ALTER TABLE tsdb_series ADD COLUMN created_xid xid8 NOT NULL DEFAULT pg_current_xact_id();
      CREATE INDEX tsdb_series_created_xid ON tsdb_series (created_xid);
      ALTER TABLE tsdb_nodes ADD COLUMN slot INTEGER;
      CREATE UNIQUE INDEX tsdb_nodes_slot ON tsdb_nodes (slot);
    `),
  },
];

/** Sample slots repeat with this period (ms): at most this many nodes hold a slot at once. */
export const SAMPLE_SLOT_MODULUS_MS = 1000;

/** A slot whose node was silent this long may be given to a new node (its flushes are long written). */
export const SLOT_RELEASE_MS = 3_600_000;

/** Prefix of the owner of WAL records a node is adopting from a dead node. */
const ADOPTING = 'adopting:';

/** Local ids at or above this stand for series this node has not indexed (seen only by maintenance). */
const PHANTOM_BASE = 2 ** 40;

/** Options of the shared layer. */
export interface SharedTsdbOptions {
  /** This node's WAL owner id (the base storage's nodeId). */
  nodeId: string;
  /** Span of a raw chunk window; default the default tiers' (must equal the Tsdb's). */
  rawSpanMs?: number;
}

/** Wraps a PostgreSQL tsdb storage for one node of several (see the file comment); migrates the heartbeat table. */
export async function openSharedTsdbStorage(base: PostgresTsdbStorage, pool: pg.Pool, opts: SharedTsdbOptions & { schema: string }): Promise<SharedTsdbStorage> {
  await runPgMigrations(pool, opts.schema, 'nodes', PG_NODES_MIGRATIONS);
  return new SharedTsdbStorage(base, pool, opts.nodeId, opts.rawSpanMs ?? (DEFAULT_TIERS[0] as { chunkSpanMs: number }).chunkSpanMs);
}

/** The shared layer; beside TsdbStorage it keeps this node's heartbeat and adopts dead nodes' WAL. */
export class SharedTsdbStorage implements TsdbStorage {
  private readonly toGlobal = new Map<number, number>();
  private readonly toLocal = new Map<number, number>();
  /** Decoded WAL records of other nodes by record id (records never change; dropped when gone). */
  private readonly foreign = new Map<number, WalSamples>();
  /** Series rows inserted by transactions below this xid8 (text) are all indexed. */
  private seriesMark = '0';
  private slot: number | null = null;

  constructor(private readonly base: PostgresTsdbStorage, private readonly pool: pg.Pool, private readonly nodeId: string, private readonly rawSpan: number) {}

  private map(local: number, global: number): void {
    this.toGlobal.set(local, global);
    this.toLocal.set(global, local);
  }

  private global(local: number): number {
    if (local >= PHANTOM_BASE) return local - PHANTOM_BASE;
    const g = this.toGlobal.get(local);
    if (g === undefined) throw new Error(`tsdb: series ${local} has no global id`);
    return g;
  }

  private local(global: number): number {
    return this.toLocal.get(global) ?? PHANTOM_BASE + global;
  }

  async loadSeries(): Promise<StoredSeries[]> {
    // The mark first: a series committed between it and the load is read again by the next sync (and skipped).
    this.seriesMark = await this.snapshotXmin();
    const all = await this.base.loadSeries();
    for (const s of all) this.map(s.id, s.id);
    return all;
  }

  private async snapshotXmin(): Promise<string> {
    const res = await this.pool.query<{ xmin: string }>('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin')
      .catch((err: unknown) => { throw mapPgError(err); });
    return (res.rows[0] as { xmin: string }).xmin;
  }

  /**
   * Calls `learn` for the series stored since the mark that this node has no id for, maps each to the
   * id `learn` gives, and moves the mark to the snapshot's xmin. One statement (one snapshot), so a
   * series is either read now or inserted by a transaction not below the new mark (read next time).
   */
  async syncSeries(learn: (s: StoredSeries) => number): Promise<void> {
    // A named statement: parsed once per connection (this runs before every query).
    const res = await this.pool.query<{ xmin: string; id: number | null; project_id: number; name: string; tags: string; type: string; created_at: number }>({
      name: 'oversee_tsdb_sync_series',
      text: `SELECT x.xmin, s.id, s.project_id, s.name, s.tags, s.type, s.created_at
       FROM (SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin) x
       LEFT JOIN tsdb_series s ON s.created_xid >= $1::xid8 ORDER BY s.id`,
      values: [this.seriesMark],
    }).catch((err: unknown) => { throw mapPgError(err); });
    for (const r of res.rows) {
      if (r.id === null || this.toLocal.has(r.id)) continue;
      const local = learn({
        id: r.id, projectId: r.project_id, name: r.name, tags: JSON.parse(r.tags) as Record<string, string>, type: r.type as MetricType, createdAt: r.created_at,
      });
      this.map(local, r.id);
    }
    const first = res.rows[0];
    if (first !== undefined && BigInt(first.xmin) > BigInt(this.seriesMark)) this.seriesMark = first.xmin; // only ever forward
  }

  /**
   * Claims this node's sample slot: the lowest in [0, SAMPLE_SLOT_MODULUS_MS) that no node seen in the
   * last SLOT_RELEASE_MS holds (under a transaction advisory lock, so two starting nodes never share
   * one); also records the first heartbeat. Returns the slot (the same on later calls).
   */
  async claimSampleSlot(now: number): Promise<number> {
    if (this.slot !== null) return this.slot;
    const client = await this.pool.connect().catch((err: unknown) => { throw mapPgError(err); });
    let broken = false;
    try {
      await client.query('BEGIN');
      await client.query("SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.tsdb_nodes.slot'))");
      await client.query('UPDATE tsdb_nodes SET slot = NULL WHERE slot IS NOT NULL AND seen_at < $1 AND node <> $2', [now - SLOT_RELEASE_MS, this.nodeId]);
      const free = await client.query<{ s: number }>(`SELECT s FROM generate_series(0, ${SAMPLE_SLOT_MODULUS_MS - 1}) s
        WHERE NOT EXISTS (SELECT 1 FROM tsdb_nodes n WHERE n.slot = s AND n.node <> $1) ORDER BY s LIMIT 1`, [this.nodeId]);
      const slot = free.rows[0]?.s;
      if (slot === undefined) throw new Error(`tsdb: all ${SAMPLE_SLOT_MODULUS_MS} sample slots are held by nodes seen within the last hour`);
      await client.query(`INSERT INTO tsdb_nodes (node, seen_at, slot) VALUES ($1, $2, $3)
        ON CONFLICT (node) DO UPDATE SET slot = excluded.slot, seen_at = GREATEST(tsdb_nodes.seen_at, excluded.seen_at)`, [this.nodeId, now, slot]);
      await client.query('COMMIT');
      this.slot = slot;
      return slot;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => { broken = true; });
      throw mapPgError(err);
    } finally {
      client.release(broken);
    }
  }

  /** New series get their global ids first (one round trip per commit that has any), then the record is rewritten with them. */
  async appendWal(series: readonly StoredSeries[], record: Uint8Array): Promise<number> {
    const fresh = series.filter((s) => !this.toGlobal.has(s.id));
    if (fresh.length > 0) {
      const ids = await this.base.assignSeriesIds(fresh.map(({ id: _id, ...identity }) => identity));
      fresh.forEach((s, i) => this.map(s.id, ids[i] as number));
    }
    const w = decodeWalRecord(record);
    let same = true;
    for (let i = 0; i < w.count && same; i++) same = this.toGlobal.get(w.seriesIds[i]!) === w.seriesIds[i];
    if (!same) {
      const ids = new Uint32Array(w.count);
      for (let i = 0; i < w.count; i++) ids[i] = this.global(w.seriesIds[i]!);
      record = encodeWalRecord(ids, w.ts, w.vals, w.count);
    }
    return this.base.appendWal(series.map((s) => ({ ...s, id: this.global(s.id) })), record);
  }

  async readWal(): Promise<Array<{ id: number; data: Uint8Array }>> {
    // Records of this node carry global ids, which loadSeries mapped to themselves.
    return this.base.readWal();
  }

  checkpoint(chunks: readonly NewChunk[], walUpTo: number): Promise<void> {
    return this.base.checkpoint(chunks.map((c) => ({ ...c, seriesId: this.global(c.seriesId) })), walUpTo);
  }

  /** Chunks and (tier 0) other nodes' WAL samples in one snapshot. */
  async readChunks(seriesIds: readonly number[], tier: number, from: number, to: number, maxLevel = 1e9): Promise<ChunkRow[]> {
    if (seriesIds.length === 0) return [];
    const globals = seriesIds.map((id) => this.global(id));
    if (tier !== 0) return (await this.base.readChunks(globals, tier, from, to, maxLevel)).map((r) => ({ ...r, seriesId: this.local(r.seriesId) }));
    const { rows, wal } = await this.snapshot(globals, from, to, maxLevel);
    const out = rows.map((r) => ({ ...r, seriesId: this.local(r.seriesId) }));
    if (maxLevel > 0) out.push(...this.walChunks(new Set(globals), wal, from, to));
    return out.sort((a, b) => a.seriesId - b.seriesId || a.windowStart - b.windowStart);
  }

  async chunkWindows(seriesIds: readonly number[], tier: number, from: number, to: number, maxLevel = 1e9): Promise<Array<{ seriesId: number; windowStart: number }>> {
    const rows = await this.readChunks(seriesIds, tier, from, to, maxLevel);
    const seen = new Set<string>();
    const out: Array<{ seriesId: number; windowStart: number }> = [];
    for (const r of rows) {
      const key = `${r.seriesId}:${r.windowStart}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ seriesId: r.seriesId, windowStart: r.windowStart });
    }
    return out;
  }

  /** Reads the chunks and lists other nodes' WAL records in one REPEATABLE READ snapshot (one connection). */
  private async snapshot(globals: readonly number[], from: number, to: number, maxLevel: number): Promise<{ rows: ChunkRow[]; wal: WalSamples[] }> {
    const client = await this.pool.connect().catch((err: unknown) => { throw mapPgError(err); });
    let broken = false;
    const onError = (): void => { broken = true; };
    client.on('error', onError);
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const rows = await selectChunks(client, globals, 0, from, to, maxLevel);
      // Which foreign records exist in this snapshot, and the data of those not cached yet.
      const ids = (await client.query<{ id: number }>('SELECT id FROM tsdb_wal WHERE node <> $1 ORDER BY id', [this.nodeId])).rows.map((r) => r.id);
      const missing = ids.filter((id) => !this.foreign.has(id));
      if (missing.length > 0) {
        const res = await client.query<{ id: number; data: Buffer }>('SELECT id, data FROM tsdb_wal WHERE id = ANY($1::bigint[])', [missing]);
        for (const r of res.rows) this.foreign.set(r.id, decodeWalRecord(new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength)));
      }
      await client.query('COMMIT');
      const present = new Set(ids);
      for (const id of this.foreign.keys()) if (!present.has(id)) this.foreign.delete(id);
      return { rows, wal: ids.map((id) => this.foreign.get(id)).filter((w): w is WalSamples => w !== undefined) };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => { broken = true; });
      throw mapPgError(err);
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  /** Other nodes' WAL samples of `wanted` series in [from, to], as one fresh chunk per series and raw window. */
  private walChunks(wanted: ReadonlySet<number>, wal: readonly WalSamples[], from: number, to: number): ChunkRow[] {
    const bySeries = new Map<number, { ts: number[]; vals: number[] }>();
    for (const w of wal) {
      for (let i = 0; i < w.count; i++) {
        const id = w.seriesIds[i]!;
        const t = w.ts[i]!;
        if (!wanted.has(id) || t < from || t > to) continue;
        let acc = bySeries.get(id);
        if (acc === undefined) bySeries.set(id, acc = { ts: [], vals: [] });
        acc.ts.push(t);
        acc.vals.push(w.vals[i]!);
      }
    }
    const out: ChunkRow[] = [];
    let fakeId = -1;
    for (const [global, acc] of bySeries) {
      const merged: SampleArrays = mergeSamples([{ n: acc.ts.length, ts: Float64Array.from(acc.ts), vals: Float64Array.from(acc.vals) }]);
      let i = 0;
      while (i < merged.n) {
        const win = alignDown(merged.ts[i]!, this.rawSpan);
        let j = i;
        while (j < merged.n && merged.ts[j]! < win + this.rawSpan) j++;
        out.push({
          id: fakeId--, seriesId: this.local(global), tier: 0, windowStart: win, minTs: merged.ts[i]!, maxTs: merged.ts[j - 1]!, count: j - i, level: 0,
          data: encodeChunk(merged.ts.subarray(i, j), [merged.vals.subarray(i, j)], j - i),
        });
        i = j;
      }
    }
    return out;
  }

  /** Records that this node is alive (WAL owners without a recent heartbeat are adopted by others). */
  async heartbeat(now: number): Promise<void> {
    await this.pool.query(`INSERT INTO tsdb_nodes (node, seen_at) VALUES ($1, $2)
      ON CONFLICT (node) DO UPDATE SET seen_at = GREATEST(tsdb_nodes.seen_at, excluded.seen_at)`, [this.nodeId, now]).catch((err: unknown) => { throw mapPgError(err); });
  }

  /**
   * Moves the WAL of dead nodes (no heartbeat for `ttlMs`; also records a dead node was itself
   * adopting) into `tsdb`'s head, then deletes those records:
   * 1. claims them by re-tagging them `adopting:<this node>` (one UPDATE: one adopter; they stay
   *    foreign, so queries keep seeing them);
   * 2. appends their samples to this node's head and waits for the commit (now in both places,
   *    which a query counts once);
   * 3. deletes the claimed records, and forgets heartbeats older than a day.
   * Returns the samples adopted.
   */
  async adoptOrphanWal(tsdb: Tsdb, now: number, ttlMs: number): Promise<number> {
    const me = `${ADOPTING}${this.nodeId}`;
    try {
      // The dead owners first, then a claim that names them: a node racing for the same records waits
      // for the row locks and then finds them owned by `adopting:<winner>`, no longer in its list.
      const dead = (await this.pool.query<{ node: string }>(`SELECT DISTINCT w.node FROM tsdb_wal w WHERE w.node <> $1 AND w.node <> $2
          AND NOT EXISTS (SELECT 1 FROM tsdb_nodes n WHERE n.seen_at > $3
            AND n.node = CASE WHEN w.node LIKE '${ADOPTING}%' THEN substr(w.node, ${ADOPTING.length + 1}) ELSE w.node END)`,
      [this.nodeId, me, now - ttlMs])).rows.map((r) => r.node);
      if (dead.length === 0) return 0;
      const claim = await this.pool.query<{ id: number; data: Buffer }>('UPDATE tsdb_wal SET node = $1 WHERE node = ANY($2::text[]) RETURNING id, data', [me, dead]);
      return await this.adoptClaimed(tsdb, claim.rows, now);
    } catch (err) {
      throw mapPgError(err);
    }
  }

  private async adoptClaimed(tsdb: Tsdb, rows: ReadonlyArray<{ id: number; data: Buffer }>, now: number): Promise<number> {
    if (rows.length === 0) return 0;
    const records = rows.map((r) => decodeWalRecord(new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength)));
    const ids = [...new Set(records.flatMap((w) => [...w.seriesIds]))];
    const series = new Map((await this.pool.query<{ id: number; project_id: number; name: string; tags: string; type: string }>(
      'SELECT id, project_id, name, tags, type FROM tsdb_series WHERE id = ANY($1::bigint[])', [ids])).rows.map((r) => [r.id, r]));
    let n = 0;
    for (const w of records) {
      for (let i = 0; i < w.count; i++) {
        const s = series.get(w.seriesIds[i]!);
        if (s === undefined) continue;
        if (tsdb.append(s.project_id, s.name, JSON.parse(s.tags) as Record<string, string>, w.ts[i]!, w.vals[i]!, s.type as MetricType) === null) n++;
      }
    }
    await tsdb.commit();
    await this.pool.query('DELETE FROM tsdb_wal WHERE id = ANY($1::bigint[])', [rows.map((r) => r.id)]);
    await this.pool.query('DELETE FROM tsdb_nodes WHERE seen_at < $1', [now - 86_400_000]);
    return n;
  }

  async pendingWindows(q: PendingQuery): Promise<PendingWindow[]> {
    return (await this.base.pendingWindows(q)).map((w) => ({ ...w, seriesId: this.local(w.seriesId) }));
  }

  /** Synthetic chunks (negative ids, other nodes' WAL) are not stored and so never removed. */
  replaceChunks(remove: readonly number[], add: readonly NewChunk[]): Promise<void> {
    return this.base.replaceChunks(remove.filter((id) => id > 0), add.map((c) => ({ ...c, seriesId: this.global(c.seriesId) })));
  }

  deleteChunksBefore(tier: number, before: number): Promise<number> {
    return this.base.deleteChunksBefore(tier, before);
  }

  /**
   * Series ids are global: the base deletes by project. Samples another node still held in memory
   * for the project may later be checkpointed as chunks of a deleted series: never read (no series
   * row), removed by retention.
   */
  deleteProjectSeries(projectId: number, limit: number): Promise<number> {
    return this.base.deleteProjectSeries(projectId, limit);
  }

  stats(): Promise<TsdbStorageStats> {
    return this.base.stats();
  }

  close(): Promise<void> {
    return this.base.close();
  }
}
