// Query arithmetic, pure: puts points (raw samples or rollup buckets) of one or more series onto a
// step grid and aggregates. Bucket i covers [start + i·step, start + (i+1)·step); start = from
// rounded down to the step. Series in a group are combined: avg/min/max/sum/count and percentiles
// pool the points; `last` and `rate` add up the per-series results (e.g. total rate of a group).
// Percentiles of raw samples are exact (nearest rank). On rollup buckets (min, max, sum, count) each
// bucket stands for `count` samples in [min, max]: the count-weighted nearest rank of the maxima is an
// upper bound of the true percentile, that of the minima a lower bound, that of the means lies between.
// p ≥ 90 answers the upper bound (never below the truth), p ≤ 10 the lower, others the means; all are
// within the widest bucket (max − min) in the grid step of the true value.
import type { RollupBuckets } from './tiers.js';
import type { MetricType } from './types.js';

/** The aggregations a query can ask for; pNN is any percentile such as p50, p90, p99, p99.9. */
export type Aggregation = 'avg' | 'min' | 'max' | 'sum' | 'count' | 'last' | 'rate' | `p${number}`;

/** A parsed aggregation. */
export type AggSpec = { kind: 'avg' | 'min' | 'max' | 'sum' | 'count' | 'last' | 'rate' } | { kind: 'pct'; p: number };

/** Parses an aggregation name; null when unknown. */
export function parseAggregation(s: string): AggSpec | null {
  if (['avg', 'min', 'max', 'sum', 'count', 'last', 'rate'].includes(s)) return { kind: s as 'avg' };
  const m = /^p(\d{1,2}(?:\.\d+)?|100)$/.exec(s);
  if (m === null) return null;
  const p = Number(m[1]);
  return p > 0 && p <= 100 ? { kind: 'pct', p } : null;
}

/** The time grid of an answer. */
export interface Grid {
  start: number;
  step: number;
  count: number;
}

/** Grid covering [from, to] with `step`; start = from rounded down to a multiple of step. */
export function makeGrid(from: number, to: number, step: number): Grid {
  const start = Math.floor(from / step) * step;
  return { start, step, count: Math.floor((to - start) / step) + 1 };
}

/** The grid's timestamps. */
export function gridTimestamps(g: Grid): number[] {
  return Array.from({ length: g.count }, (_, i) => g.start + i * g.step);
}

/** Accumulates the series of one output group onto a grid. */
export class GroupAccumulator {
  private readonly sum: Float64Array;
  private readonly count: Float64Array;
  private readonly min: Float64Array;
  private readonly max: Float64Array;
  private readonly combined: Float64Array; // Σ of per-series last or rate
  private readonly has: Uint8Array;
  /** Percentiles: per grid bucket the pooled values and their weights (sample counts). */
  private readonly pooled: number[][] | null;
  private readonly weights: number[][] | null;
  private weighted = false;

  constructor(private readonly grid: Grid, private readonly agg: AggSpec) {
    const n = grid.count;
    this.sum = new Float64Array(n);
    this.count = new Float64Array(n);
    this.min = new Float64Array(n).fill(Infinity);
    this.max = new Float64Array(n).fill(-Infinity);
    this.combined = new Float64Array(n);
    this.has = new Uint8Array(n);
    this.pooled = agg.kind === 'pct' ? Array.from({ length: n }, () => []) : null;
    this.weights = agg.kind === 'pct' ? Array.from({ length: n }, () => []) : null;
  }

  private bucketOf(ts: number): number {
    const i = Math.floor((ts - this.grid.start) / this.grid.step);
    return i >= 0 && i < this.grid.count ? i : -1;
  }

  /**
   * Adds one series' points (ascending; raw samples have min = max = sum = last = value, count 1).
   * Points before `from` serve only as the previous value for `rate`; points after `to` are ignored.
   */
  addSeries(p: RollupBuckets, type: MetricType, from: number, to: number): void {
    const kind = this.agg.kind;
    if (kind === 'last' || kind === 'rate') {
      this.addCombined(p, type, from, to);
      return;
    }
    const { start, step, count } = this.grid;
    let i = -1;
    let bucketEnd = -Infinity;
    for (let j = 0; j < p.n; j++) {
      const ts = p.ts[j]!;
      if (ts < from) continue;
      if (ts > to) break;
      if (ts >= bucketEnd) {
        // Points are ascending: find the bucket once per bucket, not once per point.
        i = Math.floor((ts - start) / step);
        bucketEnd = start + (i + 1) * step;
      }
      if (i < 0 || i >= count) continue;
      this.has[i] = 1;
      this.sum[i]! += p.sum[j]!;
      this.count[i]! += p.count[j]!;
      const mn = p.min[j]!;
      const mx = p.max[j]!;
      // As rollup() builds buckets (tiers.ts): NaN sticks, and -0 sorts below +0.
      this.min[i] = Math.min(this.min[i]!, mn);
      this.max[i] = Math.max(this.max[i]!, mx);
      if (this.pooled !== null) {
        const c = p.count[j]!;
        // A raw sample (count 1) is itself; a rollup bucket stands for `c` samples in [min, max].
        const pct = (this.agg as { p: number }).p;
        this.pooled[i]!.push(c === 1 ? p.sum[j]! : pct >= 90 ? mx : pct <= 10 ? mn : p.sum[j]! / c);
        this.weights![i]!.push(c);
        if (c !== 1) this.weighted = true;
      }
    }
  }

  /**
   * last: value of the latest point per bucket; rate: per-second increase, a drop in a counter is a
   * reset; a series already of type rate contributes its bucket average.
   */
  private addCombined(p: RollupBuckets, type: MetricType, from: number, to: number): void {
    const n = this.grid.count;
    const per = new Float64Array(n);
    const seen = new Uint8Array(n);
    if (this.agg.kind === 'rate' && type === 'rate') {
      const cnt = new Float64Array(n);
      for (let j = 0; j < p.n; j++) {
        const ts = p.ts[j]!;
        const i = ts >= from && ts <= to ? this.bucketOf(ts) : -1;
        if (i < 0) continue;
        per[i]! += p.sum[j]!;
        cnt[i]! += p.count[j]!;
      }
      for (let i = 0; i < n; i++) {
        if (cnt[i] === 0) continue;
        this.has[i] = 1;
        this.combined[i]! += per[i]! / cnt[i]!;
      }
      return;
    }
    const isRate = this.agg.kind === 'rate';
    let prev = NaN;
    let hasPrev = false;
    for (let j = 0; j < p.n; j++) {
      const ts = p.ts[j]!;
      if (ts > to) break;
      const v = p.last[j]!;
      if (ts >= from) {
        const i = this.bucketOf(ts);
        if (i >= 0) {
          if (!isRate) {
            per[i] = v;
            seen[i] = 1;
          } else if (hasPrev) {
            let d = v - prev;
            if (type === 'counter' && d < 0) d = v; // reset: the counter restarted from zero
            per[i]! += d;
            seen[i] = 1;
          }
        }
      }
      prev = v;
      hasPrev = true;
    }
    const seconds = this.grid.step / 1000;
    for (let i = 0; i < n; i++) {
      if (seen[i] === 0) continue;
      this.has[i] = 1;
      this.combined[i]! += isRate ? per[i]! / seconds : per[i]!;
    }
  }

  /** The aggregated values, null where a bucket had no data. */
  values(): Array<number | null> {
    const out: Array<number | null> = new Array(this.grid.count);
    const kind = this.agg.kind;
    for (let i = 0; i < this.grid.count; i++) {
      if (this.has[i] === 0) {
        out[i] = null;
        continue;
      }
      let v: number;
      switch (kind) {
        case 'avg': v = this.sum[i]! / this.count[i]!; break;
        case 'sum': v = this.sum[i]!; break;
        case 'count': v = this.count[i]!; break;
        case 'min': v = this.min[i]!; break;
        case 'max': v = this.max[i]!; break;
        case 'last': v = this.combined[i]!; break;
        case 'rate': v = this.combined[i]!; break;
        case 'pct': {
          const p = (this.agg as { p: number }).p;
          v = this.weighted ? weightedRank(this.pooled![i]!, this.weights![i]!, p) : nearestRank(this.pooled![i]!, p);
          break;
        }
      }
      out[i] = Number.isFinite(v) ? v : null;
    }
    return out;
  }
}

/** Nearest-rank percentile `p` of `vals` (sorted in place). */
function nearestRank(vals: number[], p: number): number {
  vals.sort((a, b) => a - b);
  return vals[Math.min(vals.length, Math.max(1, Math.ceil((p / 100) * vals.length))) - 1]!;
}

/** Nearest-rank percentile `p` of the multiset in which vals[i] occurs weights[i] times. */
function weightedRank(vals: readonly number[], weights: readonly number[], p: number): number {
  const order = vals.map((_, i) => i).sort((a, b) => vals[a]! - vals[b]!);
  let total = 0;
  for (const w of weights) total += w;
  const rank = Math.min(total, Math.max(1, Math.ceil((p / 100) * total)));
  let seen = 0;
  for (const i of order) {
    seen += weights[i]!;
    if (seen >= rank) return vals[i]!;
  }
  return vals[order[order.length - 1]!]!;
}

/** Raw samples viewed as one-sample buckets (no copies of the value array). */
export function samplesAsBuckets(n: number, ts: Float64Array, vals: Float64Array): RollupBuckets {
  return { n, ts, min: vals, max: vals, sum: vals, count: new Float64Array(n).fill(1), last: vals };
}
