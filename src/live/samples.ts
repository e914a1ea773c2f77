// A SampleSink decorator that publishes accepted samples as live `samples` events once they are
// durable, so open charts redraw within a second. Wrap the sink an ingest path writes to. Per commit
// it carries only the latest sample of each series (a chart needs the newest point, not every one),
// so its memory and event size follow the number of series, not of samples. Columnar batches
// (appendColumns) and keyed batches (appendKeyed, the OpenTSDB fast path) go to the inner sink and
// only their newest accepted sample per series is noted. For keyed batches a store that offers
// touchedSeries() (Tsdb) notes them itself in the loop it already runs (a few ns per sample; the
// sink then takes the touched series at publish time). Otherwise the sink runs its own loop: a keyed
// series is decoded once and its record found again through the store's series handle
// (keyed.handles[k]), a few array reads per sample. With `publishEveryMs`, durable samples are
// gathered and published at most that often, so the event volume stays bounded at any ingestion rate.
import type { SampleSink } from '../ingest/samples.js';
import type { SampleColumns } from '../tsdb/columns.js';
import type { KeyedSamples, KeyedSeries, TouchedSeries, TouchedTake } from '../tsdb/index.js';
import { seriesKey } from '../tsdb/series.js';
import type { MetricType, Tags } from '../tsdb/types.js';
import type { LiveEvents, LiveSample } from './events.js';

/** Most samples one event carries; more are sent as several events. */
export const MAX_SAMPLES_PER_EVENT = 500;

/** Outcome of a columnar append (as Tsdb.appendColumns returns it). */
export interface ColumnsSummary {
  accepted: number;
  rejected: Array<{ index: number; error: string }>;
}

/** Outcome of a keyed append (as Tsdb.appendKeyed returns it). */
export interface KeyedSummary {
  accepted: number;
  rejected: number;
}

/** A sink that may also take columnar and keyed batches (Tsdb does). */
export type MaybeColumnSink = SampleSink & {
  appendColumns?(projectId: number, cols: SampleColumns, type?: MetricType): ColumnsSummary;
  /**
   * As Tsdb.appendKeyed: `refused` receives the indexes of the refused samples, in increasing order;
   * `touched` (from touchedSeries(), when the sink has it) notes the newest accepted sample per series.
   */
  appendKeyed?(projectId: number, keyed: KeyedSeries, batch: KeyedSamples, refused?: number[], touched?: TouchedSeries): KeyedSummary;
  /** As Tsdb.touchedSeries: a tracker appendKeyed fills when given it. */
  touchedSeries?(): TouchedSeries;
};

/** Options of liveSampleSink. */
export interface LiveSampleSinkOptions {
  /**
   * 0 (default): each commit() publishes, once durable, what was appended before it. More: commit()
   * only forwards; at most once per this many ms the sink gathers what was appended since the last
   * time (the latest per series), waits until it is durable and publishes it, so a high ingestion
   * rate costs neither work per commit nor as many events.
   */
  publishEveryMs?: number;
}

/** One series met through appendKeyed. Its newest pending sample is in the sink's arrays at `id`. */
interface KeyedRecord {
  id: number;
  /** The store's handle of the series (undefined: the store caches none). */
  handle: object | undefined;
  projectId: number;
  name: string;
  tags: Tags;
  key: string;
  /** Generation of the pending list the record is in (its sample is then at pT/pV[id]). */
  gen: number;
}

/** Per KeyedSeries: the record of each key, valid while keyed.handles[k] is still the record's handle. */
interface KeyedState {
  handles: Array<object | undefined>;
  records: Array<KeyedRecord | undefined>;
  /** Records by series key, for a store that caches no handles (found again without one). */
  byKey: Map<string, KeyedRecord>;
}

/**
 * Returns a sink that forwards to `sink` and publishes, once durable, the latest accepted sample of
 * every series appended (grouped per project; see LiveSampleSinkOptions for when). It has
 * appendColumns / appendKeyed exactly when `sink` has. One instance per caller: pending samples are not shared.
 */
export function liveSampleSink(sink: MaybeColumnSink, live: LiveEvents, opts: LiveSampleSinkOptions = {}): MaybeColumnSink {
  const every = opts.publishEveryMs ?? 0;
  // Pending (appended, not yet gathered): samples of append/appendColumns by project and series key…
  let pending = new Map<number, Map<string, LiveSample>>();
  // …and of appendKeyed: the records, their newest samples in typed arrays by record id (doubles
  // stored in objects would be boxed: an allocation per sample).
  let gen = 1;
  const pRecs: KeyedRecord[] = [];
  let pN = 0; // pRecs[0, pN) are pending (the array is not shrunk: no regrowth each time)
  let nextId = 0;
  let pT: Float64Array = new Float64Array(256);
  let pV: Float64Array = new Float64Array(256);
  /** A pending series may have several records (no store handle to find the first by). */
  let pAlias = false;
  let timer: NodeJS.Timeout | null = null;
  // The store's own tracking of keyed samples, when it offers it (then the loop below is unused);
  // made on the first keyed batch (a sink made per request never needs one).
  const tracks = sink.appendKeyed !== undefined && sink.touchedSeries !== undefined;
  let tracker: TouchedSeries | undefined;

  // Buffers of gathered (t, v) pairs waiting for their commit, reused.
  const spare: Float64Array[] = [];
  const takeBuffer = (size: number): Float64Array => {
    const b = spare.pop();
    return b !== undefined && b.length >= size ? b : new Float64Array(Math.max(size, 2048));
  };

  const states = new WeakMap<KeyedSeries, KeyedState>();
  /** Records by store handle: keys of one series (tags in another order, say) share one. */
  const byHandle = new WeakMap<object, KeyedRecord>();

  const note = (projectId: number, name: string, tags: Tags, t: number, v: number): void => {
    let latest = pending.get(projectId);
    if (latest === undefined) pending.set(projectId, (latest = new Map()));
    const key = seriesKey(projectId, name, tags);
    const prev = latest.get(key);
    if (prev === undefined) latest.set(key, { name, tags: { ...tags }, t, v });
    else if (t >= prev.t) {
      prev.t = t;
      prev.v = v;
    }
  };

  /** The record of key k (store handle h, after the append) of `keyed`, decoding the series when new. */
  const recordOf = (state: KeyedState, keyed: KeyedSeries, k: number, h: object | undefined, projectId: number): KeyedRecord => {
    let rec = h === undefined ? undefined : byHandle.get(h);
    if (rec === undefined) {
      const name = keyed.name(k);
      const tags = Object.freeze({ ...keyed.tags(k) }); // shared by every event of the series
      const key = seriesKey(projectId, name, tags);
      rec = h === undefined ? state.byKey.get(key) : undefined;
      if (rec === undefined) {
        if (nextId === pT.length) {
          const grow = (a: Float64Array): Float64Array => {
            const b = new Float64Array(a.length * 2);
            b.set(a);
            return b;
          };
          pT = grow(pT);
          pV = grow(pV);
        }
        rec = { id: nextId++, handle: h, projectId, name, tags, key, gen: 0 };
        if (h === undefined) state.byKey.set(key, rec);
      }
      if (h === undefined) pAlias = true; // other keys or paths may hold the same series
      else byHandle.set(h, rec);
    }
    state.records[k] = rec;
    return rec;
  };

  /** Notes the newest accepted sample per series of a keyed batch; refused[from…] are the refused indexes. */
  const noteKeyed = (projectId: number, keyed: KeyedSeries, batch: KeyedSamples, refused: number[], from: number): void => {
    const handles = keyed.handles;
    let state = states.get(keyed);
    // A new handles array means the keys were given out again (OpenTsdbKeyTable.clear).
    if (state === undefined || state.handles !== handles) states.set(keyed, (state = { handles, records: [], byKey: new Map() }));
    const records = state.records;
    const { count, keys, timestamps, values } = batch;
    const g = gen;
    const recs = pRecs;
    let n = pN;
    let ts = pT;
    let vs = pV;
    let j = from;
    let skip = j < refused.length ? refused[j]! : -1;
    for (let i = 0; i < count; i++) {
      if (i === skip) {
        skip = ++j < refused.length ? refused[j]! : -1;
        continue;
      }
      const k = keys[i]!;
      const h = handles[k];
      let rec = records[k];
      if (rec === undefined || rec.handle !== h || h === undefined) {
        rec = recordOf(state, keyed, k, h, projectId);
        ts = pT; // a new record may have grown the arrays
        vs = pV;
      }
      const t = Math.round(timestamps[i]!); // as the store keeps it
      const id = rec.id;
      if (rec.gen !== g) {
        rec.gen = g;
        ts[id] = t;
        vs[id] = values[i]!;
        recs[n++] = rec;
      } else if (t >= ts[id]!) {
        ts[id] = t;
        vs[id] = values[i]!;
      }
    }
    pN = n;
  };

  /**
   * Gathers the pending samples, waits until the inner sink has made everything appended so far
   * durable (rejects as its commit does) and publishes them: per project, events of at most
   * MAX_SAMPLES_PER_EVENT.
   */
  const commitAndPublish = async (): Promise<void> => {
    const map = pending;
    const took: TouchedTake | undefined = tracker?.take();
    const n = pN;
    const recs = pRecs.slice(0, n);
    // Copied: appends while the commit runs change the records' samples.
    const tv = takeBuffer(2 * n);
    const [fromT, fromV] = [pT, pV];
    for (let i = 0; i < n; i++) {
      const id = recs[i]!.id;
      tv[2 * i] = fromT[id]!;
      tv[2 * i + 1] = fromV[id]!;
    }
    const keyedCount = n + (took?.count ?? 0);
    // A series may be both in the map and keyed, or in several records: then merged by series key.
    const alias = pAlias || (map.size > 0 && keyedCount > 0);
    pending = new Map();
    pN = 0;
    pAlias = false;
    gen++;
    try {
      await sink.commit();
      const byProject = new Map<number, LiveSample[] | Map<string, LiveSample>>();
      if (alias) {
        for (const [projectId, latest] of map) byProject.set(projectId, latest);
        const merge = (projectId: number, key: string, name: string, tags: Tags, t: number, v: number): void => {
          let m = byProject.get(projectId) as Map<string, LiveSample> | undefined;
          if (m === undefined) byProject.set(projectId, (m = new Map()));
          const prev = m.get(key);
          if (prev === undefined) m.set(key, { name, tags, t, v });
          else if (t >= prev.t) {
            prev.t = t;
            prev.v = v;
          }
        };
        for (let i = 0; i < n; i++) {
          const r = recs[i]!;
          merge(r.projectId, r.key, r.name, r.tags, tv[2 * i]!, tv[2 * i + 1]!);
        }
        if (took !== undefined) {
          for (let i = 0; i < took.count; i++) {
            const s = took.series[i]!;
            merge(s.projectId, seriesKey(s.projectId, s.name, s.tags), s.name, s.tags, took.t[i]!, took.v[i]!);
          }
        }
      } else {
        for (const [projectId, latest] of map) byProject.set(projectId, [...latest.values()]);
        let lastProject = -1;
        let list: LiveSample[] = [];
        const listOf = (projectId: number): LiveSample[] => {
          if (projectId !== lastProject) {
            lastProject = projectId;
            let l = byProject.get(projectId) as LiveSample[] | undefined;
            if (l === undefined) byProject.set(projectId, (l = []));
            list = l;
          }
          return list;
        };
        for (let i = 0; i < n; i++) {
          const r = recs[i]!;
          listOf(r.projectId).push({ name: r.name, tags: r.tags, t: tv[2 * i]!, v: tv[2 * i + 1]! });
        }
        if (took !== undefined) {
          for (let i = 0; i < took.count; i++) {
            const s = took.series[i]!;
            listOf(s.projectId).push({ name: s.name, tags: s.tags, t: took.t[i]!, v: took.v[i]! });
          }
        }
      }
      for (const [projectId, got] of byProject) {
        const samples = Array.isArray(got) ? got : [...got.values()];
        for (let i = 0; i < samples.length; i += MAX_SAMPLES_PER_EVENT) {
          live.publish({ type: 'samples', projectId, samples: samples.slice(i, i + MAX_SAMPLES_PER_EVENT) });
        }
      }
    } finally {
      if (spare.length < 16) spare.push(tv);
    }
  };

  /** With publishEveryMs: commitAndPublish once the interval has passed (a failed commit publishes nothing). */
  const schedule = (): void => {
    if (timer !== null || (pN === 0 && pending.size === 0 && (tracker === undefined || tracker.size === 0))) return;
    timer = setTimeout(() => {
      timer = null;
      commitAndPublish().catch(() => undefined).finally(schedule);
    }, every);
    timer.unref();
  };

  const out: MaybeColumnSink = {
    append(projectId, name, tags, timestampMs, value, type) {
      const err = sink.append(projectId, name, tags, timestampMs, value, type);
      if (err === null) note(projectId, name, tags, timestampMs, value);
      return err;
    },
    async commit() {
      if (every <= 0) return commitAndPublish();
      schedule();
      await sink.commit();
    },
  };
  const appendColumns = sink.appendColumns?.bind(sink);
  if (appendColumns !== undefined) {
    out.appendColumns = (projectId, cols, type) => {
      const r = appendColumns(projectId, cols, type);
      // The newest accepted sample of each series of the batch.
      const refused = new Uint8Array(cols.count);
      for (const x of r.rejected) if (x.index >= 0 && x.index < cols.count) refused[x.index] = 1;
      const best = new Int32Array(cols.names.length).fill(-1);
      for (let k = 0; k < cols.count; k++) {
        if (refused[k] === 1) continue;
        const s = cols.series[k]!;
        const b = best[s]!;
        if (b < 0 || cols.timestamps[k]! >= cols.timestamps[b]!) best[s] = k;
      }
      for (let s = 0; s < best.length; s++) {
        const k = best[s]!;
        if (k >= 0) note(projectId, cols.names[s]!, cols.tags[s] ?? {}, cols.timestamps[k]!, cols.values[k]!);
      }
      return r;
    };
  }
  const appendKeyed = sink.appendKeyed?.bind(sink);
  if (appendKeyed !== undefined) {
    const scratch: number[] = [];
    out.appendKeyed = (projectId, keyed, batch, refused, touched) => {
      if (touched !== undefined) throw new Error('liveSampleSink: appendKeyed tracks its samples itself; pass no touched tracker');
      if (tracks) return appendKeyed(projectId, keyed, batch, refused, (tracker ??= sink.touchedSeries!()));
      const list = refused ?? scratch;
      const from = list.length;
      const r = appendKeyed(projectId, keyed, batch, list);
      // Only when the refused samples are known (a sink that does not list them publishes nothing).
      if (r.accepted > 0 && list.length - from === r.rejected) noteKeyed(projectId, keyed, batch, list, from);
      if (list === scratch) scratch.length = 0;
      return r;
    };
  }
  return out;
}
