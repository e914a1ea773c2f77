// GET /projects and GET /projects/:id. Admin tokens also see each project's ingest token.
import type { FastifyInstance } from 'fastify';
import type { Project } from '../../domain/types.js';
import type { Principal } from '../auth.js';
import { OverseeError } from '../../errors.js';
import { canSee, type ApiContext } from './context.js';
import { errorResponses, idParams, pageSchema, projectSchema, ref } from './schemas.js';

/** A project as the caller may see it: the ingest token only for admins. */
export function projectView(p: Principal, project: Project): Omit<Project, 'ingestToken'> & { ingestToken?: string } {
  const { ingestToken, ...rest } = project;
  return p.role === 'admin' ? { ...rest, ingestToken } : rest;
}

/** Registers the project routes on the /api/v1 instance. */
export function projectRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get('/projects', {
    schema: {
      tags: ['projects'], summary: 'List the projects the token sees',
      response: { 200: pageSchema(projectSchema), ...errorResponses },
    },
  }, async (request) => {
    const p = ctx.principal(request);
    const projects = await ctx.store.projects.list();
    return { items: projects.filter((pr) => canSee(p, pr.id)).map((pr) => projectView(p, pr)), nextCursor: null };
  });

  app.get<{ Params: { id: number } }>('/projects/:id', {
    schema: {
      tags: ['projects'], summary: 'Get one project', params: idParams,
      response: { 200: ref(projectSchema), ...errorResponses },
    },
  }, async (request) => {
    const p = ctx.principal(request);
    const project = await ctx.store.projects.get(request.params.id);
    if (project === null || !canSee(p, project.id)) throw new OverseeError('OVS_ERR_NOT_FOUND', `project ${request.params.id} does not exist`);
    return projectView(p, project);
  });
}
