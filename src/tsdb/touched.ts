// Which series Tsdb.appendKeyed wrote since the last take, and the newest accepted sample of each:
// what a live view needs (src/live/samples.ts), kept by the store in the loop it already runs, so
// it costs a few array reads and writes per sample and nothing per series beyond the first. Made by
// Tsdb.touchedSeries() and passed to appendKeyed; one per caller (a take empties it).

/** A series as a take names it (a store's SeriesEntry). */
export interface TouchedSeriesInfo {
  readonly id: number;
  readonly projectId: number;
  readonly name: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** What take() returns: series[i]'s newest sample is (t[i], v[i]). */
export interface TouchedTake {
  count: number;
  series: TouchedSeriesInfo[];
  t: Float64Array;
  v: Float64Array;
}

/**
 * The series touched since the last take. appendKeyed reads and writes the by-id arrays directly:
 * t[id] is -Infinity for a series not touched since the last take, else its newest timestamp (and
 * v[id] its value), so one read tells both whether the series is new to the list and whether the
 * sample is newer.
 */
export class TouchedSeries {
  t = new Float64Array(1024).fill(-Infinity);
  v = new Float64Array(1024);
  private list: TouchedSeriesInfo[] = [];

  /** `alive(s)`: whether s is still a series of the store (a dropped project's are not taken). */
  constructor(private readonly alive: (s: TouchedSeriesInfo) => boolean) {}

  /** First touch of `s` since the last take, its sample already in t/v (appendKeyed). */
  note(s: TouchedSeriesInfo): void {
    this.list.push(s);
  }

  /** First touch of `s`, whose id is beyond the arrays: grows them (appendKeyed re-reads them) and notes it. */
  add(s: TouchedSeriesInfo, t: number, v: number): void {
    const id = s.id;
    let cap = this.t.length * 2;
    while (cap <= id) cap *= 2;
    const ts = new Float64Array(cap).fill(-Infinity);
    ts.set(this.t);
    const vs = new Float64Array(cap);
    vs.set(this.v);
    this.t = ts;
    this.v = vs;
    ts[id] = t;
    vs[id] = v;
    this.list.push(s);
  }

  /** Number of series touched since the last take. */
  get size(): number {
    return this.list.length;
  }

  /** The series touched since the last take with their newest samples (in first-touch order); starts over. */
  take(): TouchedTake {
    const list = this.list;
    const n = list.length;
    const t = new Float64Array(n);
    const v = new Float64Array(n);
    const series: TouchedSeriesInfo[] = [];
    const ts = this.t;
    const vs = this.v;
    for (let i = 0; i < n; i++) {
      const s = list[i]!;
      const id = s.id;
      const newest = ts[id]!;
      ts[id] = -Infinity;
      if (!this.alive(s)) continue;
      t[series.length] = newest;
      v[series.length] = vs[id]!;
      series.push(s);
    }
    list.length = 0;
    return { count: series.length, series, t, v };
  }
}
