// Where the tsdb keeps its series, WAL records and chunks. One interface, one implementation per
// dialect (src/store/sqlite/tsdb-storage.ts now, PostgreSQL later); storage-contract.ts is the test
// suite every implementation passes. Times are ms since the epoch; ranges are inclusive.
import type { MetricType } from './types.js';

/** A series definition as stored. */
export interface StoredSeries {
  id: number;
  projectId: number;
  name: string;
  /** Tags with sorted keys. */
  tags: Record<string, string>;
  type: MetricType;
  createdAt: number;
}

/** A chunk about to be written. Level: 0 fresh from a checkpoint, 1 compacted, 2 compacted and rolled up. */
export interface NewChunk {
  seriesId: number;
  /** 0 raw, 1.. rollup tiers. */
  tier: number;
  /** Start of the epoch-aligned span of the tier that holds this chunk. */
  windowStart: number;
  minTs: number;
  maxTs: number;
  count: number;
  level: number;
  data: Uint8Array;
}

/** A stored chunk. */
export interface ChunkRow extends NewChunk {
  id: number;
}

/** A (series, raw window) whose chunks need compaction or rollup, with the lowest level present. */
export interface PendingWindow {
  seriesId: number;
  windowStart: number;
  chunks: number;
  minLevel: number;
}

/** Selection of windows for compaction and rollup. */
export interface PendingQuery {
  maxLevel: number;
  windowStartBefore: number;
  minChunks: number;
  limit: number;
}

/** Totals for statistics and the benchmark. */
export interface TsdbStorageStats {
  series: number;
  chunks: number;
  chunkBytes: number;
  /** Samples in raw chunks (tier 0). */
  rawSamples: number;
  /** Bytes of raw chunks (tier 0). */
  rawBytes: number;
  walRecords: number;
  walBytes: number;
}

/** The tsdb's persistence. Every method is atomic; a resolved write is durable. */
export interface TsdbStorage {
  /** Every stored series (loaded into the in-memory index at start). */
  loadSeries(): Promise<StoredSeries[]>;
  /** Durably upserts series definitions (by id) and appends one WAL record, atomically; resolves to its id. */
  appendWal(series: readonly StoredSeries[], record: Uint8Array): Promise<number>;
  /** Every WAL record, oldest first. */
  readWal(): Promise<Array<{ id: number; data: Uint8Array }>>;
  /** Inserts chunks and deletes WAL records with id ≤ walUpTo, atomically. */
  checkpoint(chunks: readonly NewChunk[], walUpTo: number): Promise<void>;
  /**
   * Chunks of these series in `tier` whose [minTs, maxTs] meets [from, to], optionally only those of
   * level < maxLevel; ordered by series, windowStart, then id (write order).
   */
  readChunks(seriesIds: readonly number[], tier: number, from: number, to: number, maxLevel?: number): Promise<ChunkRow[]>;
  /** Optional: the distinct (series, windowStart) of the chunks readChunks would return, without their data. */
  chunkWindows?(seriesIds: readonly number[], tier: number, from: number, to: number, maxLevel?: number): Promise<Array<{ seriesId: number; windowStart: number }>>;
  /**
   * Raw windows with at least `minChunks` chunks of level < maxLevel and windowStart < windowStartBefore,
   * at most `limit`, oldest window first; `chunks` counts those low-level chunks.
   */
  pendingWindows(q: PendingQuery): Promise<PendingWindow[]>;
  /**
   * Optional (a storage shared by several nodes): calls `learn` for each series another node stored
   * since the last call, so that every series committed before the call is indexed once it resolves;
   * `learn` returns the id this process uses for it.
   */
  syncSeries?(learn: (s: StoredSeries) => number): Promise<void>;
  /** Deletes chunks by id and inserts others, atomically (compaction, rollup rewrite). */
  replaceChunks(remove: readonly number[], add: readonly NewChunk[]): Promise<void>;
  /** Deletes whole chunks of `tier` whose maxTs < before; resolves to how many went. */
  deleteChunksBefore(tier: number, before: number): Promise<number>;
  /**
   * Optional: deletes the data of a deleted project, one bounded step per call: at most `limit`
   * chunks of its series, or (once none are left) its series rows. Resolves to the rows deleted;
   * 0 = nothing of the project is left. WAL samples of deleted series are skipped on replay.
   */
  deleteProjectSeries?(projectId: number, limit: number): Promise<number>;
  /**
   * Optional: gives space freed by deleted WAL records and chunks back to the file system, bounded
   * per call (run by maintenance, off the write path); resolves to the bytes released.
   */
  reclaimSpace?(): Promise<number>;
  stats(): Promise<TsdbStorageStats>;
  /** Releases what this storage opened (a shared database stays open). */
  close(): Promise<void>;
}
