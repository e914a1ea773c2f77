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
 * The touched series of one generation (since the last take). appendKeyed reads and writes the
 * by-id arrays directly (gens/t/v: the generation that touched a series id, and its newest sample).
 */
export class TouchedSeries {
  /** Current generation; ids with gens[id] === gen are in `list`. Starts at 1 (arrays start at 0). */
  gen = 1;
  gens = new Uint32Array(1024);
  t = new Float64Array(1024);
  v = new Float64Array(1024);
  private list: TouchedSeriesInfo[] = [];

  /** `alive(s)`: whether s is still a series of the store (a dropped project's are not taken). */
  constructor(private readonly alive: (s: TouchedSeriesInfo) => boolean) {}

  /** First touch of `s` in this generation (appendKeyed then updates t/v itself; re-read the arrays: they may grow). */
  add(s: TouchedSeriesInfo, t: number, v: number): void {
    const id = s.id;
    if (id >= this.gens.length) {
      let cap = this.gens.length * 2;
      while (cap <= id) cap *= 2;
      const gens = new Uint32Array(cap);
      gens.set(this.gens);
      const ts = new Float64Array(cap);
      ts.set(this.t);
      const vs = new Float64Array(cap);
      vs.set(this.v);
      this.gens = gens;
      this.t = ts;
      this.v = vs;
    }
    this.gens[id] = this.gen;
    this.t[id] = t;
    this.v[id] = v;
    this.list.push(s);
  }

  /** Number of series touched since the last take. */
  get size(): number {
    return this.list.length;
  }

  /** The series touched since the last take with their newest samples (in first-touch order); starts a new generation. */
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
      if (!this.alive(s)) continue;
      t[series.length] = ts[s.id]!;
      v[series.length] = vs[s.id]!;
      series.push(s);
    }
    list.length = 0;
    this.gen++;
    if (this.gen === 0xffffffff) { // wrapped around (after 4 billion takes): forget every mark
      this.gens.fill(0);
      this.gen = 1;
    }
    return { count: series.length, series, t, v };
  }
}
