// Storage tiers, like whisper archives: raw samples for a short time, then buckets of min, max,
// sum, count and last per resolution for longer. Pure functions: bucketing, tier choice, spec parsing.
import type { SampleArrays } from './samples.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const YEAR = 365 * DAY;

/** One tier. Tier 0 is raw (resolutionMs 0); others hold rollup buckets of resolutionMs. */
export interface TierConfig {
  resolutionMs: number;
  retentionMs: number;
  /** Time span of one chunk row (epoch-aligned). Raw span must divide every rollup span. */
  chunkSpanMs: number;
}

/** Default tiers: raw 7 d (2 h chunks) · 1 min 90 d (1 d chunks) · 1 h 2 y (30 d chunks). */
export const DEFAULT_TIERS: readonly TierConfig[] = [
  { resolutionMs: 0, retentionMs: 7 * DAY, chunkSpanMs: 2 * HOUR },
  { resolutionMs: MINUTE, retentionMs: 90 * DAY, chunkSpanMs: DAY },
  { resolutionMs: HOUR, retentionMs: 2 * YEAR, chunkSpanMs: 30 * DAY },
];

/** Rollup buckets as columns; `ts` is each bucket's start. */
export interface RollupBuckets {
  n: number;
  ts: Float64Array;
  min: Float64Array;
  max: Float64Array;
  sum: Float64Array;
  count: Float64Array;
  last: Float64Array;
}

const UNITS: Record<string, number> = { s: SECOND, m: MINUTE, h: HOUR, d: DAY, w: 7 * DAY, y: YEAR };

/** Parses a duration like `10s`, `1m`, `90d`, `2y`; null when malformed. */
export function parseDuration(s: string): number | null {
  const m = /^(\d+)(s|m|h|d|w|y)$/.exec(s.trim());
  return m === null ? null : Number(m[1]) * UNITS[m[2]!]!;
}

/** Why a tier list is unusable, or null. */
export function tierProblem(tiers: readonly TierConfig[]): string | null {
  const raw = tiers[0];
  if (raw === undefined || raw.resolutionMs !== 0) return 'the first tier must be raw (resolution 0)';
  if (!(raw.chunkSpanMs >= MINUTE) || raw.chunkSpanMs % MINUTE !== 0) return 'raw chunk span must be whole minutes';
  for (let i = 0; i < tiers.length; i++) {
    const t = tiers[i]!;
    if (!(t.retentionMs > 0)) return `tier ${i}: retention must be positive`;
    if (i === 0) continue;
    const prev = tiers[i - 1]!;
    if (!(t.resolutionMs > prev.resolutionMs)) return `tier ${i}: resolutions must increase`;
    if (raw.chunkSpanMs % t.resolutionMs !== 0) return `tier ${i}: resolution must divide the raw chunk span`;
    if (t.chunkSpanMs % raw.chunkSpanMs !== 0) return `tier ${i}: chunk span must be a multiple of the raw chunk span`;
  }
  return null;
}

/** The default tier spec: the same tiers as DEFAULT_TIERS (parseTierSpec(DEFAULT_TIER_SPEC) equals them). */
export const DEFAULT_TIER_SPEC = 'raw:7d,1m:90d,1h:2y';

/** Raw windows are rolled up once a day old (Tsdb's rollupAfterMs default), so raw retention must exceed this. */
export const MIN_RAW_RETENTION_MS = DAY + 2 * HOUR;

/**
 * Parses whisper-like archives `raw:7d,1m:90d,1h:2y` (resolution:retention, finest first; the first
 * is `raw`). Chunk spans: raw 2 h; a rollup tier 720 buckets rounded up to whole days (at least one
 * day), so the default spec gives exactly DEFAULT_TIERS. Throws with the reason, naming the part.
 */
export function parseTierSpec(spec: string): TierConfig[] {
  const tiers: TierConfig[] = [];
  const parts = spec.split(',').map((p) => p.trim());
  if (parts.length === 1 && parts[0] === '') throw new Error(`empty; expected archives like '${DEFAULT_TIER_SPEC}'`);
  for (const part of parts) {
    const pieces = part.split(':');
    if (pieces.length !== 2) throw new Error(`tier '${part}': expected resolution:retention, e.g. 1m:90d`);
    const [res, ret] = pieces as [string, string];
    const retentionMs = parseDuration(ret);
    if (retentionMs === null || retentionMs <= 0) throw new Error(`tier '${part}': bad retention '${ret}' (a number and s, m, h, d, w or y)`);
    if (res === 'raw') {
      if (tiers.length > 0) throw new Error(`tier '${part}': only the first tier can be raw`);
      tiers.push({ resolutionMs: 0, retentionMs, chunkSpanMs: 2 * HOUR });
      continue;
    }
    const resolutionMs = parseDuration(res);
    if (resolutionMs === null || resolutionMs <= 0) throw new Error(`tier '${part}': bad resolution '${res}' (raw, or a number and s, m, h, d, w or y)`);
    if (tiers.length === 0) throw new Error(`the first tier must be raw (e.g. raw:7d), got '${part}'`);
    const span = Math.max(DAY, Math.ceil((resolutionMs * 720) / DAY) * DAY);
    tiers.push({ resolutionMs, retentionMs, chunkSpanMs: span });
  }
  const problem = tierProblem(tiers);
  if (problem !== null) throw new Error(problem);
  if (tiers.length > 1 && tiers[0]!.retentionMs <= MIN_RAW_RETENTION_MS) {
    throw new Error('raw retention must be longer than 26h (raw windows are rolled up once a day old)');
  }
  return tiers;
}

/** The spec text of a tier list (inverse of parseTierSpec for lists it produced). */
export function formatTierSpec(tiers: readonly TierConfig[]): string {
  const dur = (ms: number): string => {
    for (const u of ['y', 'w', 'd', 'h', 'm', 's']) if (ms % UNITS[u]! === 0) return `${ms / UNITS[u]!}${u}`;
    return `${ms / SECOND}s`;
  };
  return tiers.map((t) => `${t.resolutionMs === 0 ? 'raw' : dur(t.resolutionMs)}:${dur(t.retentionMs)}`).join(',');
}

/** Start of the epoch-aligned span containing `ts`. */
export function alignDown(ts: number, span: number): number {
  return Math.floor(ts / span) * span;
}

/** Buckets ascending unique samples by `resolutionMs` (min, max, sum, count, last of each). */
export function rollup(s: SampleArrays, resolutionMs: number): RollupBuckets {
  const cap = s.n;
  const b: RollupBuckets = {
    n: 0, ts: new Float64Array(cap), min: new Float64Array(cap), max: new Float64Array(cap),
    sum: new Float64Array(cap), count: new Float64Array(cap), last: new Float64Array(cap),
  };
  let cur = -1;
  for (let i = 0; i < s.n; i++) {
    const start = alignDown(s.ts[i]!, resolutionMs);
    const v = s.vals[i]!;
    if (cur < 0 || b.ts[cur] !== start) {
      cur = b.n++;
      b.ts[cur] = start;
      b.min[cur] = v;
      b.max[cur] = v;
      b.sum[cur] = v;
      b.count[cur] = 1;
    } else {
      // Math.min/max: NaN sticks, and -0 < +0 (so a bucket of -0 and 0 has max 0, min -0).
      b.min[cur] = Math.min(b.min[cur]!, v);
      b.max[cur] = Math.max(b.max[cur]!, v);
      b.sum[cur]! += v;
      b.count[cur]!++;
    }
    b.last[cur] = v;
  }
  return b;
}

/** Empty bucket set. */
export function emptyBuckets(): RollupBuckets {
  const z = new Float64Array(0);
  return { n: 0, ts: z, min: z, max: z, sum: z, count: z, last: z };
}

/** `base` with its buckets in [from, to) replaced by `fresh` (whose buckets all lie in that range). */
export function replaceBuckets(base: RollupBuckets, from: number, to: number, fresh: RollupBuckets): RollupBuckets {
  const cap = base.n + fresh.n;
  const out: RollupBuckets = {
    n: 0, ts: new Float64Array(cap), min: new Float64Array(cap), max: new Float64Array(cap),
    sum: new Float64Array(cap), count: new Float64Array(cap), last: new Float64Array(cap),
  };
  const copy = (src: RollupBuckets, i: number): void => {
    const k = out.n++;
    out.ts[k] = src.ts[i]!;
    out.min[k] = src.min[i]!;
    out.max[k] = src.max[i]!;
    out.sum[k] = src.sum[i]!;
    out.count[k] = src.count[i]!;
    out.last[k] = src.last[i]!;
  };
  let j = 0;
  let i = 0;
  for (; i < base.n && base.ts[i]! < from; i++) copy(base, i);
  for (; j < fresh.n; j++) copy(fresh, j);
  for (; i < base.n; i++) if (base.ts[i]! >= to) copy(base, i);
  return out;
}

/**
 * Picks the tier for a query: the coarsest tier whose resolution fits in the step and whose
 * retention reaches back to `from`; if none reaches back, the finest tier that does; else the longest-lived.
 */
export function chooseTier(tiers: readonly TierConfig[], stepMs: number, from: number, now: number): number {
  let best = -1;
  for (let i = 0; i < tiers.length; i++) {
    const t = tiers[i]!;
    if (t.resolutionMs <= stepMs && from >= now - t.retentionMs) best = i;
  }
  if (best >= 0) return best;
  for (let i = 0; i < tiers.length; i++) if (from >= now - tiers[i]!.retentionMs) return i;
  let longest = 0;
  for (let i = 1; i < tiers.length; i++) if (tiers[i]!.retentionMs > tiers[longest]!.retentionMs) longest = i;
  return longest;
}
