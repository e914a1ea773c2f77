// GET /alerts and GET /flips: project-wide time-ordered logs (newest first) with filters and paging.
import type { FastifyInstance } from 'fastify';
import { OverseeError } from '../../errors.js';
import { canSee, resolveHostFilter, resolveProjectScope, visibleItems, type ApiContext } from './context.js';
import type { Principal } from '../auth.js';
import {
  alertSchema, errorResponses, flipSchema, hostQueryProperty, pageQueryProperties, pageSchema, projectQueryProperty,
  timeQueryProperties,
} from './schemas.js';

interface LogQuery {
  limit: number;
  cursor?: string;
  from?: number;
  to?: number;
  project?: string;
  host?: string;
  check?: number;
}

const logQuery = {
  type: 'object',
  properties: {
    ...pageQueryProperties, ...timeQueryProperties,
    project: projectQueryProperty, host: hostQueryProperty,
    check: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'check id' },
  },
} as const;

/** Turns the shared filters into store filters, checking scope (unknown host/check: 404). */
async function resolveLogFilter(ctx: ApiContext, p: Principal, q: LogQuery) {
  const scope = await resolveProjectScope(ctx, p, q.project);
  const hostId = q.host === undefined ? undefined : await resolveHostFilter(ctx, p, q.host, scope.projectId);
  if (q.check !== undefined) {
    const check = await ctx.store.checks.get(q.check);
    if (check === null || !canSee(p, check.projectId)) {
      throw new OverseeError('OVS_ERR_NOT_FOUND', `check: no check ${q.check}`, { field: 'check' });
    }
  }
  return { limit: q.limit, cursor: q.cursor ?? null, from: q.from, to: q.to, ...scope, hostId, checkId: q.check };
}

/** Registers the alert and flip log routes on the /api/v1 instance. */
export function logRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: LogQuery }>('/alerts', {
    schema: {
      tags: ['alerts'], summary: 'Alerts raised by clients or by Oversee, newest first', querystring: logQuery,
      response: { 200: pageSchema(alertSchema), ...errorResponses },
    },
  }, async (request) => {
    const p = ctx.principal(request);
    return visibleItems(p, await ctx.store.history.alerts(await resolveLogFilter(ctx, p, request.query)));
  });

  app.get<{ Querystring: LogQuery }>('/flips', {
    schema: {
      tags: ['checks'], summary: 'State changes of all checks, newest first', querystring: logQuery,
      response: { 200: pageSchema(flipSchema), ...errorResponses },
    },
  }, async (request) => {
    const p = ctx.principal(request);
    return visibleItems(p, await ctx.store.history.flips(await resolveLogFilter(ctx, p, request.query)));
  });
}
