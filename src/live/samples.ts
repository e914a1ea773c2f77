// A SampleSink decorator that publishes accepted samples as live `samples` events once they are
// durable, so open charts redraw within a second. Wrap the sink an ingest path writes to. Per commit
// it carries only the latest sample of each series (a chart needs the newest point, not every one),
// so its memory and event size follow the number of series, not of samples. Columnar batches
// (appendColumns) and keyed batches (appendKeyed, the OpenTSDB fast path) go to the inner sink and
// only their newest accepted sample per series is noted. A keyed series is decoded once: its record
// is found again through the store's series handle (keyed.handles[k]), so a known series costs a few
// array reads per sample and no allocation. With `publishEveryMs`, durable samples are gathered and
// published at most that often, so the event volume stays bounded at any ingestion rate.
import type { SampleSink } from '../ingest/samples.js';
import type { SampleColumns } from '../tsdb/columns.js';
import type { KeyedSamples, KeyedSeries } from '../tsdb/index.js';
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
  /** As Tsdb.appendKeyed: `refused` receives the indexes of the refused samples, in increasing order. */
  appendKeyed?(projectId: number, keyed: KeyedSeries, batch: KeyedSamples, refused?: number[]): KeyedSummary;
};

/** Options of liveSampleSink. */
export interface LiveSampleSinkOptions {
  /**
   * 0 (default): publish right after each commit. More: gather the durable samples (the latest per
   * series) and publish them at most once per this many ms, so a high ingestion rate does not
   * become as many events.
   */
  publishEveryMs?: number;
}

/** One series met through appendKeyed. Its samples are in the sink's typed arrays at `id`. */
interface KeyedRecord {
  id: number;
  /** The store's handle of the series (undefined: the store caches none). */
  handle: object | undefined;
  projectId: number;
  name: string;
  tags: Tags;
  key: string;
  /** Pending generation whose newest sample is at pT/pV[id] (the record is then in that list). */
  gen: number;
  /** Ready generation whose newest durable sample is at rT/rV[id] (the record is then in that list). */
  rgen: number;
}

/** Per KeyedSeries: the record of each key, valid while keyed.handles[k] is still the record's handle. */
interface KeyedState {
  handles: Array<object | undefined>;
  records: Array<KeyedRecord | undefined>;
  /** Records by series key, for a store that caches no handles (found again without one). */
  byKey: Map<string, KeyedRecord>;
}

/**
 * Returns a sink that forwards to `sink` and, after each successful commit, publishes the latest
 * accepted sample of every series appended since the previous commit (grouped per project). It has
 * appendColumns / appendKeyed exactly when `sink` has. One instance per caller: pending samples are not shared.
 */
export function liveSampleSink(sink: MaybeColumnSink, live: LiveEvents, opts: LiveSampleSinkOptions = {}): MaybeColumnSink {
  const every = opts.publishEveryMs ?? 0;
  // Since the last commit: samples of append/appendColumns by project and series key…
  let pending = new Map<number, Map<string, LiveSample>>();
  // …and of appendKeyed: the records, their samples in typed arrays by record id (doubles stored
  // in objects would be boxed: an allocation per sample).
  let gen = 1;
  const pRecs: KeyedRecord[] = [];
  let nextId = 0;
  let pN = 0; // pRecs[0, pN) are pending (the array is not shrunk: no regrowth per commit)
  let pT: Float64Array = new Float64Array(256);
  let pV: Float64Array = new Float64Array(256);
  let rT: Float64Array = new Float64Array(256);
  let rV: Float64Array = new Float64Array(256);
  /** A pending series may have several records (no store handle to find the first by). */
  let pAlias = false;
  // Durable, not yet published (the same two forms).
  let ready = new Map<number, Map<string, LiveSample>>();
  let rgen = 1;
  let rRecs: KeyedRecord[] = [];
  let rAlias = false;
  let timer: NodeJS.Timeout | null = null;

  // Snapshot buffers of commits in flight (t, v pairs), reused: one allocation per commit is measurable.
  const spare: Float64Array[] = [];
  const takeSnapshot = (size: number): Float64Array => {
    const b = spare.pop();
    return b !== undefined && b.length >= size ? b : new Float64Array(Math.max(size, 2048));
  };
  const releaseSnapshot = (b: Float64Array): void => {
    if (spare.length < 16) spare.push(b);
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
          rT = grow(rT);
          rV = grow(rV);
        }
        rec = { id: nextId++, handle: h, projectId, name, tags, key, gen: 0, rgen: 0 };
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

  /** Publishes the ready samples: per project, events of at most MAX_SAMPLES_PER_EVENT. */
  const publish = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    const map = ready;
    const recs = rRecs;
    const alias = rAlias || (map.size > 0 && recs.length > 0);
    ready = new Map();
    rRecs = [];
    rAlias = false;
    rgen++;
    const byProject = new Map<number, LiveSample[] | Map<string, LiveSample>>();
    if (alias) {
      // A series may be both in the map and in records, or in several records: one sample each.
      for (const [projectId, latest] of map) byProject.set(projectId, latest);
      for (let i = 0; i < recs.length; i++) {
        const r = recs[i]!;
        let m = byProject.get(r.projectId) as Map<string, LiveSample> | undefined;
        if (m === undefined) byProject.set(r.projectId, (m = new Map()));
        const t = rT[r.id]!;
        const prev = m.get(r.key);
        if (prev === undefined) m.set(r.key, { name: r.name, tags: r.tags, t, v: rV[r.id]! });
        else if (t >= prev.t) {
          prev.t = t;
          prev.v = rV[r.id]!;
        }
      }
    } else {
      for (const [projectId, latest] of map) byProject.set(projectId, [...latest.values()]);
      let lastProject = -1;
      let list: LiveSample[] = [];
      for (let i = 0; i < recs.length; i++) {
        const r = recs[i]!;
        if (r.projectId !== lastProject) {
          lastProject = r.projectId;
          let l = byProject.get(lastProject) as LiveSample[] | undefined;
          if (l === undefined) byProject.set(lastProject, (l = []));
          list = l;
        }
        list.push({ name: r.name, tags: r.tags, t: rT[r.id]!, v: rV[r.id]! });
      }
    }
    for (const [projectId, got] of byProject) {
      const samples = Array.isArray(got) ? got : [...got.values()];
      for (let i = 0; i < samples.length; i += MAX_SAMPLES_PER_EVENT) {
        live.publish({ type: 'samples', projectId, samples: samples.slice(i, i + MAX_SAMPLES_PER_EVENT) });
      }
    }
  };

  const out: MaybeColumnSink = {
    append(projectId, name, tags, timestampMs, value, type) {
      const err = sink.append(projectId, name, tags, timestampMs, value, type);
      if (err === null) note(projectId, name, tags, timestampMs, value);
      return err;
    },
    async commit() {
      const batch = pending;
      // What this commit makes durable, copied: later appends change the records' samples meanwhile.
      const n = pN;
      const recs = pRecs.slice(0, n);
      const snap = takeSnapshot(2 * n);
      const [fromT, fromV] = [pT, pV];
      for (let i = 0; i < n; i++) {
        const id = recs[i]!.id;
        snap[2 * i] = fromT[id]!;
        snap[2 * i + 1] = fromV[id]!;
      }
      pN = 0;
      const alias = pAlias;
      pending = new Map();
      pAlias = false;
      gen++;
      try {
        await sink.commit();
      } catch (err) {
        releaseSnapshot(snap);
        throw err;
      }
      // Durable now: into the ready samples, the latest per series.
      if (ready.size === 0) ready = batch;
      else {
        for (const [projectId, latest] of batch) {
          const into = ready.get(projectId);
          if (into === undefined) {
            ready.set(projectId, latest);
            continue;
          }
          for (const [key, s] of latest) {
            const prev = into.get(key);
            if (prev === undefined || s.t >= prev.t) into.set(key, s);
          }
        }
      }
      const g = rgen;
      const [toT, toV, readyRecs] = [rT, rV, rRecs];
      let m = readyRecs.length;
      for (let i = 0; i < n; i++) {
        const r = recs[i]!;
        const id = r.id;
        const t = snap[2 * i]!;
        if (r.rgen !== g) {
          r.rgen = g;
          toT[id] = t;
          toV[id] = snap[2 * i + 1]!;
          readyRecs[m++] = r;
        } else if (t >= toT[id]!) {
          toT[id] = t;
          toV[id] = snap[2 * i + 1]!;
        }
      }
      releaseSnapshot(snap);
      rAlias ||= alias;
      if (every <= 0) publish();
      else if (timer === null && (ready.size > 0 || rRecs.length > 0)) {
        timer = setTimeout(publish, every);
        timer.unref();
      }
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
    out.appendKeyed = (projectId, keyed, batch, refused) => {
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
