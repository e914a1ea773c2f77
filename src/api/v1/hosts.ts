// GET /hosts, GET /hosts/:id, DELETE /hosts/:id (editor; deletes the host's checks and history too).
import type { FastifyInstance } from 'fastify';
import { requireRole, resolveProjectScope, visibleItems, visibleOr404, type ApiContext } from './context.js';
import { errorResponses, hostSchema, idParams, pageQueryProperties, pageSchema, projectQueryProperty, ref } from './schemas.js';

interface HostsQuery {
  limit: number;
  cursor?: string;
  project?: string;
  prefix?: string;
}

/** Registers the host routes on the /api/v1 instance. */
export function hostRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: HostsQuery }>('/hosts', {
    schema: {
      tags: ['hosts'], summary: 'List hosts (oldest first, by id)',
      querystring: {
        type: 'object',
        properties: {
          ...pageQueryProperties,
          project: projectQueryProperty,
          prefix: { type: 'string', minLength: 1, maxLength: 255, description: 'only hosts whose name starts with this' },
        },
      },
      response: { 200: pageSchema(hostSchema), ...errorResponses },
    },
  }, async (request) => {
    const q = request.query;
    const p = ctx.principal(request);
    const scope = await resolveProjectScope(ctx, p, q.project);
    return visibleItems(p, await ctx.store.hosts.list({ limit: q.limit, cursor: q.cursor ?? null, ...scope, namePrefix: q.prefix }));
  });

  app.get<{ Params: { id: number } }>('/hosts/:id', {
    schema: {
      tags: ['hosts'], summary: 'Get one host', params: idParams,
      response: { 200: ref(hostSchema), ...errorResponses },
    },
  }, async (request) => {
    const p = ctx.principal(request);
    return visibleOr404(p, await ctx.store.hosts.get(request.params.id), `host ${request.params.id}`);
  });

  app.delete<{ Params: { id: number } }>('/hosts/:id', {
    onRequest: requireRole(ctx, 'editor'),
    schema: {
      tags: ['hosts'], summary: 'Delete a host with its checks, history and flips (editor)', params: idParams,
      response: { 204: { description: 'deleted', type: 'null' }, ...errorResponses },
    },
  }, async (request, reply) => {
    const p = ctx.principal(request);
    const host = visibleOr404(p, await ctx.store.hosts.get(request.params.id), `host ${request.params.id}`);
    await ctx.store.hosts.delete(host.id);
    return reply.code(204).send();
  });
}
