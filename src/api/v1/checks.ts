// GET /checks (filters + paging), GET /checks/:id, DELETE /checks/:id (editor),
// GET /checks/:id/history (state reports) and GET /checks/:id/flips (state changes), newest first.
import type { FastifyInstance } from 'fastify';
import type { CheckState } from '../../domain/types.js';
import { requireRole, resolveHostFilter, resolveProjectScope, visibleItems, visibleOr404, type ApiContext } from './context.js';
import {
  checkSchema, errorResponses, flipSchema, hostQueryProperty, idParams, pageQueryProperties, pageSchema,
  projectQueryProperty, ref, stateReportSchema, stateSchema, timeQueryProperties,
} from './schemas.js';

interface ChecksQuery {
  limit: number;
  cursor?: string;
  project?: string;
  host?: string;
  state?: CheckState;
  prefix?: string;
}

interface TimeQuery {
  limit: number;
  cursor?: string;
  from?: number;
  to?: number;
}

const timePageQuery = { type: 'object', properties: { ...pageQueryProperties, ...timeQueryProperties } } as const;

/** Registers the check routes on the /api/v1 instance. */
export function checkRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: ChecksQuery }>('/checks', {
    schema: {
      tags: ['checks'], summary: 'List checks (oldest first, by id)',
      querystring: {
        type: 'object',
        properties: {
          ...pageQueryProperties,
          project: projectQueryProperty,
          host: hostQueryProperty,
          state: stateSchema,
          prefix: { type: 'string', minLength: 1, maxLength: 255, description: 'only checks whose name starts with this' },
        },
      },
      response: { 200: pageSchema(checkSchema), ...errorResponses },
    },
  }, async (request) => {
    const q = request.query;
    const p = ctx.principal(request);
    const scope = await resolveProjectScope(ctx, p, q.project);
    const hostId = q.host === undefined ? undefined : await resolveHostFilter(ctx, p, q.host, scope.projectId);
    return visibleItems(p, await ctx.store.checks.list({
      limit: q.limit, cursor: q.cursor ?? null, ...scope, hostId, state: q.state, namePrefix: q.prefix,
    }));
  });

  app.get<{ Params: { id: number } }>('/checks/:id', {
    schema: {
      tags: ['checks'], summary: 'Get one check with its current state', params: idParams,
      response: { 200: ref(checkSchema), ...errorResponses },
    },
  }, async (request) => {
    const p = ctx.principal(request);
    return visibleOr404(p, await ctx.store.checks.get(request.params.id), `check ${request.params.id}`);
  });

  app.delete<{ Params: { id: number } }>('/checks/:id', {
    onRequest: requireRole(ctx, 'editor'),
    schema: {
      tags: ['checks'], summary: 'Delete a check with its history and flips (editor)', params: idParams,
      response: { 204: { description: 'deleted', type: 'null' }, ...errorResponses },
    },
  }, async (request, reply) => {
    const p = ctx.principal(request);
    const check = visibleOr404(p, await ctx.store.checks.get(request.params.id), `check ${request.params.id}`);
    await ctx.store.checks.delete(check.id);
    return reply.code(204).send();
  });

  app.get<{ Params: { id: number }; Querystring: TimeQuery }>('/checks/:id/history', {
    schema: {
      tags: ['checks'], summary: 'State reports of a check, newest first', params: idParams, querystring: timePageQuery,
      response: { 200: pageSchema(stateReportSchema), ...errorResponses },
    },
  }, async (request) => {
    const p = ctx.principal(request);
    const check = visibleOr404(p, await ctx.store.checks.get(request.params.id), `check ${request.params.id}`);
    const q = request.query;
    return ctx.store.history.stateReports(check.id, { limit: q.limit, cursor: q.cursor ?? null, from: q.from, to: q.to });
  });

  app.get<{ Params: { id: number }; Querystring: TimeQuery }>('/checks/:id/flips', {
    schema: {
      tags: ['checks'], summary: 'State changes of a check, newest first', params: idParams, querystring: timePageQuery,
      response: { 200: pageSchema(flipSchema), ...errorResponses },
    },
  }, async (request) => {
    const p = ctx.principal(request);
    const check = visibleOr404(p, await ctx.store.checks.get(request.params.id), `check ${request.params.id}`);
    const q = request.query;
    return ctx.store.history.flips({ checkId: check.id, limit: q.limit, cursor: q.cursor ?? null, from: q.from, to: q.to });
  });
}
