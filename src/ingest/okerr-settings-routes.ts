// GET and PUT /api/v1/projects/:id/okerr: a project's okerr settings (own secret, autocreate, own
// policies). The secret is write-only: it is stored as a scrypt hash and never shown again.
import type { FastifyInstance } from 'fastify';
import type { Principal } from '../api/auth.js';
import { canSee, demandRole, visibleOr404, type ApiContext } from '../api/v1/context.js';
import type { Project } from '../domain/types.js';
import { OverseeError } from '../errors.js';
import { OKERR_POLICIES } from '../protocols/okerr.js';
import { hashHostKey } from './host-auth.js';
import type { OkerrPolicy, OkerrRepo, OkerrSettings, OkerrSettingsPatch } from './okerr-repo.js';

/** Shortest own okerr secret accepted. */
export const OKERR_MIN_SECRET = 8;

/** The body of a settings change. */
interface SettingsBody {
  secret?: string | null;
  autocreate?: boolean;
  policies?: Record<string, OkerrPolicy>;
}

const policySchema = {
  type: 'object', required: ['periodS', 'patienceS'], additionalProperties: false,
  properties: { periodS: { type: 'integer', minimum: 1 }, patienceS: { type: 'integer', minimum: 0 } },
} as const;

function view(textid: string, s: OkerrSettings): Record<string, unknown> {
  return {
    projectId: s.projectId, textid, ownSecret: s.secret !== null, autocreate: s.autocreate,
    policies: { ...OKERR_POLICIES, ...s.policies },
  };
}

/** Registers the okerr settings routes (viewer reads, admin writes) on the metrics API instance. */
export function okerrSettingsRoutes(app: FastifyInstance, ctx: ApiContext, repo: OkerrRepo): void {
  const visibleProject = async (p: Principal, id: number): Promise<Project> => {
    const project = await ctx.store.projects.get(id);
    if (project === null || !canSee(p, project.id)) throw new OverseeError('OVS_ERR_NOT_FOUND', `project ${id} does not exist`);
    return project;
  };
  const params = { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } } as const;

  app.get<{ Params: { id: number } }>('/projects/:id/okerr', { schema: { params } }, async (request) => {
    const project = await visibleProject(ctx.principal(request), request.params.id);
    return view(project.name, await repo.getSettings(project.id));
  });

  app.put<{ Params: { id: number }; Body: SettingsBody }>('/projects/:id/okerr', {
    schema: {
      params,
      body: {
        type: 'object', additionalProperties: false,
        properties: {
          secret: { type: ['string', 'null'], minLength: OKERR_MIN_SECRET, maxLength: 200 },
          autocreate: { type: 'boolean' },
          policies: { type: 'object', additionalProperties: policySchema, propertyNames: { pattern: '^[A-Za-z0-9_.-]{1,64}$' } },
        },
      },
    },
  }, async (request) => {
    const p = ctx.principal(request);
    demandRole(p, 'admin');
    const project = visibleOr404(p, await ctx.store.projects.get(request.params.id).then((pr) => pr && { ...pr, projectId: pr.id }), `project ${request.params.id}`);
    const b = request.body;
    const patch: OkerrSettingsPatch = {
      ...(b.secret !== undefined ? { secret: b.secret === null ? null : await hashHostKey(b.secret) } : {}),
      ...(b.autocreate !== undefined ? { autocreate: b.autocreate } : {}),
      ...(b.policies !== undefined ? { policies: b.policies } : {}),
    };
    return view(project.name, await repo.setSettings(project.id, patch, ctx.clock.now()));
  });
}
