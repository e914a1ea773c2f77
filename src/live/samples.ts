// A SampleSink decorator that publishes accepted samples as live `samples` events once they are
// durable, so open charts redraw within a second. Wrap the sink an ingest path writes to. Per commit
// it carries only the latest sample of each series (a chart needs the newest point, not every one),
// so its memory and event size follow the number of series, not of samples. Columnar batches
// (appendColumns) go to the inner sink and only their newest accepted sample per series is noted.
// Keyed batches (appendKeyed, the OpenTSDB fast path) go to the inner sink with a tracker it made
// (touchedSeries(), part of the keyed contract: Tsdb notes the newest accepted sample per series in
// the loop it already runs, a few ns per sample); the sink takes the touched series at publish time.
// With `publishEveryMs`, durable samples are gathered and published at most that often, so the
// event volume stays bounded at any ingestion rate.
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

/** A sink that takes keyed batches, and the tracker that goes with them (Tsdb is one). */
export interface KeyedSink {
  /**
   * As Tsdb.appendKeyed: `refused` receives the indexes of the refused samples, in increasing order;
   * `touched` (from touchedSeries()) notes the newest accepted sample per series.
   */
  appendKeyed(projectId: number, keyed: KeyedSeries, batch: KeyedSamples, refused?: number[], touched?: TouchedSeries): KeyedSummary;
  /** As Tsdb.touchedSeries: a tracker appendKeyed fills when given it. */
  touchedSeries(): TouchedSeries;
}

/** What liveSampleSink wraps: a SampleSink that may also take columnar batches and keyed ones (then with their tracker). */
export type MaybeColumnSink = SampleSink & {
  appendColumns?(projectId: number, cols: SampleColumns, type?: MetricType): ColumnsSummary;
} & (KeyedSink | { appendKeyed?: undefined; touchedSeries?: undefined });

/** What liveSampleSink returns: the inner sink's paths; appendKeyed takes no tracker (the live sink passes its own). */
export type LiveSampleSink = SampleSink & {
  appendColumns?(projectId: number, cols: SampleColumns, type?: MetricType): ColumnsSummary;
  appendKeyed?(projectId: number, keyed: KeyedSeries, batch: KeyedSamples, refused?: number[]): KeyedSummary;
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

/**
 * Returns a sink that forwards to `sink` and publishes, once durable, the latest accepted sample of
 * every series appended (grouped per project; see LiveSampleSinkOptions for when). It has
 * appendColumns / appendKeyed exactly when `sink` has. One instance per caller: pending samples are not shared.
 */
export function liveSampleSink(sink: MaybeColumnSink, live: LiveEvents, opts: LiveSampleSinkOptions = {}): LiveSampleSink {
  const every = opts.publishEveryMs ?? 0;
  // Pending (appended, not yet gathered): samples of append/appendColumns by project and series key;
  // those of appendKeyed are in the store's tracker, made on the first keyed batch (a sink made per
  // request never needs one).
  let pending = new Map<number, Map<string, LiveSample>>();
  let tracker: TouchedSeries | undefined;
  let timer: NodeJS.Timeout | null = null;

  const note = (projectId: number, name: string, tags: Tags, t: number, v: number): void => {
    keepNewest(pending, projectId, name, tags, t, v, true);
  };

  /** Per project (in first-seen order) the gathered samples: the map's, then the keyed ones; merged by series key when both are there. */
  const gather = (map: Map<number, Map<string, LiveSample>>, took: TouchedTake | undefined): Map<number, LiveSample[]> => {
    const byProject = new Map<number, LiveSample[]>();
    const keyed = took?.count ?? 0;
    if (keyed > 0 && map.size > 0) {
      // A series may have come both ways (append and appendKeyed): the newer sample is kept.
      for (let i = 0; i < keyed; i++) {
        const s = took!.series[i]!;
        keepNewest(map, s.projectId, s.name, s.tags, took!.t[i]!, took!.v[i]!, false);
      }
      for (const [projectId, latest] of map) byProject.set(projectId, [...latest.values()]);
      return byProject;
    }
    for (const [projectId, latest] of map) byProject.set(projectId, [...latest.values()]);
    let lastProject = -1;
    let list: LiveSample[] = [];
    for (let i = 0; i < keyed; i++) {
      const s = took!.series[i]!;
      if (s.projectId !== lastProject) {
        lastProject = s.projectId;
        let l = byProject.get(lastProject);
        if (l === undefined) byProject.set(lastProject, (l = []));
        list = l;
      }
      list.push({ name: s.name, tags: s.tags, t: took!.t[i]!, v: took!.v[i]! });
    }
    return byProject;
  };

  /**
   * Gathers the pending samples, waits until the inner sink has made everything appended so far
   * durable (rejects as its commit does) and publishes them: per project, events of at most
   * MAX_SAMPLES_PER_EVENT.
   */
  const commitAndPublish = async (): Promise<void> => {
    const map = pending;
    const took = tracker?.take(); // a copy: appends while the commit runs go to the next take
    pending = new Map();
    await sink.commit();
    for (const [projectId, samples] of gather(map, took)) {
      for (let i = 0; i < samples.length; i += MAX_SAMPLES_PER_EVENT) {
        live.publish({ type: 'samples', projectId, samples: samples.slice(i, i + MAX_SAMPLES_PER_EVENT) });
      }
    }
  };

  /** With publishEveryMs: commitAndPublish once the interval has passed (a failed commit publishes nothing). */
  const schedule = (): void => {
    if (timer !== null || (pending.size === 0 && (tracker === undefined || tracker.size === 0))) return;
    timer = setTimeout(() => {
      timer = null;
      commitAndPublish().catch(() => undefined).finally(schedule);
    }, every);
    timer.unref();
  };

  const out: LiveSampleSink = {
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
  if (sink.appendKeyed !== undefined) {
    const keyedSink: KeyedSink = sink;
    if (typeof keyedSink.touchedSeries !== 'function') throw new TypeError('liveSampleSink: a sink with appendKeyed must offer touchedSeries()');
    // `touched` is not in LiveSampleSink's type; checked for callers that pass one anyway.
    out.appendKeyed = (projectId, keyed, batch, refused, touched?: unknown) => {
      if (touched !== undefined) throw new Error('liveSampleSink: appendKeyed tracks its samples itself; pass no touched tracker');
      return keyedSink.appendKeyed(projectId, keyed, batch, refused, (tracker ??= keyedSink.touchedSeries()));
    };
  }
  return out;
}

/**
 * Keeps (t, v) as the sample of the series in `byProject` unless a newer one is there (of equal
 * timestamps the later call wins). `copyTags`: the caller's tags object may change later.
 */
function keepNewest(byProject: Map<number, Map<string, LiveSample>>, projectId: number, name: string, tags: Tags, t: number, v: number, copyTags: boolean): void {
  let latest = byProject.get(projectId);
  if (latest === undefined) byProject.set(projectId, (latest = new Map()));
  const key = seriesKey(projectId, name, tags);
  const prev = latest.get(key);
  if (prev === undefined) latest.set(key, { name, tags: copyTags ? { ...tags } : tags, t, v });
  else if (t >= prev.t) {
    prev.t = t;
    prev.v = v;
  }
}
