// /projects: GET (the projects the caller has a role in), GET /:id, and administration: POST (admin of
// every project), PATCH /:id (rename/describe; admin of the project) and DELETE /:id (admin of every
// project; 409 while it holds hosts or checks unless ?force=true; never the `default` project).
import type { FastifyInstance } from 'fastify';
import type { Project } from '../../domain/types.js';
import { globalRole, roleIn, type Principal } from '../auth.js';
import { OverseeError } from '../../errors.js';
import { canRead, demandRole, visibleOr404, type ApiContext } from './context.js';
import { errorResponses, idParams, pageSchema, projectSchema, ref } from './schemas.js';

/** Longest project name and description accepted. */
export const MAX_PROJECT_NAME = 64;
export const MAX_PROJECT_DESCRIPTION = 1000;

/** Names are what clients send as `project=` and in silences: letters, digits, . _ - (not all digits: those are ids). */
const NAME_PATTERN = '^(?![0-9]+$)[A-Za-z0-9._-]+$';

/** The project every fresh store has; ingestion without a project lands here, so it cannot be deleted. */
export const DEFAULT_PROJECT = 'default';

interface ProjectBody { name: string; description?: string }
interface ProjectChange { name?: string; description?: string }

const nameSchema = { type: 'string', minLength: 1, maxLength: MAX_PROJECT_NAME, pattern: NAME_PATTERN } as const;
const descriptionSchema = { type: 'string', maxLength: MAX_PROJECT_DESCRIPTION } as const;

/** A project as the caller may see it: the ingest token only for admins of the project. */
export function projectView(p: Principal, project: Project): Omit<Project, 'ingestToken'> & { ingestToken?: string } {
  const { ingestToken, ...rest } = project;
  return roleIn(p.grants, project.id) === 'admin' ? { ...rest, ingestToken } : rest;
}

/** Throws OVS_ERR_FORBIDDEN unless the caller is admin in every project. */
function needGlobalAdmin(p: Principal, what: string): void {
  demandRole(p, 'admin');
  if (globalRole(p.grants) !== 'admin') throw new OverseeError('OVS_ERR_FORBIDDEN', `${what} needs the admin role in every project`);
}

/** The project as a scoped object (for visibleOr404). */
const scoped = (project: Project | null): (Project & { projectId: number }) | null => (project === null ? null : { ...project, projectId: project.id });

/** Registers the project routes on the /api/v1 instance; `onDeleted` runs after each delete (e.g. tsdb data). */
export function projectRoutes(app: FastifyInstance, ctx: ApiContext, onDeleted?: (projectId: number) => void): void {
  app.get('/projects', {
    schema: {
      tags: ['projects'], summary: 'List the projects the caller has a role in',
      response: { 200: pageSchema(projectSchema), ...errorResponses },
    },
  }, async (request) => {
    const p = ctx.principal(request);
    const projects = await ctx.store.projects.list();
    return { items: projects.filter((pr) => canRead(p, pr.id)).map((pr) => projectView(p, pr)), nextCursor: null };
  });

  app.get<{ Params: { id: number } }>('/projects/:id', {
    schema: {
      tags: ['projects'], summary: 'Get one project', params: idParams,
      response: { 200: ref(projectSchema), ...errorResponses },
    },
  }, async (request) => {
    const p = ctx.principal(request);
    const project = await ctx.store.projects.get(request.params.id);
    if (project === null || !canRead(p, project.id)) throw new OverseeError('OVS_ERR_NOT_FOUND', `project ${request.params.id} does not exist`);
    return projectView(p, project);
  });

  app.post<{ Body: ProjectBody }>('/projects', {
    onRequest: async (request) => { needGlobalAdmin(ctx.principal(request), 'creating a project'); },
    schema: {
      tags: ['projects'], summary: 'Create a project (admin of every project)',
      body: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: nameSchema, description: descriptionSchema } },
      response: { 201: ref(projectSchema), ...errorResponses },
    },
  }, async (request, reply) => {
    const p = ctx.principal(request);
    const project = await ctx.store.projects.create(request.body.name, ctx.clock.now(), request.body.description ?? '');
    return reply.code(201).send(projectView(p, project));
  });

  app.patch<{ Params: { id: number }; Body: ProjectChange }>('/projects/:id', {
    onRequest: async (request) => { demandRole(ctx.principal(request), 'admin'); },
    schema: {
      tags: ['projects'], summary: 'Rename or describe a project (admin of the project)', params: idParams,
      body: { type: 'object', additionalProperties: false, properties: { name: nameSchema, description: descriptionSchema } },
      response: { 200: ref(projectSchema), ...errorResponses },
    },
  }, async (request) => {
    const p = ctx.principal(request);
    const project = visibleOr404(p, scoped(await ctx.store.projects.get(request.params.id)), `project ${request.params.id}`);
    const b = request.body;
    if (b.name !== undefined && b.name !== project.name && project.name === DEFAULT_PROJECT) {
      throw new OverseeError('OVS_ERR_VALIDATION', `name: the ${DEFAULT_PROJECT} project cannot be renamed (ingestion without a project lands in it)`, { field: 'name' });
    }
    const updated = await ctx.store.projects.update(project.id, {
      ...(b.name !== undefined ? { name: b.name } : {}), ...(b.description !== undefined ? { description: b.description } : {}),
    });
    if (updated === null) throw new OverseeError('OVS_ERR_NOT_FOUND', `project ${request.params.id} does not exist`);
    return projectView(p, updated);
  });

  app.delete<{ Params: { id: number }; Querystring: { force: boolean } }>('/projects/:id', {
    onRequest: async (request) => { needGlobalAdmin(ctx.principal(request), 'deleting a project'); },
    schema: {
      tags: ['projects'], summary: 'Delete a project (admin of every project); 409 while it holds hosts or checks unless force=true', params: idParams,
      querystring: { type: 'object', properties: { force: { type: 'boolean', default: false, description: 'also delete its hosts, checks and history' } } },
      response: { 204: { description: 'deleted', type: 'null' }, ...errorResponses },
    },
  }, async (request, reply) => {
    const p = ctx.principal(request);
    const project = visibleOr404(p, scoped(await ctx.store.projects.get(request.params.id)), `project ${request.params.id}`);
    if (project.name === DEFAULT_PROJECT) throw new OverseeError('OVS_ERR_CONFLICT', `the ${DEFAULT_PROJECT} project cannot be deleted`);
    const usage = await ctx.store.projects.usage(project.id);
    if (!request.query.force && (usage.hosts > 0 || usage.checks > 0)) {
      throw new OverseeError('OVS_ERR_CONFLICT', `project ${JSON.stringify(project.name)} holds ${usage.hosts} hosts and ${usage.checks} checks; delete them first or add ?force=true`);
    }
    if (await ctx.store.projects.delete(project.id)) onDeleted?.(project.id);
    return reply.code(204).send();
  });
}
