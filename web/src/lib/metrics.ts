// Calls of the metric query API (GET /api/v1/metrics/tree, /series, /query), in one place so that
// parameter names are easy to keep in step with the server. A 404 means "not on this server".
import { ApiError, type Api } from './api.js';
import type { QueryResult } from './types.js';

/** A node of the dotted-name tree. */
export interface TreeNode { path: string; label: string; leaf: boolean; hasChildren: boolean }
/** A stored series. */
export interface SeriesInfo { name: string; tags: Record<string, string> }

/** Ranges of the explorer (ms), plus "custom". */
export const RANGES = { '1h': 3600_000, '6h': 6 * 3600_000, '24h': 86400_000, '7d': 7 * 86400_000, '30d': 30 * 86400_000 } as const;
/** A named range. */
export type RangeName = keyof typeof RANGES;

const NICE_STEPS = [1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400].map((s) => s * 1000);

/** The step for a range: the smallest nice step giving at most ~`points` points. */
export function stepFor(rangeMs: number, points = 720): number {
  const want = rangeMs / points;
  return NICE_STEPS.find((s) => s >= want) ?? 86400_000;
}

function items<T>(x: unknown): T[] {
  if (Array.isArray(x)) return x as T[];
  const o = x as { items?: T[]; nodes?: T[]; series?: T[] } | null;
  return o?.items ?? o?.nodes ?? o?.series ?? [];
}

async function orNull<T>(p: Promise<T>): Promise<T | null> {
  try { return await p; } catch (err) { if (err instanceof ApiError && err.status === 404) return null; throw err; }
}

/** Children of `prefix` in the name tree; null when the server has no metrics API. */
export async function treeChildren(api: Api, prefix: string): Promise<TreeNode[] | null> {
  const r = await orNull(api.get<unknown>('/api/v1/metrics/tree', { prefix: prefix || undefined }));
  return r === null ? null : items<TreeNode>(r);
}

/** Series whose name starts with `prefix` and that carry `tags` (at most `limit`); null when the server has no metrics API. */
export async function listSeries(api: Api, prefix: string, limit = 5000, tags: Record<string, string> = {}): Promise<SeriesInfo[] | null> {
  const r = await orNull(api.get<unknown>('/api/v1/series', { prefix: prefix || undefined, limit, tags: tagParam(tags) }));
  return r === null ? null : items<SeriesInfo>(r);
}

/** `k=v,k2=v2` form of a tag filter. */
export function tagParam(tags: Record<string, string>): string | undefined {
  const s = Object.entries(tags).map(([k, v]) => `${k}=${v}`).join(',');
  return s === '' ? undefined : s;
}

/** One range query of `name` (with tag filter and aggregation) over [from, to]. */
export function queryRange(api: Api, q: { name: string; tags: Record<string, string>; agg: string; from: number; to: number; step: number }): Promise<QueryResult> {
  return api.get<QueryResult>('/api/v1/query', { name: q.name, tags: tagParam(q.tags), agg: q.agg, from: q.from, to: q.to, step: q.step });
}

/** Merges several answers onto one time axis (union of timestamps; missing points null). */
export function mergeResults(results: QueryResult[]): QueryResult {
  if (results.length === 1) return results[0]!;
  const ts = [...new Set(results.flatMap((r) => r.timestamps))].sort((a, b) => a - b);
  const index = new Map(ts.map((t, i) => [t, i]));
  const series = results.flatMap((r) => r.series.map((s) => {
    const values: (number | null)[] = new Array<number | null>(ts.length).fill(null);
    r.timestamps.forEach((t, i) => { values[index.get(t)!] = s.values[i] ?? null; });
    return { name: s.name, tags: s.tags, values };
  }));
  return { timestamps: ts, series };
}

/** Synthetic data (for the chart benchmark and the demo): `series` sine waves of `points` points. */
export function syntheticResult(points: number, series: number, end = Date.now()): QueryResult {
  const timestamps = Array.from({ length: points }, (_, i) => end - (points - i) * 10_000);
  return {
    timestamps,
    series: Array.from({ length: series }, (_, s) => ({
      name: `demo.series${s}`, tags: {}, values: timestamps.map((_, i) => Math.sin(i / 40 + s) * 10 + s * 5 + Math.random()),
    })),
  };
}
