// /api/v1/rules: metric rules (thresholds and anomaly detection) — list and read (viewer), create
// and delete (editor). Each rule drives one check (source 'metric') under `host` (default `metrics`).
import type { FastifyInstance } from 'fastify';
import type { Principal } from '../api/auth.js';
import { demandRole, visibleOr404, type ApiContext } from '../api/v1/context.js';
import { metricsProject, parseStep, parseTagFilter } from '../api/v1/metrics-query.js';
import { invalid } from '../errors.js';
import { levelsProblem } from './threshold.js';
import { THRESHOLD_AGGS, type MetricRule, type NewMetricRule, type RuleRepo, type ThresholdAgg } from './types.js';

/** Host of rule checks when the rule names none. */
export const RULES_DEFAULT_HOST = 'metrics';

interface RuleBody {
  kind: 'threshold' | 'anomaly';
  check: string;
  metric: string;
  host?: string;
  tags?: string;
  agg?: ThresholdAgg;
  window?: string;
  warnAbove?: number;
  critAbove?: number;
  warnBelow?: number;
  critBelow?: number;
  reaction?: number;
  step?: string;
}

const name = { type: 'string', minLength: 1, maxLength: 255 } as const;
const level = { type: 'number' } as const;
const bodySchema = {
  type: 'object', required: ['kind', 'check', 'metric'],
  properties: {
    kind: { type: 'string', enum: ['threshold', 'anomaly'] }, check: name, metric: { type: 'string', minLength: 1, maxLength: 256 }, host: name,
    tags: { type: 'string' }, agg: { type: 'string', enum: [...THRESHOLD_AGGS] }, window: { type: 'string' },
    warnAbove: level, critAbove: level, warnBelow: level, critBelow: level,
    reaction: { type: 'integer', minimum: -3, maximum: 0 }, step: { type: 'string' },
  },
} as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } } as const;

/** The stored rule for a validated body, or OVS_ERR_VALIDATION naming the field. */
export function ruleFromBody(projectId: number, b: RuleBody): NewMetricRule {
  const common = { projectId, host: b.host ?? RULES_DEFAULT_HOST, check: b.check, metric: b.metric, tags: parseTagFilter(b.tags) ?? {} };
  if (b.kind === 'threshold') {
    const levels = { warnAbove: b.warnAbove ?? null, critAbove: b.critAbove ?? null, warnBelow: b.warnBelow ?? null, critBelow: b.critBelow ?? null };
    const problem = levelsProblem(levels);
    if (problem !== null) throw invalid('levels', problem);
    const windowMs = b.window === undefined ? 300_000 : parseStep(b.window);
    return { ...common, kind: 'threshold', agg: b.agg ?? 'avg', windowMs, ...levels };
  }
  const stepMs = b.step === undefined ? 60_000 : parseStep(b.step);
  if (stepMs < 10_000) throw invalid('step', 'at least 10s');
  return { ...common, kind: 'anomaly', reaction: b.reaction ?? 0, stepMs };
}

/** Registers the rule routes on the metrics API instance. */
export function ruleRoutes(app: FastifyInstance, ctx: ApiContext, repo: RuleRepo): void {
  const needEditor = (p: Principal): void => {
    demandRole(p, 'editor');
  };
  const visible = async (p: Principal, id: number): Promise<MetricRule> => visibleOr404(p, await repo.get(id), `rule ${id}`);

  app.get<{ Querystring: { project?: string } }>('/rules', {
    schema: { querystring: { type: 'object', properties: { project: { type: 'string' } } } },
  }, async (request) => {
    const projectId = await metricsProject(ctx, ctx.principal(request), request.query.project);
    return { items: await repo.list(projectId) };
  });

  app.get<{ Params: { id: number } }>('/rules/:id', { schema: { params: idParams } }, async (request) => visible(ctx.principal(request), request.params.id));

  app.post<{ Querystring: { project?: string }; Body: RuleBody }>('/rules', {
    schema: { querystring: { type: 'object', properties: { project: { type: 'string' } } }, body: bodySchema },
  }, async (request, reply) => {
    const p = ctx.principal(request);
    needEditor(p);
    const projectId = await metricsProject(ctx, p, request.query.project);
    const rule = await repo.create(ruleFromBody(projectId, request.body), ctx.clock.now());
    return reply.code(201).send(rule);
  });

  app.delete<{ Params: { id: number } }>('/rules/:id', { schema: { params: idParams } }, async (request, reply) => {
    const p = ctx.principal(request);
    needEditor(p);
    await visible(p, request.params.id);
    await repo.delete(request.params.id);
    return reply.code(204).send();
  });
}
