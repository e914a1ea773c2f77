// The time-series store. A series is a metric name plus a tag set in a project; samples are
// (timestamp ms, float64). Public API (everything a route or listener needs):
//
//   const tsdb = await Tsdb.open({ storage, clock, tiers?, ... });
//   tsdb.append(projectId, name, tags, tsMs, value, type?)  → null | error text   (sync, buffered)
//   await tsdb.commit()                                      → all appends so far are durable
//   await tsdb.appendBatch(samples)                          → { accepted, rejected[] }, durable
//   tsdb.appendColumns(projectId, columns, type?)            → { accepted, rejected[] } (parsed in a worker)
//   tsdb.appendKeyed(projectId, keyed, samples, refused?, touched?) → { accepted, rejected } (series handles cached by the caller's keys)
//   tsdb.touchedSeries()                                     → a TouchedSeries for appendKeyed: newest sample per written series
//   await tsdb.query({ projectId, name, tags?, from, to, step, agg, groupBy? })
//        → { timestamps: [...], series: [{ name, tags, values: [...] }], tier, resolutionMs }
//   tsdb.series({ projectId, namePrefix?, tags?, limit? })   → SeriesInfo[]
//   tsdb.tree(projectId, prefix)                             → TreeNode[] (dotted names as a tree)
//   await tsdb.syncSeries()  (several nodes: index series other nodes created; query() does it itself)
//   await tsdb.maintain()  (checkpoint + compact + retention + reclaim free space; startMaintenance() runs it on a timer)
//   await tsdb.stats(); await tsdb.close();
//
// Write path: append() looks the series up in a Map by canonical key and pushes onto its head (typed
// arrays) and onto the pending WAL columns — no object per sample. A group commit a few ms later
// writes ONE WAL record (and any new series) in one transaction; every commit() waiting on it
// resolves then. A checkpoint turns heads into fresh chunks and drops the WAL it covers; compaction
// merges the chunks of each raw window into one, and rolls old windows up into the rollup tiers.
// Out-of-order and duplicate timestamps: accepted within raw retention; the last write wins.
import type { Clock } from '../util/clock.js';
import { invalid } from '../errors.js';
import { GroupAccumulator, gridTimestamps, makeGrid, parseAggregation, samplesAsBuckets, type Aggregation } from './aggregate.js';
import { decodeChunk } from './codec.js';
import { inlineChunkEncoder, type ChunkEncoder, type EncodeJob } from './chunk-encoder.js';
import { mergeSamples, sliceRange, type SampleArrays } from './samples.js';
import type { SampleColumns } from './columns.js';
import { SeriesEntry, SeriesTrie, seriesKey, seriesProblem, sortedTags, tagsMatch, type SeriesInfo, type TagFilter } from './series.js';
import type { ChunkRow, NewChunk, StoredSeries, TsdbStorage, TsdbStorageStats } from './storage.js';
import { TouchedSeries } from './touched.js';
import { DEFAULT_TIERS, alignDown, chooseTier, emptyBuckets, replaceBuckets, rollup, tierProblem, type RollupBuckets, type TierConfig } from './tiers.js';
import type { MetricType, Tags } from './types.js';
import { decodeWalRecord, encodeWalRecord } from './wal-record.js';

export type { Aggregation } from './aggregate.js';
export { SampleColumnsBuilder, type SampleColumns } from './columns.js';
export type { SeriesInfo, TagFilter } from './series.js';
export type { TierConfig } from './tiers.js';
export { TouchedSeries, type TouchedSeriesInfo, type TouchedTake } from './touched.js';
export type { MetricType, Tags } from './types.js';

/** Settings of a Tsdb. Only storage and clock are required. */
export interface TsdbOptions {
  storage: TsdbStorage;
  clock: Clock;
  tiers?: readonly TierConfig[];
  /** Group commit: wait this long after the first uncommitted append (default 2 ms). */
  commitDelayMs?: number;
  /** Checkpoint once the WAL holds this many samples (default 2,000,000). */
  checkpointSamples?: number;
  /** A raw window is compacted once it ended this long ago (default 10 min). */
  compactGraceMs?: number;
  /** An open window is compacted early once it has this many fresh chunks (default 16). */
  maxFreshChunks?: number;
  /** Raw windows that ended this long ago are rolled up into the rollup tiers (default 1 day). */
  rollupAfterMs?: number;
  /** Samples further in the future than this are refused (default 1 day). */
  maxFutureMs?: number;
  /** Most points per series in one answer (default 11,000). */
  maxPoints?: number;
  /** Reports errors of background work (maintenance timer, automatic checkpoints). */
  onError?: (err: unknown, what: string) => void;
  /** Encodes the chunks of checkpoints and compaction (default inline; a ThreadChunkEncoder keeps it off this thread). Closed with the tsdb. */
  encoder?: ChunkEncoder;
}

/** One sample for appendBatch. */
export interface SampleInput {
  projectId: number;
  name: string;
  tags?: Tags;
  timestampMs: number;
  value: number;
  type?: MetricType;
}

/** Series named by small integer keys, with a slot per key where Tsdb.appendKeyed caches its handle. */
export interface KeyedSeries {
  handles: Array<object | undefined>;
  /** Owned by the store: which dropProject() generation the handles were cached in (start at 0). */
  handlesEpoch: number;
  name(k: number): string;
  tags(k: number): Tags;
}

/** Samples for Tsdb.appendKeyed: sample i is of series keys[i], the first `count` entries count. */
export interface KeyedSamples {
  count: number;
  keys: Uint32Array;
  timestamps: Float64Array;
  values: Float64Array;
}

/** Outcome of appendBatch: how many went in, and why each refused sample was refused. */
export interface AppendSummary {
  accepted: number;
  rejected: Array<{ index: number; error: string }>;
}

/** A range query. Times in ms, inclusive; step in ms. */
export interface TsdbQuery {
  projectId: number;
  name: string;
  /** Tag filter: exact value, `*` (present) or `a|b` (any of). */
  tags?: TagFilter;
  from: number;
  to: number;
  step: number;
  agg: Aggregation;
  /** Absent: one answer series per stored series. Present: series combined per value of these tags ([] = all in one). */
  groupBy?: readonly string[];
  /** Force a tier (index into the tier list) instead of choosing by step and age. */
  tier?: number;
}

/** A columnar answer a chart can use directly; values are null where a bucket had no data. */
export interface QueryResult {
  timestamps: number[];
  series: Array<{ name: string; tags: Record<string, string>; values: Array<number | null> }>;
  tier: number;
  resolutionMs: number;
}

/** Series selection for listing. */
export interface SeriesMatch {
  projectId: number;
  namePrefix?: string;
  tags?: TagFilter;
  limit?: number;
}

/** One node of the metric-name tree. */
export interface TreeNode {
  /** Full dotted path of this node. */
  path: string;
  /** Last segment. */
  label: string;
  /** A metric of exactly this name exists. */
  leaf: boolean;
  /** Longer names continue below this node. */
  hasChildren: boolean;
}

/** Statistics for the benchmark and self-metrics. */
export interface TsdbStats extends TsdbStorageStats {
  activeSeries: number;
  headSamples: number;
}

const DAY = 86_400_000;

/** Chunk changes of one compaction batch, written in one transaction. */
interface CompactionBatch {
  remove: number[];
  add: NewChunk[];
  rollups: Map<string, { seriesId: number; tier: number; windowStart: number; buckets: RollupBuckets }>;
  /** Encodes the chunks of `add` (await its done() before storing them). */
  encoding: ChunkBatcher;
}

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** The time-series store; one per server, built by the composition root. */
export class Tsdb {
  private readonly storage: TsdbStorage;
  private readonly clock: Clock;
  private readonly tiers: readonly TierConfig[];
  private readonly rawSpan: number;
  private readonly commitDelayMs: number;
  private readonly checkpointSamples: number;
  private readonly compactGraceMs: number;
  private readonly maxFreshChunks: number;
  private readonly rollupAfterMs: number;
  private readonly maxFutureMs: number;
  private readonly maxPoints: number;
  private readonly onError: (err: unknown, what: string) => void;

  private readonly byKey = new Map<string, SeriesEntry>();
  private readonly trie = new SeriesTrie();
  private nowCache = 0;
  private readonly byId = new Map<number, SeriesEntry>();
  private readonly byName = new Map<string, SeriesEntry[]>();
  private nextId = 1;
  /** Bumped by dropProject(): series handles cached by callers (appendKeyed) from before are stale. */
  private dropEpoch = 0;

  // Pending WAL columns (appended since the last group commit).
  private pIds = new Uint32Array(4096);
  private pTs = new Float64Array(4096);
  private pVals = new Float64Array(4096);
  private pN = 0;
  private pSeries: SeriesEntry[] = [];
  private waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inflight: Promise<void> | null = null;
  private lastWalId = 0;
  private walSamples = 0;
  private checkpointQueued = false;

  private chain: Promise<unknown> = Promise.resolve();
  private syncing: Promise<void> | null = null;
  private syncQueued: Promise<void> | null = null;
  private maintenanceTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly encoder: ChunkEncoder;

  private constructor(opts: TsdbOptions) {
    this.storage = opts.storage;
    this.clock = opts.clock;
    this.tiers = opts.tiers ?? DEFAULT_TIERS;
    const problem = tierProblem(this.tiers);
    if (problem !== null) throw new Error(`tsdb tiers: ${problem}`);
    this.rawSpan = this.tiers[0]!.chunkSpanMs;
    this.commitDelayMs = opts.commitDelayMs ?? 2;
    this.checkpointSamples = opts.checkpointSamples ?? 2_000_000;
    this.compactGraceMs = opts.compactGraceMs ?? 10 * 60_000;
    this.maxFreshChunks = opts.maxFreshChunks ?? 16;
    this.rollupAfterMs = opts.rollupAfterMs ?? DAY;
    this.maxFutureMs = opts.maxFutureMs ?? DAY;
    this.maxPoints = opts.maxPoints ?? 11_000;
    this.onError = opts.onError ?? (() => undefined);
    this.encoder = opts.encoder ?? inlineChunkEncoder;
    if (this.tiers.length > 1 && !(this.rollupAfterMs + this.rawSpan < this.tiers[0]!.retentionMs)) {
      throw new Error('tsdb: rollupAfterMs plus the raw chunk span must be shorter than the raw retention');
    }
  }

  /** Opens a store: loads the series index and replays the WAL into the heads. */
  static async open(opts: TsdbOptions): Promise<Tsdb> {
    const t = new Tsdb(opts);
    for (const s of await t.storage.loadSeries()) t.index(new SeriesEntry(s.id, s.projectId, s.name, s.tags, s.type, s.createdAt));
    for (const rec of await t.storage.readWal()) {
      const w = decodeWalRecord(rec.data);
      for (let i = 0; i < w.count; i++) t.byId.get(w.seriesIds[i]!)?.push(w.ts[i]!, w.vals[i]!);
      t.walSamples += w.count;
      t.lastWalId = rec.id;
    }
    return t;
  }

  private index(e: SeriesEntry): void {
    this.byKey.set(seriesKey(e.projectId, e.name, e.tags), e);
    this.byId.set(e.id, e);
    const nk = `${e.projectId}\u0001${e.name}`;
    const list = this.byName.get(nk);
    if (list === undefined) this.byName.set(nk, [e]);
    else list.push(e);
    if (e.id >= this.nextId) this.nextId = e.id + 1;
  }

  /**
   * Indexes the series other nodes stored (storages shared by several nodes; a no-op otherwise):
   * resolves once every series committed before the call is listed, tree'd and queryable here.
   * Calls made while a sync runs share one more sync started after it (that one may have read too early).
   */
  syncSeries(): Promise<void> {
    if (this.storage.syncSeries === undefined || this.closed) return Promise.resolve();
    if (this.syncing === null) return this.startSync();
    this.syncQueued ??= this.syncing.catch(() => undefined).then(() => {
      this.syncQueued = null;
      return this.startSync();
    });
    return this.syncQueued;
  }

  private startSync(): Promise<void> {
    const p: Promise<void> = this.storage.syncSeries!((s) => this.learn(s)).finally(() => {
      if (this.syncing === p) this.syncing = null;
    });
    this.syncing = p;
    return p;
  }

  /** The local id of a series another node stored: the entry of the same identity, else a new one. */
  private learn(s: StoredSeries): number {
    const known = this.byKey.get(seriesKey(s.projectId, s.name, s.tags));
    if (known !== undefined) return known.id;
    const e = new SeriesEntry(this.nextId, s.projectId, s.name, sortedTags(s.tags), s.type, s.createdAt);
    this.index(e);
    return e.id;
  }

  // ---------- write path ----------

  /**
   * Buffers one sample; returns null when accepted or the reason it is refused. Durable after the
   * next group commit (await commit()). `type` sets the series' type (the latest given wins).
   */
  append(projectId: number, name: string, tags: Tags, timestampMs: number, value: number, type?: MetricType): string | null {
    if (this.closed) return 'tsdb is closed';
    if (!Number.isFinite(timestampMs)) return 'timestamp is not a number';
    if (typeof value !== 'number') return 'value is not a number';
    const ts = Math.round(timestampMs);
    if ((this.pN & 1023) === 0) this.nowCache = this.clock.now(); // the clock is read once per 1024 samples
    const now = this.nowCache;
    if (ts < now - this.tiers[0]!.retentionMs) return 'timestamp is older than the raw retention';
    if (ts > now + this.maxFutureMs) return 'timestamp is too far in the future';
    const e = this.resolve(projectId, name, tags, type);
    if (typeof e === 'string') return e;
    e.push(ts, value);
    if (this.pN === this.pIds.length) this.growPending();
    this.pIds[this.pN] = e.id;
    this.pTs[this.pN] = ts;
    this.pVals[this.pN] = value;
    this.pN++;
    if (this.timer === null && this.inflight === null) this.schedule();
    return null;
  }

  private growPending(): void {
    const cap = this.pIds.length * 2;
    const ids = new Uint32Array(cap);
    ids.set(this.pIds);
    const ts = new Float64Array(cap);
    ts.set(this.pTs);
    const vals = new Float64Array(cap);
    vals.set(this.pVals);
    this.pIds = ids;
    this.pTs = ts;
    this.pVals = vals;
  }

  /** Appends samples and resolves once the accepted ones are durable. */
  async appendBatch(samples: readonly SampleInput[]): Promise<AppendSummary> {
    const rejected: AppendSummary['rejected'] = [];
    samples.forEach((s, index) => {
      const err = this.append(s.projectId, s.name, s.tags ?? {}, s.timestampMs, s.value, s.type);
      if (err !== null) rejected.push({ index, error: err });
    });
    await this.commit();
    return { accepted: samples.length - rejected.length, rejected };
  }

  /**
   * Appends a columnar batch (see SampleColumns): each distinct series is resolved once, then the
   * samples go straight onto the heads. Durable after the next commit(). Rejected samples by index.
   */
  appendColumns(projectId: number, cols: SampleColumns, type?: MetricType): AppendSummary {
    const rejected: AppendSummary['rejected'] = [];
    const entries: Array<SeriesEntry | string> = cols.names.map((name, i) => this.resolve(projectId, name, cols.tags[i] ?? {}, type));
    const now = this.clock.now();
    this.nowCache = now; // as in appendKeyed
    const oldest = now - this.tiers[0]!.retentionMs;
    const newest = now + this.maxFutureMs;
    for (let k = 0; k < cols.count; k++) {
      const e = entries[cols.series[k]!];
      if (e === undefined || typeof e === 'string') {
        rejected.push({ index: k, error: e ?? 'no such series in the batch' });
        continue;
      }
      const ts = Math.round(cols.timestamps[k]!);
      if (!(ts >= oldest && ts <= newest)) {
        rejected.push({ index: k, error: Number.isFinite(ts) ? (ts < oldest ? 'timestamp is older than the raw retention' : 'timestamp is too far in the future') : 'timestamp is not a number' });
        continue;
      }
      const v = cols.values[k]!;
      e.push(ts, v);
      if (this.pN === this.pIds.length) this.growPending();
      this.pIds[this.pN] = e.id;
      this.pTs[this.pN] = ts;
      this.pVals[this.pN] = v;
      this.pN++;
    }
    if (this.pN > 0 && this.timer === null && this.inflight === null) this.schedule();
    return { accepted: cols.count - rejected.length, rejected };
  }

  /**
   * Appends samples whose series are given by key into `keyed` (e.g. the OpenTSDB key table): a
   * key's series is resolved from keyed.name/tags on first use and its handle cached in
   * keyed.handles, so a known series costs an array read. Same checks and order as append().
   * Durable after the next commit(). Returns how many were accepted and refused; with `refused`,
   * also pushes the index of each refused sample onto it, in increasing order. With `touched` (from
   * touchedSeries()), also notes each accepted sample's series and keeps its newest (t, v) there.
   */
  appendKeyed(projectId: number, keyed: KeyedSeries, batch: KeyedSamples, refused?: number[], touched?: TouchedSeries): { accepted: number; rejected: number } {
    const n = batch.count;
    if (this.closed) {
      if (refused !== undefined) for (let i = 0; i < n; i++) refused.push(i);
      return { accepted: 0, rejected: n };
    }
    const { keys, timestamps, values } = batch;
    if (keyed.handlesEpoch !== this.dropEpoch) {
      keyed.handles.fill(undefined); // a dropped project's series must not be written through old handles
      keyed.handlesEpoch = this.dropEpoch;
    }
    const handles = keyed.handles;
    const now = this.clock.now();
    this.nowCache = now; // append() reads the clock only when pN is a multiple of 1024: not stale after this batch
    const oldest = now - this.tiers[0]!.retentionMs;
    const newest = now + this.maxFutureMs;
    let rejected = 0;
    // Room for the whole batch first, so the loop keeps the pending columns in locals.
    while (this.pN + n > this.pIds.length) this.growPending();
    const pIds = this.pIds;
    const pTs = this.pTs;
    const pVals = this.pVals;
    let pN = this.pN;
    // The tracker's arrays in locals (see TouchedSeries: t[id] -Infinity = not touched since the last take).
    let tT = touched?.t;
    let tV = touched?.v;
    for (let i = 0; i < n; i++) {
      const ts = Math.round(timestamps[i]!);
      if (!(ts >= oldest && ts <= newest)) {
        rejected++;
        if (refused !== undefined) refused.push(i);
        continue;
      }
      const k = keys[i]!;
      const h = handles[k];
      let e: SeriesEntry;
      if (h instanceof SeriesEntry && h.projectId === projectId) e = h;
      else {
        const r = this.resolve(projectId, keyed.name(k), keyed.tags(k), undefined);
        if (typeof r === 'string') {
          rejected++;
          if (refused !== undefined) refused.push(i);
          continue;
        }
        handles[k] = e = r;
      }
      const v = values[i]!;
      e.push(ts, v);
      const id = e.id;
      pIds[pN] = id;
      pTs[pN] = ts;
      pVals[pN] = v;
      pN++;
      if (tT !== undefined) {
        const old = tT[id]; // undefined: an id beyond the tracker's arrays (never >= ts)
        if (ts >= old!) { // the newest; of equal timestamps the later, as the store keeps it
          tT[id] = ts;
          tV![id] = v;
          if (old === -Infinity) touched!.note(e);
        } else if (old === undefined) {
          touched!.add(e, ts, v);
          tT = touched!.t;
          tV = touched!.v;
        }
      }
    }
    this.pN = pN;
    if (this.pN > 0 && this.timer === null && this.inflight === null) this.schedule();
    return { accepted: n - rejected, rejected };
  }

  /** A tracker for appendKeyed's `touched`: its take() leaves out the series of projects dropped since. */
  touchedSeries(): TouchedSeries {
    return new TouchedSeries((s) => this.byId.get(s.id) === s);
  }

  /** The series for (project, name, tags), created if new; or why it cannot exist. */
  private resolve(projectId: number, name: string, tags: Tags, type: MetricType | undefined): SeriesEntry | string {
    if (this.closed) return 'tsdb is closed';
    let e = this.trie.get(projectId, name, tags);
    if (e === undefined) {
      e = this.byKey.get(seriesKey(projectId, name, tags));
      if (e === undefined) {
        const problem = seriesProblem(name, tags);
        if (problem !== null) return problem;
        e = new SeriesEntry(this.nextId, projectId, name, sortedTags(tags), type ?? 'gauge', this.clock.now());
        this.index(e);
        this.pSeries.push(e);
      }
      this.trie.set(projectId, name, tags, e);
    }
    if (type !== undefined && type !== e.type) {
      e.type = type;
      this.pSeries.push(e);
    }
    return e;
  }

  /** Resolves when every sample appended before the call is durable (one shared WAL write). */
  commit(): Promise<void> {
    if (this.pN === 0 && this.pSeries.length === 0) return this.inflight ?? Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      if (this.timer === null && this.inflight === null) this.schedule();
    });
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      this.inflight = this.flushPending().finally(() => {
        this.inflight = null;
        if (this.pN > 0 || this.pSeries.length > 0 || this.waiters.length > 0) this.schedule();
      });
    }, this.commitDelayMs);
  }

  /** One group commit: the pending columns and new series become one WAL record. */
  private async flushPending(): Promise<void> {
    const waiters = this.waiters;
    this.waiters = [];
    const n = this.pN;
    const series = this.pSeries;
    this.pSeries = [];
    try {
      if (n > 0 || series.length > 0) {
        const record = encodeWalRecord(this.pIds, this.pTs, this.pVals, n);
        this.pN = 0;
        const stored: StoredSeries[] = series.map((e) => ({ id: e.id, projectId: e.projectId, name: e.name, tags: { ...e.tags }, type: e.type, createdAt: e.createdAt }));
        this.lastWalId = await this.storage.appendWal(stored, record);
        this.walSamples += n;
      }
      for (const w of waiters) w.resolve();
    } catch (err) {
      this.pSeries.push(...series); // series definitions must still be written with a later record
      for (const w of waiters) w.reject(err);
      if (waiters.length === 0) this.onError(err, 'tsdb group commit');
    }
    if (this.walSamples >= this.checkpointSamples && !this.checkpointQueued) {
      this.checkpointQueued = true;
      this.checkpoint().catch((err: unknown) => this.onError(err, 'tsdb checkpoint')).finally(() => { this.checkpointQueued = false; });
    }
  }

  // ---------- maintenance ----------

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.chain.then(fn);
    this.chain = p.catch(() => undefined);
    return p;
  }

  /** The projects that have series in the index (for the start-up sweep of deleted projects). */
  projectIds(): number[] {
    const ids = new Set<number>();
    for (const e of this.byId.values()) ids.add(e.projectId);
    return [...ids].sort((a, b) => a - b);
  }

  /**
   * Deletes a deleted project's data: forgets its series at once (queries, lists, trees and
   * checkpoints no longer see them, their unwritten samples are dropped), checkpoints the rest (so no
   * WAL record names a deleted series id that a restart could give again), then deletes its chunks
   * and series rows from the storage in steps of `batch` rows with the event loop running between
   * them. Resolves to the rows deleted (0 when the storage cannot delete).
   */
  async dropProject(projectId: number, batch = 5000): Promise<number> {
    this.dropEpoch++;
    for (const [id, e] of this.byId) {
      if (e.projectId !== projectId) continue;
      this.byId.delete(id);
      this.byKey.delete(seriesKey(e.projectId, e.name, e.tags));
      if (e.headLen > 0) e.dropHead(e.headLen);
    }
    const prefix = `${projectId}\u0001`;
    for (const k of [...this.byName.keys()]) if (k.startsWith(prefix)) this.byName.delete(k);
    this.trie.dropProject(projectId);
    this.pSeries = this.pSeries.filter((e) => e.projectId !== projectId);
    await this.checkpoint();
    const remove = this.storage.deleteProjectSeries?.bind(this.storage);
    if (remove === undefined) return 0;
    return this.exclusive(async () => {
      let total = 0;
      for (;;) {
        const n = await remove(projectId, batch);
        if (n === 0) return total;
        total += n;
        await yieldToLoop();
      }
    });
  }

  /** Turns every head into fresh chunks (one per series and raw window) and drops the WAL they cover. */
  checkpoint(): Promise<void> {
    return this.exclusive(async () => {
      await this.commit();
      const walUpTo = this.lastWalId;
      const chunks: NewChunk[] = [];
      const cuts: Array<[SeriesEntry, number]> = [];
      const encoding = new ChunkBatcher(this.encoder);
      let samples = 0;
      let encoded = 0;
      for (const e of this.byId.values()) {
        if (e.headLen === 0) continue;
        if (++encoded % 2000 === 0) await yieldToLoop(); // appends go on meanwhile, past each cut
        const n = e.headLen;
        cuts.push([e, n]);
        samples += n;
        const merged = mergeSamples([{ n, ts: e.headTs, vals: e.headVals }]);
        this.chunksByWindow(e.id, merged, 0, chunks, encoding, true);
      }
      await encoding.done();
      if (chunks.length === 0 && walUpTo === 0) return;
      // Chunks go in several transactions (the event loop runs between them); the WAL is dropped with
      // the last. A crash in between only leaves samples both in chunks and in the WAL: replaying them
      // writes the same values again, and a later write of a timestamp still wins.
      const BATCH = 5000;
      for (let i = BATCH; i < chunks.length; i += BATCH) {
        await this.storage.checkpoint(chunks.slice(i - BATCH, i), 0);
        await yieldToLoop();
      }
      await this.storage.checkpoint(chunks.slice(Math.max(0, Math.ceil(chunks.length / BATCH) - 1) * BATCH), walUpTo);
      for (const [e, n] of cuts) e.dropHead(n);
      this.walSamples = Math.max(0, this.walSamples - samples);
    });
  }

  /**
   * Splits ascending samples by raw window into chunks of the given level, pushed onto `out`; their
   * bytes come from `encoding` (await its done()). `copy`: the samples may change meanwhile (heads).
   */
  private chunksByWindow(seriesId: number, s: SampleArrays, level: number, out: NewChunk[], encoding: ChunkBatcher, copy = false): void {
    let i = 0;
    while (i < s.n) {
      const win = alignDown(s.ts[i]!, this.rawSpan);
      let j = i;
      while (j < s.n && s.ts[j]! < win + this.rawSpan) j++;
      const ts = copy ? s.ts.slice(i, j) : s.ts.subarray(i, j);
      const vals = copy ? s.vals.slice(i, j) : s.vals.subarray(i, j);
      out.push(encoding.add({ seriesId, tier: 0, windowStart: win, minTs: s.ts[i]!, maxTs: s.ts[j - 1]!, count: j - i, level }, { ts, cols: [vals] }));
      i = j;
    }
  }

  /**
   * Merges the chunks of raw windows: windows that ended `compactGraceMs` ago, busy open windows, and
   * (rolling them up) windows that ended `rollupAfterMs` ago. `force` also merges every open window.
   */
  compact(opts: { force?: boolean } = {}): Promise<{ windows: number }> {
    return this.exclusive(async () => {
      const now = this.clock.now();
      const passes = [
        { maxLevel: 2, windowStartBefore: now - this.rollupAfterMs - this.rawSpan + 1, minChunks: 1 },
        { maxLevel: 1, windowStartBefore: opts.force ? Infinity : now - this.compactGraceMs - this.rawSpan + 1, minChunks: 1 },
        { maxLevel: 1, windowStartBefore: Infinity, minChunks: this.maxFreshChunks },
      ];
      let windows = 0;
      for (const pass of passes) {
        const seen = new Set<string>();
        for (;;) {
          const batch = (await this.storage.pendingWindows({ ...pass, limit: 500 })).filter((w) => !seen.has(`${w.seriesId}:${w.windowStart}`));
          if (batch.length === 0) break;
          const work: CompactionBatch = { remove: [], add: [], rollups: new Map(), encoding: new ChunkBatcher(this.encoder) };
          for (const w of batch) {
            seen.add(`${w.seriesId}:${w.windowStart}`);
            await this.compactWindow(w.seriesId, w.windowStart, now, work);
            if (++windows % 50 === 0) await yieldToLoop(); // keep ingestion and queries responsive
          }
          for (const r of work.rollups.values()) {
            const b = r.buckets;
            if (b.n === 0) continue;
            const res = this.tiers[r.tier]!.resolutionMs;
            work.add.push(work.encoding.add(
              { seriesId: r.seriesId, tier: r.tier, windowStart: r.windowStart, minTs: b.ts[0]!, maxTs: b.ts[b.n - 1]! + res - 1, count: b.n, level: 1 },
              { ts: b.ts.subarray(0, b.n), cols: [b.min, b.max, b.sum, b.count, b.last].map((c) => c.subarray(0, b.n)) },
            ));
          }
          await work.encoding.done();
          await this.storage.replaceChunks(work.remove, work.add); // one transaction per batch of windows
        }
      }
      return { windows };
    });
  }

  /** Merges one raw window into a single chunk; when old enough, updates its rollup buckets in `work`. */
  private async compactWindow(seriesId: number, win: number, now: number, work: CompactionBatch): Promise<void> {
    const rows = (await this.storage.readChunks([seriesId], 0, win, win + this.rawSpan - 1)).filter((r) => r.windowStart === win);
    const merged = mergeSamples(rows.map(decodeRaw));
    const rolled = win + this.rawSpan <= now - this.rollupAfterMs;
    for (const r of rows) work.remove.push(r.id);
    this.chunksByWindow(seriesId, merged, rolled ? 2 : 1, work.add, work.encoding);
    if (!rolled) return;
    for (let k = 1; k < this.tiers.length; k++) {
      const tier = this.tiers[k]!;
      if (win + this.rawSpan < now - tier.retentionMs) continue;
      const tierWin = alignDown(win, tier.chunkSpanMs);
      const key = `${seriesId}:${k}:${tierWin}`;
      let r = work.rollups.get(key);
      if (r === undefined) {
        const existing = (await this.storage.readChunks([seriesId], k, tierWin, tierWin + tier.chunkSpanMs - 1)).filter((c) => c.windowStart === tierWin);
        let base = emptyBuckets();
        for (const c of existing) {
          const d = decodeBuckets(c);
          base = base.n === 0 ? d : replaceBuckets(base, d.ts[0] ?? 0, Infinity, d);
          work.remove.push(c.id);
        }
        r = { seriesId, tier: k, windowStart: tierWin, buckets: base };
        work.rollups.set(key, r);
      }
      r.buckets = replaceBuckets(r.buckets, win, win + this.rawSpan, rollup(merged, tier.resolutionMs));
    }
  }

  /** Deletes whole chunks older than each tier's retention (rolling windows up first). Returns how many went. */
  async applyRetention(): Promise<number> {
    await this.compact();
    return this.exclusive(async () => {
      const now = this.clock.now();
      let n = 0;
      for (let k = 0; k < this.tiers.length; k++) n += await this.storage.deleteChunksBefore(k, now - this.tiers[k]!.retentionMs);
      return n;
    });
  }

  /** Checkpoint, compaction and retention in one go (what the maintenance timer runs). */
  async maintain(): Promise<void> {
    await this.checkpoint();
    await this.applyRetention();
    if (this.storage.reclaimSpace !== undefined) await this.exclusive(() => this.storage.reclaimSpace!());
  }

  /** Runs maintain() every `intervalMs` (default 60 s) until close(); errors go to onError. */
  startMaintenance(intervalMs = 60_000): void {
    if (this.maintenanceTimer !== null) return;
    this.maintenanceTimer = setInterval(() => {
      this.maintain().catch((err: unknown) => this.onError(err, 'tsdb maintenance'));
    }, intervalMs);
    this.maintenanceTimer.unref();
  }

  // ---------- read path ----------

  private matching(projectId: number, name: string, tags: TagFilter | undefined): SeriesEntry[] {
    return (this.byName.get(`${projectId}\u0001${name}`) ?? []).filter((e) => tagsMatch(e.tags, tags));
  }

  /** Raw samples of each series in [from, to]: chunks in write order, then the head; last write wins. */
  private async rawSamples(entries: readonly SeriesEntry[], from: number, to: number): Promise<Map<number, SampleArrays>> {
    const rows = await this.storage.readChunks(entries.map((e) => e.id), 0, from, to);
    const parts = new Map<number, SampleArrays[]>();
    for (const r of rows) {
      const list = parts.get(r.seriesId);
      if (list === undefined) parts.set(r.seriesId, [decodeRaw(r)]);
      else list.push(decodeRaw(r));
    }
    const out = new Map<number, SampleArrays>();
    for (const e of entries) {
      const list = parts.get(e.id) ?? [];
      if (e.headLen > 0) list.push({ n: e.headLen, ts: e.headTs.slice(0, e.headLen), vals: e.headVals.slice(0, e.headLen) });
      out.set(e.id, sliceRange(mergeSamples(list), from, to));
    }
    return out;
  }

  /** Points of each series in [from, to] on rollup tier k; in windows not yet rolled up, the raw samples. */
  private async rollupPoints(entries: readonly SeriesEntry[], k: number, from: number, to: number): Promise<Map<number, RollupBuckets>> {
    const ids = entries.map((e) => e.id);
    const rows = await this.storage.readChunks(ids, k, from, to);
    const out = new Map<number, RollupBuckets>();
    for (const r of rows) {
      const d = decodeBuckets(r);
      const prev = out.get(r.seriesId);
      // A later chunk wins over the span it covers only: chunks of another alignment (the tier's chunk
      // span changed in the config) must not hide the buckets after them.
      out.set(r.seriesId, prev === undefined ? d : d.n === 0 ? prev : replaceBuckets(prev, d.ts[0]!, d.ts[d.n - 1]! + 1, d));
    }
    // Dirty raw windows: fresh or compacted-but-not-rolled-up chunks, and heads.
    const dirty = new Map<number, Set<number>>();
    const mark = (id: number, win: number): void => {
      const s = dirty.get(id);
      if (s === undefined) dirty.set(id, new Set([win]));
      else s.add(win);
    };
    const windows = this.storage.chunkWindows !== undefined
      ? await this.storage.chunkWindows(ids, 0, from, to, 2)
      : await this.storage.readChunks(ids, 0, from, to, 2);
    for (const w of windows) mark(w.seriesId, w.windowStart);
    for (const e of entries) for (let i = 0; i < e.headLen; i++) if (e.headTs[i]! >= from && e.headTs[i]! <= to) mark(e.id, alignDown(e.headTs[i]!, this.rawSpan));
    const dirtyEntries = entries.filter((e) => dirty.has(e.id));
    if (dirtyEntries.length === 0) return out;
    let lo = Infinity;
    let hi = -Infinity;
    for (const wins of dirty.values()) {
      for (const w of wins) {
        lo = Math.min(lo, w);
        hi = Math.max(hi, w + this.rawSpan - 1);
      }
    }
    const raw = await this.rawSamples(dirtyEntries, lo, hi);
    for (const e of dirtyEntries) {
      const base = out.get(e.id);
      const samples = raw.get(e.id)!;
      // No rollup rows in range: every raw window in [lo, hi] is dirty, so the raw samples are the answer.
      if (base === undefined || base.n === 0) out.set(e.id, samplesAsBuckets(samples.n, samples.ts, samples.vals));
      else out.set(e.id, overlayRaw(base, dirty.get(e.id)!, samples, this.rawSpan));
    }
    return out;
  }

  /** Answers a range query on the tier that fits the step (see TsdbQuery); throws OVS_ERR_VALIDATION on bad input. */
  async query(q: TsdbQuery): Promise<QueryResult> {
    const agg = parseAggregation(q.agg);
    if (agg === null) throw invalid('agg', `unknown aggregation '${q.agg}'`);
    if (!Number.isFinite(q.from) || !Number.isFinite(q.to) || q.from > q.to) throw invalid('from', 'from and to must be numbers with from ≤ to');
    if (!Number.isInteger(q.step) || q.step <= 0) throw invalid('step', 'must be a positive whole number of ms');
    const grid = makeGrid(q.from, q.to, q.step);
    if (grid.count > this.maxPoints) throw invalid('step', `the range needs ${grid.count} points; at most ${this.maxPoints}`);
    const k = q.tier ?? chooseTier(this.tiers, q.step, q.from, this.clock.now());
    if (!Number.isInteger(k) || k < 0 || k >= this.tiers.length) throw invalid('tier', 'no such tier');
    const tier = this.tiers[k]!;
    await this.syncSeries();
    const entries = this.matching(q.projectId, q.name, q.tags).sort((a, b) => a.id - b.id);
    const lookback = agg.kind === 'rate' ? Math.max(q.step, tier.resolutionMs) : 0;
    const points = new Map<number, RollupBuckets>();
    if (k === 0) {
      for (const [id, s] of await this.rawSamples(entries, q.from - lookback, q.to)) points.set(id, samplesAsBuckets(s.n, s.ts, s.vals));
    } else {
      for (const [id, b] of await this.rollupPoints(entries, k, q.from - lookback, q.to)) points.set(id, b);
    }
    const groups = new Map<string, { tags: Record<string, string>; acc: GroupAccumulator }>();
    for (const e of entries) {
      const p = points.get(e.id);
      if (p === undefined || p.n === 0) continue;
      let gkey: string;
      let gtags: Record<string, string>;
      if (q.groupBy === undefined) {
        gkey = String(e.id);
        gtags = { ...e.tags };
      } else {
        gtags = {};
        for (const t of q.groupBy) gtags[t] = e.tags[t] ?? '';
        gkey = JSON.stringify(gtags);
      }
      let g = groups.get(gkey);
      if (g === undefined) {
        g = { tags: gtags, acc: new GroupAccumulator(grid, agg) };
        groups.set(gkey, g);
      }
      g.acc.addSeries(p, e.type, q.from, q.to);
    }
    return {
      timestamps: gridTimestamps(grid),
      series: [...groups.values()].map((g) => ({ name: q.name, tags: g.tags, values: g.acc.values() })),
      tier: k,
      resolutionMs: tier.resolutionMs,
    };
  }

  /** Series of a project whose name starts with namePrefix and whose tags match, sorted by name. */
  series(m: SeriesMatch): SeriesInfo[] {
    const out: SeriesInfo[] = [];
    const prefix = m.namePrefix ?? '';
    for (const e of this.byId.values()) {
      if (e.projectId !== m.projectId || !e.name.startsWith(prefix) || !tagsMatch(e.tags, m.tags)) continue;
      out.push({ id: e.id, projectId: e.projectId, name: e.name, tags: { ...e.tags }, type: e.type });
    }
    out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id - b.id));
    return m.limit === undefined ? out : out.slice(0, m.limit);
  }

  /** Children of `prefix` ('' = top level) in the tree of dotted metric names of a project. */
  tree(projectId: number, prefix: string): TreeNode[] {
    const base = prefix === '' ? '' : `${prefix}.`;
    const nodes = new Map<string, TreeNode>();
    for (const e of this.byId.values()) {
      if (e.projectId !== projectId || !e.name.startsWith(base) || e.name === prefix) continue;
      const rest = e.name.slice(base.length);
      const dot = rest.indexOf('.');
      const label = dot < 0 ? rest : rest.slice(0, dot);
      if (label === '') continue;
      const path = base + label;
      const node = nodes.get(path) ?? { path, label, leaf: false, hasChildren: false };
      if (dot < 0) node.leaf = true;
      else node.hasChildren = true;
      nodes.set(path, node);
    }
    return [...nodes.values()].sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  }

  /** Sizes on disk and in memory. */
  async stats(): Promise<TsdbStats> {
    let headSamples = 0;
    for (const e of this.byId.values()) headSamples += e.headLen;
    return { ...(await this.storage.stats()), activeSeries: this.byId.size, headSamples };
  }

  /** Commits, checkpoints and releases the storage. Further appends are refused. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.maintenanceTimer !== null) clearInterval(this.maintenanceTimer);
    this.maintenanceTimer = null;
    await this.commit();
    this.closed = true;
    await this.checkpoint();
    await this.chain;
    await this.encoder.close();
    await this.storage.close();
  }
}

/** Bytes of chunks whose encoding has not come back yet (replaced before the chunk is stored). */
const NOT_ENCODED = new Uint8Array(0);

/**
 * Gathers chunks to encode and sends them to the encoder in batches of about `batchSamples`
 * samples as they fill, so a thread encodes while this one gathers more; done() resolves when
 * every chunk added has its bytes.
 */
class ChunkBatcher {
  private chunks: NewChunk[] = [];
  private jobs: EncodeJob[] = [];
  private samples = 0;
  private readonly inflight: Promise<void>[] = [];

  constructor(private readonly encoder: ChunkEncoder, private readonly batchSamples = 250_000) {}

  /** The chunk (its data filled in by done()) for `meta` with the samples of `job`. */
  add(meta: Omit<NewChunk, 'data'>, job: EncodeJob): NewChunk {
    const chunk: NewChunk = { ...meta, data: NOT_ENCODED };
    this.chunks.push(chunk);
    this.jobs.push(job);
    this.samples += job.ts.length;
    if (this.samples >= this.batchSamples) this.send();
    return chunk;
  }

  private send(): void {
    if (this.jobs.length === 0) return;
    const chunks = this.chunks;
    const jobs = this.jobs;
    this.chunks = [];
    this.jobs = [];
    this.samples = 0;
    const filled = this.encoder.encode(jobs).then((data) => {
      for (let i = 0; i < chunks.length; i++) chunks[i]!.data = data[i]!;
    });
    filled.catch(() => undefined); // handled by done(), which may come after a few turns of the loop
    this.inflight.push(filled);
  }

  /** Resolves once every chunk added has its bytes (rejects when encoding failed). */
  async done(): Promise<void> {
    this.send();
    await Promise.all(this.inflight);
  }
}

/** Lets the event loop run (a synchronous storage would otherwise never give it a turn). */
function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Points of one series for a rollup-tier query: the rollup buckets outside the dirty raw windows,
 * and inside them the raw samples themselves (as one-sample buckets), merged by time.
 */
function overlayRaw(base: RollupBuckets, dirtyWins: ReadonlySet<number>, raw: SampleArrays, rawSpan: number): RollupBuckets {
  const cap = base.n + raw.n;
  const out: RollupBuckets = {
    n: 0, ts: new Float64Array(cap), min: new Float64Array(cap), max: new Float64Array(cap),
    sum: new Float64Array(cap), count: new Float64Array(cap), last: new Float64Array(cap),
  };
  // Window membership is looked up once per window, not per point (both inputs are sorted).
  let bWinEnd = -Infinity;
  let bDirty = false;
  let rWinEnd = -Infinity;
  let rDirty = false;
  let i = 0;
  let j = 0;
  for (;;) {
    for (; i < base.n; i++) {
      const t = base.ts[i]!;
      if (t >= bWinEnd) {
        const w = alignDown(t, rawSpan);
        bWinEnd = w + rawSpan;
        bDirty = dirtyWins.has(w);
      }
      if (!bDirty) break;
    }
    for (; j < raw.n; j++) {
      const t = raw.ts[j]!;
      if (t >= rWinEnd) {
        const w = alignDown(t, rawSpan);
        rWinEnd = w + rawSpan;
        rDirty = dirtyWins.has(w);
      }
      if (rDirty) break;
    }
    const takeBase = i < base.n && (j >= raw.n || base.ts[i]! <= raw.ts[j]!);
    if (!takeBase && j >= raw.n) break;
    const k = out.n++;
    if (takeBase) {
      out.ts[k] = base.ts[i]!;
      out.min[k] = base.min[i]!;
      out.max[k] = base.max[i]!;
      out.sum[k] = base.sum[i]!;
      out.count[k] = base.count[i]!;
      out.last[k] = base.last[i]!;
      i++;
    } else {
      const v = raw.vals[j]!;
      out.ts[k] = raw.ts[j]!;
      out.min[k] = v;
      out.max[k] = v;
      out.sum[k] = v;
      out.count[k] = 1;
      out.last[k] = v;
      j++;
    }
  }
  return out;
}

function decodeRaw(r: ChunkRow): SampleArrays {
  const d = decodeChunk(r.data);
  return { n: d.count, ts: d.timestamps, vals: d.columns[0]! };
}

function decodeBuckets(r: ChunkRow): RollupBuckets {
  const d = decodeChunk(r.data);
  const [min, max, sum, count, last] = d.columns as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
  return { n: d.count, ts: d.timestamps, min, max, sum, count, last };
}
