// What every /api/v1 route module gets: the store, the clock, the caller, and the scope rules.
// Scope rules: a token limited to a project sees only that project; objects outside it answer 404
// (as if they did not exist), while a `project` filter naming another project answers 403.
import type { FastifyRequest } from 'fastify';
import type { Role } from '../../domain/types.js';
import { OverseeError } from '../../errors.js';
import type { Store } from '../../store/types.js';
import type { Clock } from '../../util/clock.js';
import { roleAtLeast, type Principal } from '../auth.js';

/** Per-plugin-instance state handed to the route modules. */
export interface ApiContext {
  readonly store: Store;
  readonly clock: Clock;
  /** The authenticated caller of a request (throws OVS_ERR_UNAUTHORIZED on a public route). */
  principal(request: FastifyRequest): Principal;
}

/** An onRequest hook that answers 403 unless the caller's role is at least `role`. */
export function requireRole(ctx: ApiContext, role: Role): (request: FastifyRequest) => Promise<void> {
  return async (request) => {
    const p = ctx.principal(request);
    if (!roleAtLeast(p.role, role)) {
      throw new OverseeError('OVS_ERR_FORBIDDEN', `this needs the ${role} role; the token has ${p.role}`);
    }
  };
}

/** True when the caller may see objects of `projectId`. */
export function canSee(p: Principal, projectId: number): boolean {
  return p.projectId === null || p.projectId === projectId;
}

/** The object if it exists and the caller may see it, else OVS_ERR_NOT_FOUND naming `what`. */
export function visibleOr404<T extends { projectId: number }>(p: Principal, obj: T | null, what: string): T {
  if (obj === null || !canSee(p, obj.projectId)) throw new OverseeError('OVS_ERR_NOT_FOUND', `${what} does not exist`);
  return obj;
}

const DIGITS = /^[0-9]+$/;

/**
 * The project id to filter by: the `project` query (id or name) if given, else the token's project
 * (undefined = all). Unknown project: 404; a project outside the token's scope: 403.
 */
export async function resolveProjectFilter(ctx: ApiContext, p: Principal, value: string | undefined): Promise<number | undefined> {
  if (value === undefined) return p.projectId ?? undefined;
  const project = DIGITS.test(value) ? await ctx.store.projects.get(Number(value)) : await ctx.store.projects.getByName(value);
  if (project === null) throw new OverseeError('OVS_ERR_NOT_FOUND', `project: no project ${JSON.stringify(value)}`, { field: 'project' });
  if (!canSee(p, project.id)) {
    throw new OverseeError('OVS_ERR_FORBIDDEN', `project: the token is limited to project ${String(p.projectId)}`, { field: 'project' });
  }
  return project.id;
}

/**
 * The host id to filter by from a `host` query: all digits = an id, anything else = a name, looked up
 * in `projectId` or else in every project the caller sees. Unknown (or invisible) host: 404; a name
 * that exists in several projects: OVS_ERR_VALIDATION asking for `project`.
 */
export async function resolveHostFilter(ctx: ApiContext, p: Principal, value: string, projectId: number | undefined): Promise<number> {
  const notFound = (): OverseeError => new OverseeError('OVS_ERR_NOT_FOUND', `host: no host ${JSON.stringify(value)}`, { field: 'host' });
  if (DIGITS.test(value)) {
    const host = await ctx.store.hosts.get(Number(value));
    if (host === null || !canSee(p, host.projectId) || (projectId !== undefined && host.projectId !== projectId)) throw notFound();
    return host.id;
  }
  const projectIds = projectId !== undefined ? [projectId] : (await ctx.store.projects.list()).map((pr) => pr.id).filter((id) => canSee(p, id));
  const found: number[] = [];
  for (const id of projectIds) {
    const host = await ctx.store.hosts.getWithKey(id, value);
    if (host !== null) found.push(host.id);
  }
  const [only, ...more] = found;
  if (only === undefined) throw notFound();
  if (more.length > 0) {
    throw new OverseeError('OVS_ERR_VALIDATION', `host: ${JSON.stringify(value)} exists in several projects; add project=`, { field: 'host' });
  }
  return only;
}
