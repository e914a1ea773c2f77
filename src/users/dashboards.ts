// Saved dashboards: GET /dashboards (viewer), POST /dashboards, PUT/DELETE /dashboards/:id (editor).
// A dashboard belongs to a project (or to all when projectId is null, which only all-project callers set).
import type { FastifyInstance } from 'fastify';
import { roleAtLeast, roleIn } from '../api/auth.js';
import { OverseeError } from '../errors.js';
import type { Clock } from '../util/clock.js';
import { callerRoleOver, requireRoleSomewhere, type Caller, type SessionAuth } from './sessions.js';
import type { Dashboard, UserStore } from './types.js';

interface DashboardBody { name: string; projectId?: number | null; spec: Record<string, unknown> }

const bodySchema = {
  type: 'object', required: ['name', 'spec'], additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    projectId: { type: ['integer', 'null'], minimum: 1 },
    spec: { type: 'object' },
  },
} as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } } as const;

function canSee(caller: Caller, d: Dashboard): boolean {
  return d.projectId === null || roleIn(caller.principal.grants, d.projectId) !== null;
}

/** True when the caller is an editor where a dashboard of `projectId` lives (null = shared: editor of every project). */
function mayEdit(caller: Caller, projectId: number | null): boolean {
  const role = callerRoleOver(caller, projectId);
  return role !== null && roleAtLeast(role, 'editor');
}

/** Registers the dashboard routes (prefix /api/v1). */
export async function dashboardRoutes(app: FastifyInstance, opts: { users: UserStore; auth: SessionAuth; clock: Clock }): Promise<void> {
  const { users, auth, clock } = opts;

  const writable = async (caller: Caller, id: number): Promise<Dashboard> => {
    const d = await users.getDashboard(id);
    if (d === null || !canSee(caller, d)) throw new OverseeError('OVS_ERR_NOT_FOUND', `dashboard ${id} does not exist`);
    if (!mayEdit(caller, d.projectId)) {
      throw new OverseeError('OVS_ERR_FORBIDDEN', d.projectId === null ? 'a shared dashboard can be changed only by an editor of every project' : `this needs the editor role in project ${d.projectId}`);
    }
    return d;
  };
  const scopeOf = (caller: Caller, projectId: number | null | undefined): number | null => {
    const scope = projectId === undefined ? caller.principal.projectId : projectId;
    if (scope === 0 || !mayEdit(caller, scope)) {
      throw new OverseeError('OVS_ERR_FORBIDDEN', scope === null ? 'a shared dashboard needs the editor role in every project' : `projectId: this needs the editor role in project ${String(scope)}`);
    }
    return scope;
  };

  app.get('/dashboards', { schema: { hide: true } }, async (request) => {
    const caller = await auth.require(request);
    return { items: (await users.listDashboards(undefined)).filter((d) => canSee(caller, d)) };
  });

  app.get<{ Params: { id: number } }>('/dashboards/:id', { schema: { hide: true, params: idParams } }, async (request) => {
    const caller = await auth.require(request);
    const d = await users.getDashboard(request.params.id);
    if (d === null || !canSee(caller, d)) throw new OverseeError('OVS_ERR_NOT_FOUND', `dashboard ${request.params.id} does not exist`);
    return d;
  });

  app.post<{ Body: DashboardBody }>('/dashboards', { schema: { hide: true, body: bodySchema } }, async (request, reply) => {
    const caller = await auth.require(request);
    requireRoleSomewhere(caller, 'editor');
    const b = request.body;
    const saved = await users.saveDashboard({ projectId: scopeOf(caller, b.projectId), name: b.name.trim(), spec: b.spec, createdBy: caller.principal.name, now: clock.now() });
    return reply.code(201).send(saved);
  });

  app.put<{ Params: { id: number }; Body: DashboardBody }>('/dashboards/:id', { schema: { hide: true, params: idParams, body: bodySchema } }, async (request) => {
    const caller = await auth.require(request);
    requireRoleSomewhere(caller, 'editor');
    const d = await writable(caller, request.params.id);
    const b = request.body;
    return users.saveDashboard({ id: d.id, projectId: scopeOf(caller, b.projectId ?? d.projectId), name: b.name.trim(), spec: b.spec, createdBy: d.createdBy, now: clock.now() });
  });

  app.delete<{ Params: { id: number } }>('/dashboards/:id', { schema: { hide: true, params: idParams } }, async (request, reply) => {
    const caller = await auth.require(request);
    requireRoleSomewhere(caller, 'editor');
    await users.deleteDashboard((await writable(caller, request.params.id)).id);
    return reply.code(204).send();
  });
}
