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

/** One series met through appendKeyed, with its slots in the pending and ready lists. */
interface KeyedRecord {
  projectId: number;
  name: string;
  tags: Tags;
  key: string;
  /** Generation of the pending list `slot` belongs to. */
  gen: number;
  slot: number;
  /** Generation of the ready list `rslot` belongs to. */
  rgen: number;
  rslot: number;
}

/** Per KeyedSeries: the record of each key, valid while keyed.handles[k] is still `handleOf[k]`. */
interface KeyedState {
  handles: Array<object | undefined>;
  records: Array<KeyedRecord | undefined>;
  handleOf: Array<object | undefined>;
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
  // …and of appendKeyed, one slot per record.
  let gen = 1;
  let pRecs: KeyedRecord[] = [];
  let pT: number[] = [];
  let pV: number[] = [];
  /** A pending series may have several records (no store handle to find the first by). */
  let pAlias = false;
  // Durable, not yet published (the same two forms).
  let ready = new Map<number, Map<string, LiveSample>>();
  let rgen = 1;
  let rRecs: KeyedRecord[] = [];
  let rT: number[] = [];
  let rV: number[] = [];
  let rAlias = false;
  let timer: NodeJS.Timeout | null = null;

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
      rec = { projectId, name, tags, key: seriesKey(projectId, name, tags), gen: 0, slot: 0, rgen: 0, rslot: 0 };
      if (h === undefined) pAlias = true;
      else byHandle.set(h, rec);
    }
    state.records[k] = rec;
    state.handleOf[k] = h;
    return rec;
  };

  /** Notes the newest accepted sample per series of a keyed batch; refused[from…] are the refused indexes. */
  const noteKeyed = (projectId: number, keyed: KeyedSeries, batch: KeyedSamples, refused: number[], from: number): void => {
    const handles = keyed.handles;
    let state = states.get(keyed);
    // A new handles array means the keys were given out again (OpenTsdbKeyTable.clear).
    if (state === undefined || state.handles !== handles) states.set(keyed, (state = { handles, records: [], handleOf: [] }));
    const { records, handleOf } = state;
    const { count, keys, timestamps, values } = batch;
    const g = gen;
    const recs = pRecs;
    const ts = pT;
    const vs = pV;
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
      if (rec === undefined || h === undefined || handleOf[k] !== h) rec = recordOf(state, keyed, k, h, projectId);
      const t = Math.round(timestamps[i]!); // as the store keeps it
      if (rec.gen === g) {
        const s = rec.slot;
        if (t >= ts[s]!) {
          ts[s] = t;
          vs[s] = values[i]!;
        }
      } else {
        rec.gen = g;
        rec.slot = recs.length;
        recs.push(rec);
        ts.push(t);
        vs.push(values[i]!);
      }
    }
  };

  /** Publishes the ready samples: per project, events of at most MAX_SAMPLES_PER_EVENT. */
  const publish = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    const map = ready;
    const recs = rRecs;
    const ts = rT;
    const vs = rV;
    const alias = rAlias || (map.size > 0 && recs.length > 0);
    ready = new Map();
    rRecs = [];
    rT = [];
    rV = [];
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
        const prev = m.get(r.key);
        if (prev === undefined) m.set(r.key, { name: r.name, tags: r.tags, t: ts[i]!, v: vs[i]! });
        else if (ts[i]! >= prev.t) {
          prev.t = ts[i]!;
          prev.v = vs[i]!;
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
        list.push({ name: r.name, tags: r.tags, t: ts[i]!, v: vs[i]! });
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
      const recs = pRecs;
      const ts = pT;
      const vs = pV;
      const alias = pAlias;
      pending = new Map();
      pRecs = [];
      pT = [];
      pV = [];
      pAlias = false;
      gen++;
      await sink.commit();
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
      for (let i = 0; i < recs.length; i++) {
        const r = recs[i]!;
        if (r.rgen === g) {
          const s = r.rslot;
          if (ts[i]! >= rT[s]!) {
            rT[s] = ts[i]!;
            rV[s] = vs[i]!;
          }
        } else {
          r.rgen = g;
          r.rslot = rRecs.length;
          rRecs.push(r);
          rT.push(ts[i]!);
          rV.push(vs[i]!);
        }
      }
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
