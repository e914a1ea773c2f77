// What every /api/v1 route module gets: the store, the clock, the caller, and the scope rules.
// Scope rules, in one place for every route: a caller holds grants (a role per project, or in every
// project). Objects of a project where it has no role answer 404 (as if they did not exist), while a
// `project` filter naming such a project answers 403. A write first demands a role (demandRole, or
// the requireRole hook); from then on the request touches a project only where the caller has that
// role there: canSee is false elsewhere, and visibleOr404 answers 403 for an object it can only read.
import type { FastifyRequest } from 'fastify';
import type { Role } from '../../domain/types.js';
import { OverseeError } from '../../errors.js';
import type { Store } from '../../store/types.js';
import type { Clock } from '../../util/clock.js';
import { globalRole, roleAtLeast, roleIn, topRole, type Principal } from '../auth.js';

/** Per-plugin-instance state handed to the route modules. */
export interface ApiContext {
  readonly store: Store;
  readonly clock: Clock;
  /** The authenticated caller of a request (throws OVS_ERR_UNAUTHORIZED on a public route). */
  principal(request: FastifyRequest): Principal;
}

// The role a request demanded of its caller (principals are made per request, so this is per request).
const demanded = new WeakMap<Principal, Role>();

/**
 * Throws OVS_ERR_FORBIDDEN unless the caller has at least `role` in some project, and records the
 * demand: the scope checks below then admit only projects where the caller has that role.
 */
export function demandRole(p: Principal, role: Role): void {
  const top = topRole(p.grants);
  if (top === null || !roleAtLeast(top, role)) {
    throw new OverseeError('OVS_ERR_FORBIDDEN', `this needs the ${role} role; the caller has ${top ?? 'no role'}`);
  }
  const had = demanded.get(p);
  if (had === undefined || roleAtLeast(role, had)) demanded.set(p, role);
}

/** The role the request demanded (viewer when none). */
export function demandedRole(p: Principal): Role {
  return demanded.get(p) ?? 'viewer';
}

/** An onRequest hook that answers 403 unless the caller has at least `role` (see demandRole). */
export function requireRole(ctx: ApiContext, role: Role): (request: FastifyRequest) => Promise<void> {
  return async (request) => { demandRole(ctx.principal(request), role); };
}

/** True when the caller may read objects of `projectId` (any role there). */
export function canRead(p: Principal, projectId: number): boolean {
  return roleIn(p.grants, projectId) !== null;
}

/** True when the caller may act on objects of `projectId`: it has there the role the request demanded. */
export function canSee(p: Principal, projectId: number): boolean {
  const role = roleIn(p.grants, projectId);
  return role !== null && roleAtLeast(role, demandedRole(p));
}

/** Throws OVS_ERR_FORBIDDEN unless the caller has the demanded role in `projectId` (404 when it cannot even read it). */
export function assertActIn(p: Principal, projectId: number, what: string): void {
  if (!canRead(p, projectId)) throw new OverseeError('OVS_ERR_NOT_FOUND', `${what} does not exist`);
  if (!canSee(p, projectId)) {
    throw new OverseeError('OVS_ERR_FORBIDDEN', `this needs the ${demandedRole(p)} role in project ${projectId}; the caller has ${roleIn(p.grants, projectId) ?? 'none'}`);
  }
}

/** The object if it exists and the caller may act on it: 404 when it cannot read it, 403 when it can only read it. */
export function visibleOr404<T extends { projectId: number }>(p: Principal, obj: T | null, what: string): T {
  if (obj === null) throw new OverseeError('OVS_ERR_NOT_FOUND', `${what} does not exist`);
  assertActIn(p, obj.projectId, what);
  return obj;
}

/** The one project every grant of the caller is limited to; undefined when it has an all-projects grant or several projects. */
export function singleProject(p: Principal): number | undefined {
  const ids = new Set(p.grants.map((g) => g.projectId));
  if (ids.has(null) || ids.size !== 1) return undefined;
  return [...ids][0] ?? undefined;
}

/** Keeps the items of a page the caller may see (a last guard: list routes filter in the store through resolveProjectScope). */
export function visibleItems<T extends { projectId: number }>(p: Principal, page: { items: T[]; nextCursor: string | null }): { items: T[]; nextCursor: string | null } {
  return { items: page.items.filter((x) => canSee(p, x.projectId)), nextCursor: page.nextCursor };
}

const DIGITS = /^[0-9]+$/;

/**
 * The project id to filter by: the `project` query (id or name) if given, else the caller's only project
 * (undefined = every project the caller sees: list routes use resolveProjectScope for that case).
 * Unknown project: 404; a project where the caller lacks the demanded role: 403.
 */
export async function resolveProjectFilter(ctx: ApiContext, p: Principal, value: string | undefined): Promise<number | undefined> {
  if (value === undefined) return singleProject(p);
  const project = DIGITS.test(value) ? await ctx.store.projects.get(Number(value)) : await ctx.store.projects.getByName(value);
  if (project === null) throw new OverseeError('OVS_ERR_NOT_FOUND', `project: no project ${JSON.stringify(value)}`, { field: 'project' });
  if (!canSee(p, project.id)) {
    throw new OverseeError('OVS_ERR_FORBIDDEN', `project: the caller has no ${demandedRole(p)} role in project ${JSON.stringify(project.name)}`, { field: 'project' });
  }
  return project.id;
}

/** The project filter of a list query as store filters: one project, the caller's projects, or none (every project). */
export interface ProjectScope {
  /** One project (the `project` query, or the caller's only project). */
  projectId?: number;
  /** The projects where the caller has the demanded role, for a caller without it in every project (empty = none). */
  projectIds?: number[];
}

/**
 * The project filter for a list: the `project` query (as resolveProjectFilter), else every project for a
 * caller with the demanded role in every project, else the ids of the projects where it has that role,
 * so the store filters in its query (`project_id IN (...)`) and pages come back full.
 */
export async function resolveProjectScope(ctx: ApiContext, p: Principal, value: string | undefined): Promise<ProjectScope> {
  const projectId = await resolveProjectFilter(ctx, p, value);
  if (projectId !== undefined) return { projectId };
  const global = globalRole(p.grants);
  if (global !== null && roleAtLeast(global, demandedRole(p))) return {};
  return { projectIds: (await ctx.store.projects.list()).map((pr) => pr.id).filter((id) => canSee(p, id)) };
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
