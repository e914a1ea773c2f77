// A SampleSink decorator that publishes accepted samples as live `samples` events once they are
// durable, so open charts redraw within a second. Wrap the sink an ingest path writes to. Per commit
// it carries only the latest sample of each series (a chart needs the newest point, not every one),
// so its memory and event size follow the number of series, not of samples; columnar batches
// (appendColumns) pass straight through to the inner sink.
import type { SampleSink } from '../ingest/samples.js';
import type { SampleColumns } from '../tsdb/columns.js';
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

/** A sink that may also take columnar batches (Tsdb does). */
export type MaybeColumnSink = SampleSink & {
  appendColumns?(projectId: number, cols: SampleColumns, type?: MetricType): ColumnsSummary;
};

/**
 * Returns a sink that forwards to `sink` and, after each successful commit, publishes the latest
 * accepted sample of every series appended since the previous commit (grouped per project). It has
 * appendColumns exactly when `sink` has. One instance per caller: the pending samples are not shared.
 */
export function liveSampleSink(sink: MaybeColumnSink, live: LiveEvents): MaybeColumnSink {
  let pending = new Map<number, Map<string, LiveSample>>();
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
  const out: MaybeColumnSink = {
    append(projectId, name, tags, timestampMs, value, type) {
      const err = sink.append(projectId, name, tags, timestampMs, value, type);
      if (err === null) note(projectId, name, tags, timestampMs, value);
      return err;
    },
    async commit() {
      const batch = pending;
      pending = new Map();
      await sink.commit();
      for (const [projectId, latest] of batch) {
        const samples = [...latest.values()];
        for (let i = 0; i < samples.length; i += MAX_SAMPLES_PER_EVENT) {
          live.publish({ type: 'samples', projectId, samples: samples.slice(i, i + MAX_SAMPLES_PER_EVENT) });
        }
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
  return out;
}
