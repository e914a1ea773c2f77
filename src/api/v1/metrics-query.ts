// Metric reads: GET /series (match by name prefix and tags), GET /metrics/tree (dotted names as a
// tree, as Dreamcatcher browsed them) and GET /query (range, step, aggregation, group by tag; a
// columnar answer a chart uses as is). Every route takes `project` (id or name); without it, the
// token's project, else the default project.
import type { FastifyInstance } from 'fastify';
import { invalid } from '../../errors.js';
import type { QueryResult, SeriesInfo, SeriesMatch, TagFilter, TreeNode, TsdbQuery } from '../../tsdb/index.js';
import { parseDuration } from '../../tsdb/tiers.js';
import type { Principal } from '../auth.js';
import { canSee, resolveProjectFilter, type ApiContext } from './context.js';

/** The read side of the time-series store that these routes use (Tsdb satisfies it). */
export interface MetricsReader {
  query(q: TsdbQuery): Promise<QueryResult>;
  series(m: SeriesMatch): SeriesInfo[];
  tree(projectId: number, prefix: string): TreeNode[];
  /** Indexes series other nodes created (several nodes on PostgreSQL); awaited before series and tree. */
  syncSeries?(): Promise<void>;
}

/** Most series one /series answer lists. */
export const MAX_SERIES_LIST = 10_000;

/** Points per series a query aims at when no step is given. */
export const DEFAULT_POINTS = 300;

/** The project a metric request is about: `project` (id or name), else the token's, else `default`. */
export async function metricsProject(ctx: ApiContext, p: Principal, value: string | undefined): Promise<number> {
  const id = await resolveProjectFilter(ctx, p, value);
  if (id !== undefined) return id;
  const fallback = await ctx.store.projects.getByName('default');
  if (fallback === null) throw invalid('project', 'required (there is no default project)');
  if (!canSee(p, fallback.id)) throw invalid('project', 'required (you have roles in several projects, not in "default")');
  return fallback.id;
}

/** Parses `k=v,k2=a|b,k3=*` into a tag filter; throws OVS_ERR_VALIDATION naming `field`. */
export function parseTagFilter(text: string | undefined, field = 'tags'): TagFilter | undefined {
  if (text === undefined || text === '') return undefined;
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw invalid(field, `'${part}' is not name=value`);
    const k = part.slice(0, eq).trim();
    if (k === '__proto__' || Object.hasOwn(out, k)) throw invalid(field, `tag '${k}' given twice or reserved`);
    out[k] = part.slice(eq + 1).trim();
  }
  return out;
}

/**
 * A time: ms since the epoch (digits), `now`, or `now-<duration>` / `-<duration>` (e.g. -6h) relative
 * to `now`; throws OVS_ERR_VALIDATION naming `field`.
 */
export function parseTime(text: string, now: number, field: string): number {
  const t = text.trim();
  if (/^\d{1,16}$/.test(t)) return Number(t);
  if (t === 'now') return now;
  const rel = /^(?:now)?-(.+)$/.exec(t);
  const d = rel === null ? null : parseDuration(rel[1]!);
  if (d === null) throw invalid(field, `'${text}' is not a time (ms since the epoch, now, or -<duration> such as -6h)`);
  return now - d;
}

/** A step: whole ms (digits) or a duration (`10s`, `1m`); throws OVS_ERR_VALIDATION. */
export function parseStep(text: string): number {
  const t = text.trim();
  const ms = /^\d{1,12}$/.test(t) ? Number(t) : parseDuration(t);
  if (ms === null || ms <= 0) throw invalid('step', `'${text}' is not a step (ms or a duration such as 60s)`);
  return ms;
}

/** A step giving about DEFAULT_POINTS points over [from, to], in whole seconds. */
export function defaultStep(from: number, to: number): number {
  return Math.max(1000, Math.ceil((to - from) / DEFAULT_POINTS / 1000) * 1000);
}

interface QueryParams {
  project?: string;
  name: string;
  tags?: string;
  from?: string;
  to?: string;
  step?: string;
  agg?: string;
  groupBy?: string;
}

const str = { type: 'string' } as const;

/** Registers the metric read routes (viewer) on the metrics API instance. */
export function metricsQueryRoutes(app: FastifyInstance, ctx: ApiContext, reader: MetricsReader): void {
  app.get<{ Querystring: { project?: string; prefix?: string; tags?: string; limit?: number } }>('/series', {
    schema: {
      querystring: {
        type: 'object',
        properties: { project: str, prefix: str, tags: str, limit: { type: 'integer', minimum: 1, maximum: MAX_SERIES_LIST } },
      },
    },
  }, async (request) => {
    const q = request.query;
    const projectId = await metricsProject(ctx, ctx.principal(request), q.project);
    const limit = q.limit ?? 1000;
    const tags = parseTagFilter(q.tags);
    await reader.syncSeries?.();
    const items = reader.series({ projectId, limit: limit + 1, ...(q.prefix !== undefined ? { namePrefix: q.prefix } : {}), ...(tags ? { tags } : {}) });
    return { projectId, items: items.slice(0, limit), truncated: items.length > limit };
  });

  app.get<{ Querystring: { project?: string; prefix?: string } }>('/metrics/tree', {
    schema: { querystring: { type: 'object', properties: { project: str, prefix: str } } },
  }, async (request) => {
    const projectId = await metricsProject(ctx, ctx.principal(request), request.query.project);
    const prefix = (request.query.prefix ?? '').replace(/\.+$/, '');
    await reader.syncSeries?.();
    return { projectId, prefix, items: reader.tree(projectId, prefix) };
  });

  app.get<{ Querystring: QueryParams }>('/query', {
    schema: {
      querystring: {
        type: 'object', required: ['name'],
        properties: { project: str, name: { type: 'string', minLength: 1 }, tags: str, from: str, to: str, step: str, agg: str, groupBy: str },
      },
    },
  }, async (request) => {
    const q = request.query;
    const projectId = await metricsProject(ctx, ctx.principal(request), q.project);
    const now = ctx.clock.now();
    const to = q.to === undefined ? now : parseTime(q.to, now, 'to');
    const from = q.from === undefined ? to - 3_600_000 : parseTime(q.from, now, 'from');
    if (from > to) throw invalid('from', 'must not be after to');
    const step = q.step === undefined ? defaultStep(from, to) : parseStep(q.step);
    const tags = parseTagFilter(q.tags);
    const groupBy = q.groupBy === undefined ? undefined : q.groupBy.split(',').map((t) => t.trim()).filter((t) => t !== '');
    const result = await reader.query({
      projectId, name: q.name, from, to, step, agg: (q.agg ?? 'avg') as TsdbQuery['agg'],
      ...(tags ? { tags } : {}), ...(groupBy ? { groupBy } : {}),
    });
    return { projectId, from, to, step, agg: q.agg ?? 'avg', ...result };
  });
}
