// statsd aggregation over a flush interval (PROTOCOLS.md §5), pure: the caller passes parsed
// metrics in and the flush time; out come samples for the tsdb. Naming of the flushed series:
//   counter c  → c.count (events in the interval, sample rates applied) and c.rate (per second)
//   timer t    → t.count t.mean t.lower t.upper t.sum t.std t.median and t.p<N> per percentile
//   gauge g    → g (its last value; kept and re-sent every flush, like the etsy daemon)
//   set s      → s.count (distinct members in the interval)
// Counters, timers and sets that got nothing during an interval are not emitted.
import type { StatsdMetric } from '../protocols/statsd.js';
import type { MetricType } from './types.js';

/** Aggregator settings. */
export interface StatsdAggregatorOptions {
  /** Flush interval in ms (used for per-second rates when the real interval is unknown). Default 10 000. */
  flushIntervalMs?: number;
  /** Timer percentiles to emit, e.g. [90, 99]. Default [90]. */
  percentiles?: readonly number[];
}

/** One aggregated sample, ready for the tsdb. */
export interface FlushedSample {
  name: string;
  tags: Record<string, string>;
  timestampMs: number;
  value: number;
  type: MetricType;
}

interface Entry<T> {
  name: string;
  tags: Record<string, string>;
  data: T;
}

function keyOf(name: string, tags: Record<string, string>): string {
  const keys = Object.keys(tags);
  if (keys.length === 0) return name;
  keys.sort();
  let k = name;
  for (const t of keys) k += `\u0000${t}=${tags[t]}`;
  return k;
}

/** Nearest-rank percentile of an ascending array (p in (0,100]). */
export function percentileOf(sorted: Float64Array | readonly number[], p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const rank = Math.min(n, Math.max(1, Math.ceil((p / 100) * n)));
  return sorted[rank - 1]!;
}

/** Accumulates statsd metrics between flushes. One instance per listener; not shared. */
export class StatsdAggregator {
  private readonly intervalMs: number;
  private readonly percentiles: readonly number[];
  private counters = new Map<string, Entry<number>>();
  private timers = new Map<string, Entry<{ values: number[]; count: number }>>();
  private readonly gauges = new Map<string, Entry<number>>();
  private sets = new Map<string, Entry<Set<string>>>();
  private lastFlushMs: number | null = null;

  constructor(opts: StatsdAggregatorOptions = {}) {
    this.intervalMs = opts.flushIntervalMs ?? 10_000;
    this.percentiles = opts.percentiles ?? [90];
    for (const p of this.percentiles) if (!(p > 0 && p <= 100)) throw new Error(`statsd percentile ${p} outside (0, 100]`);
  }

  /** Adds one parsed metric to the current interval. */
  add(m: StatsdMetric): void {
    const key = keyOf(m.name, m.tags);
    switch (m.kind) {
      case 'counter': {
        const e = this.counters.get(key);
        const inc = m.value / m.sampleRate;
        if (e === undefined) this.counters.set(key, { name: m.name, tags: m.tags, data: inc });
        else e.data += inc;
        return;
      }
      case 'timer': {
        let e = this.timers.get(key);
        if (e === undefined) {
          e = { name: m.name, tags: m.tags, data: { values: [], count: 0 } };
          this.timers.set(key, e);
        }
        e.data.values.push(m.value);
        e.data.count += 1 / m.sampleRate;
        return;
      }
      case 'gauge': {
        const e = this.gauges.get(key);
        if (e === undefined) this.gauges.set(key, { name: m.name, tags: m.tags, data: m.value });
        else e.data = m.delta ? e.data + m.value : m.value;
        return;
      }
      case 'set': {
        let e = this.sets.get(key);
        if (e === undefined) {
          e = { name: m.name, tags: m.tags, data: new Set() };
          this.sets.set(key, e);
        }
        e.data.add(m.member);
        return;
      }
    }
  }

  /** Adds every metric of a datagram. */
  addAll(metrics: readonly StatsdMetric[]): void {
    for (const m of metrics) this.add(m);
  }

  /** Ends the interval at `nowMs`: returns its samples and starts a new interval (gauges are kept). */
  flush(nowMs: number): FlushedSample[] {
    const elapsed = this.lastFlushMs === null || nowMs <= this.lastFlushMs ? this.intervalMs : nowMs - this.lastFlushMs;
    this.lastFlushMs = nowMs;
    const seconds = elapsed / 1000;
    const out: FlushedSample[] = [];
    const emit = (name: string, tags: Record<string, string>, value: number, type: MetricType): void => {
      out.push({ name, tags, timestampMs: nowMs, value, type });
    };
    for (const e of this.counters.values()) {
      emit(`${e.name}.count`, e.tags, e.data, 'gauge');
      emit(`${e.name}.rate`, e.tags, e.data / seconds, 'rate');
    }
    for (const e of this.timers.values()) {
      const sorted = Float64Array.from(e.data.values).sort();
      const n = sorted.length;
      let sum = 0;
      for (const v of sorted) sum += v;
      const mean = sum / n;
      let sq = 0;
      for (const v of sorted) sq += (v - mean) ** 2;
      const mid = n >> 1;
      const median = n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
      emit(`${e.name}.count`, e.tags, e.data.count, 'gauge');
      emit(`${e.name}.mean`, e.tags, mean, 'gauge');
      emit(`${e.name}.lower`, e.tags, sorted[0]!, 'gauge');
      emit(`${e.name}.upper`, e.tags, sorted[n - 1]!, 'gauge');
      emit(`${e.name}.sum`, e.tags, sum, 'gauge');
      emit(`${e.name}.std`, e.tags, Math.sqrt(sq / n), 'gauge');
      emit(`${e.name}.median`, e.tags, median, 'gauge');
      for (const p of this.percentiles) emit(`${e.name}.p${String(p).replace('.', '_')}`, e.tags, percentileOf(sorted, p), 'gauge');
    }
    for (const e of this.gauges.values()) emit(e.name, e.tags, e.data, 'gauge');
    for (const e of this.sets.values()) emit(`${e.name}.count`, e.tags, e.data.size, 'gauge');
    this.counters = new Map();
    this.timers = new Map();
    this.sets = new Map();
    return out;
  }
}
