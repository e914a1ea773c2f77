// GET/POST/DELETE /tokens (admin). A caller manages the tokens of the projects it is admin of (all-projects tokens: admin of every project).
import type { FastifyInstance } from 'fastify';
import type { Role } from '../../domain/types.js';
import { OverseeError } from '../../errors.js';
import { createToken, globalRole, MAX_TOKEN_NAME, ROLES, type Principal } from '../auth.js';
import { canRead, canSee, requireRole, type ApiContext } from './context.js';
import { errorResponses, idParams, pageSchema, tokenSchema } from './schemas.js';

/** True when the caller administers the scope of a token (projectId null: needs admin in every project). */
function manages(p: Principal, projectId: number | null): boolean {
  return projectId === null ? globalRole(p.grants) === 'admin' : canSee(p, projectId);
}

interface NewTokenBody {
  name: string;
  role: Role;
  projectId?: number | null;
}

const createdSchema = {
  type: 'object',
  required: [...tokenSchema.required, 'token'],
  properties: { ...tokenSchema.properties, token: { type: 'string', description: 'the secret; shown only in this answer' } },
} as const;

/** Registers the token routes on the /api/v1 instance. */
export function tokenRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const admin = requireRole(ctx, 'admin');

  app.get('/tokens', {
    onRequest: admin,
    schema: {
      tags: ['tokens'], summary: 'List API tokens (admin; never their secrets)',
      response: { 200: pageSchema(tokenSchema), ...errorResponses },
    },
  }, async (request) => {
    const p = ctx.principal(request);
    const tokens = await ctx.store.tokens.list();
    return { items: tokens.filter((t) => manages(p, t.projectId)), nextCursor: null };
  });

  app.post<{ Body: NewTokenBody }>('/tokens', {
    onRequest: admin,
    schema: {
      tags: ['tokens'], summary: 'Create an API token (admin); the answer holds its secret, shown once',
      body: {
        type: 'object',
        required: ['name', 'role'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', minLength: 1, maxLength: MAX_TOKEN_NAME, pattern: '\\S' },
          role: { type: 'string', enum: [...ROLES] },
          projectId: { type: ['integer', 'null'], minimum: 1, description: 'limit to this project; null = all projects; absent = the calling token\'s scope' },
        },
      },
      response: { 201: createdSchema, ...errorResponses },
    },
  }, async (request, reply) => {
    const p = ctx.principal(request);
    // Absent = the caller's own scope; an explicit null asks for every project.
    const projectId = request.body.projectId === undefined ? p.projectId : request.body.projectId;
    if (!manages(p, projectId)) {
      throw new OverseeError('OVS_ERR_FORBIDDEN', `projectId: you are not an admin of ${projectId === null ? 'every project' : `project ${projectId}`}`, { field: 'projectId' });
    }
    const { token, record } = await createToken(ctx.store, { name: request.body.name, role: request.body.role, projectId }, ctx.clock);
    return reply.code(201).send({ ...record, token });
  });

  app.delete<{ Params: { id: number } }>('/tokens/:id', {
    onRequest: admin,
    schema: {
      tags: ['tokens'], summary: 'Revoke an API token (admin)', params: idParams,
      response: { 204: { description: 'deleted', type: 'null' }, ...errorResponses },
    },
  }, async (request, reply) => {
    const p = ctx.principal(request);
    const target = (await ctx.store.tokens.list()).find((t) => t.id === request.params.id);
    if (target === undefined || !manages(p, target.projectId)) {
      if (target !== undefined && target.projectId !== null && canRead(p, target.projectId)) {
        throw new OverseeError('OVS_ERR_FORBIDDEN', `token ${request.params.id}: this needs the admin role in project ${target.projectId}`);
      }
      throw new OverseeError('OVS_ERR_NOT_FOUND', `token ${request.params.id} does not exist`);
    }
    await ctx.store.tokens.delete(target.id);
    return reply.code(204).send();
  });
}
