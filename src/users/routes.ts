// Session and account routes under /api/v1: GET/POST/DELETE /session (who am I, log in, log out),
// POST /setup (first user; only while none exists), /users (admin). Writes need the CSRF header.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { globalRole, roleIn, ROLES, type Grant } from '../api/auth.js';
import type { Role } from '../domain/types.js';
import { OverseeError, invalid } from '../errors.js';
import type { Store } from '../store/types.js';
import type { Clock } from '../util/clock.js';
import { sessionCookie } from './cookies.js';
import { hashPassword, passwordProblem, verifyPassword } from './password.js';
import type { LoginLimiter } from './rate-limit.js';
import { assertSameSiteWrite, callerRoleOver, CSRF_HEADER, requireRoleSomewhere, SESSION_TTL_MS, type Caller, type SessionAuth } from './sessions.js';
import { normalizeGrants, type User, type UserStore } from './types.js';

/** What userRoutes needs. */
export interface UserRoutesOptions {
  users: UserStore;
  auth: SessionAuth;
  store: Store;
  clock: Clock;
  limiter: LoginLimiter;
}

/** Longest user name; names are letters, digits and . _ @ - (they appear in logs and the UI). */
export const MAX_USER_NAME = 64;
const NAME_PATTERN = /^[A-Za-z0-9._@-]+$/;

/** A problem with a new user name, or null. */
export function userNameProblem(name: string): string | null {
  if (name.length === 0 || name.length > MAX_USER_NAME) return `must be 1 to ${MAX_USER_NAME} characters`;
  if (!NAME_PATTERN.test(name)) return 'may contain only letters, digits and . _ @ -';
  return null;
}

interface Credentials { name: string; password: string }
/** A grant as the API takes it: project by name, id, or null for every project. */
interface GrantBody { project: string | number | null; role: Role }
interface NewUserBody { name: string; password: string; role?: Role; projectId?: number | null; grants?: GrantBody[] }
interface UserChangeBody { role?: Role; projectId?: number | null; grants?: GrantBody[]; password?: string }

/** Most grants one user may have. */
export const MAX_GRANTS = 1000;

const grantsSchema = {
  type: 'array', minItems: 1, maxItems: MAX_GRANTS,
  items: {
    type: 'object', required: ['project', 'role'], additionalProperties: false,
    properties: {
      project: { anyOf: [{ type: 'string', minLength: 1, maxLength: 200 }, { type: 'integer', minimum: 1 }, { type: 'null' }] },
      role: { type: 'string', enum: ROLES },
    },
  },
} as const;

const credentialsSchema = {
  type: 'object', required: ['name', 'password'], additionalProperties: false,
  properties: { name: { type: 'string', maxLength: 200 }, password: { type: 'string', maxLength: 1024 } },
} as const;

/** A user as the API shows it (grants, and their one-scope summary role/projectId). */
function publicUser(u: User): User {
  return {
    id: u.id, name: u.name, grants: u.grants.map((g) => ({ projectId: g.projectId, role: g.role })), role: u.role, projectId: u.projectId,
    createdAt: u.createdAt, lastLoginAt: u.lastLoginAt,
  };
}

/** True when the caller is admin where `g` applies (an all-projects grant needs an all-projects admin). */
function mayGrant(caller: Caller, g: Grant): boolean {
  return callerRoleOver(caller, g.projectId) === 'admin';
}

/** True when the caller administers every project `grants` reach (a user without grants: any admin). */
function inScope(caller: Caller, grants: readonly Grant[]): boolean {
  return grants.every((g) => mayGrant(caller, g));
}

/**
 * The grants a body asks for: `grants` (projects by name or id, resolved; 400 naming grants[i].project
 * when unknown), or role/projectId as one grant, or null when it asks for none. Both at once: 400.
 */
async function grantsOfBody(
  store: Store, b: { role?: Role; projectId?: number | null; grants?: GrantBody[] }, current: User | null,
): Promise<Grant[] | null> {
  if (b.grants !== undefined) {
    if (b.role !== undefined || b.projectId !== undefined) throw invalid('grants', 'give either grants or role/projectId, not both');
    const out: Grant[] = [];
    for (const [i, g] of b.grants.entries()) {
      if (g.project === null) { out.push({ projectId: null, role: g.role }); continue; }
      const project = typeof g.project === 'number' || /^[0-9]+$/.test(g.project)
        ? await store.projects.get(Number(g.project)) : await store.projects.getByName(g.project);
      if (project === null) throw invalid(`grants[${i}].project`, `no project ${JSON.stringify(g.project)}`);
      out.push({ projectId: project.id, role: g.role });
    }
    return normalizeGrants(out);
  }
  if (b.role === undefined && b.projectId === undefined) return null;
  // The single-role fields cannot say which of several grants they mean: refuse rather than drop grants.
  if (current !== null && current.grants.length > 1) throw invalid(b.role !== undefined ? 'role' : 'projectId', 'the user has roles in several projects; send grants instead');
  const projectId = b.projectId !== undefined ? b.projectId : current?.projectId ?? null;
  if (projectId !== null && (await store.projects.get(projectId)) === null) throw invalid('projectId', `project ${projectId} does not exist`);
  return [{ projectId, role: b.role ?? current?.role ?? 'viewer' }];
}

/** Throws unless the caller administers every project of `target`: 404 when it shares none with it (cannot know it), else 403. */
function assertManages(caller: Caller, target: User): void {
  if (inScope(caller, target.grants)) return;
  const shares = target.grants.some((g) => g.projectId === null || roleIn(caller.principal.grants, g.projectId) !== null);
  if (!shares) throw new OverseeError('OVS_ERR_NOT_FOUND', `user ${target.id} does not exist`);
  throw new OverseeError('OVS_ERR_FORBIDDEN', `user ${target.id}: this needs the admin role in every project the user has a role in`);
}

/** Throws 403 unless the caller may give every one of `grants`. */
function assertMayGrant(caller: Caller, grants: readonly Grant[]): void {
  const bad = grants.find((g) => !mayGrant(caller, g));
  if (bad !== undefined) {
    throw new OverseeError('OVS_ERR_FORBIDDEN', bad.projectId === null
      ? 'only an admin of every project may grant a role in every project'
      : `you are not an admin of project ${bad.projectId}`);
  }
}

/** Registers the session, setup and user routes (register with prefix /api/v1). */
export async function userRoutes(app: FastifyInstance, opts: UserRoutesOptions): Promise<void> {
  const { users, auth, store, clock, limiter } = opts;

  const setCookie = (request: FastifyRequest, reply: FastifyReply, value: string, maxAgeS: number): void => {
    void reply.header('set-cookie', sessionCookie(value, maxAgeS, request.protocol === 'https'));
  };

  app.get('/session', { schema: { hide: true } }, async (request) => {
    const session = await auth.sessionUser(request);
    return {
      user: session === null ? null : publicUser(session.user),
      setupRequired: (await users.countUsers()) === 0,
      csrfHeader: CSRF_HEADER,
    };
  });

  app.post<{ Body: Credentials }>('/setup', { schema: { hide: true, body: credentialsSchema } }, async (request, reply) => {
    assertSameSiteWrite(request);
    const name = request.body.name.trim();
    const problem = userNameProblem(name);
    if (problem !== null) throw invalid('name', problem);
    const pwProblem = passwordProblem(request.body.password);
    if (pwProblem !== null) throw invalid('password', pwProblem);
    if ((await users.countUsers()) > 0) throw new OverseeError('OVS_ERR_CONFLICT', 'setup is done: a user exists; log in instead');
    const user = await users.createFirstUser({ name, passwordHash: await hashPassword(request.body.password), now: clock.now() });
    if (user === null) throw new OverseeError('OVS_ERR_CONFLICT', 'setup is done: a user exists; log in instead');
    setCookie(request, reply, await auth.start(user), SESSION_TTL_MS / 1000);
    return reply.code(201).send({ user: publicUser(user) });
  });

  app.post<{ Body: Credentials }>('/session', { schema: { hide: true, body: credentialsSchema } }, async (request, reply) => {
    assertSameSiteWrite(request);
    const name = request.body.name.trim();
    const now = clock.now();
    const keys = [`ip:${request.ip}`, `user:${name.toLowerCase()}`];
    const wait = limiter.retryAfter(keys, now);
    if (wait > 0) {
      void reply.header('retry-after', String(Math.ceil(wait / 1000)));
      throw new OverseeError('OVS_ERR_RATE_LIMITED', `too many failed logins; try again in ${Math.ceil(wait / 1000)} s`);
    }
    const user = await users.getUserByName(name);
    // Verify against a dummy hash when the user is unknown, so timing does not reveal which names exist.
    const ok = await verifyPassword(request.body.password, user?.passwordHash ?? DUMMY_HASH);
    if (user === null || !ok) {
      limiter.fail(keys, now);
      throw new OverseeError('OVS_ERR_UNAUTHORIZED', 'wrong user name or password');
    }
    limiter.succeed([`user:${name.toLowerCase()}`]);
    setCookie(request, reply, await auth.start(user), SESSION_TTL_MS / 1000);
    return { user: publicUser(user) };
  });

  app.delete('/session', { schema: { hide: true } }, async (request, reply) => {
    assertSameSiteWrite(request);
    await auth.end(request);
    setCookie(request, reply, '', 0);
    return reply.code(204).send();
  });

  app.get('/users', { schema: { hide: true } }, async (request) => {
    const caller = await auth.require(request);
    requireRoleSomewhere(caller, 'admin');
    return { items: (await users.listUsers()).filter((u) => inScope(caller, u.grants)).map(publicUser) };
  });

  app.post<{ Body: NewUserBody }>('/users', {
    schema: {
      hide: true,
      body: {
        type: 'object', required: ['name', 'password'], additionalProperties: false,
        properties: {
          name: { type: 'string', maxLength: 200 }, password: { type: 'string', maxLength: 1024 },
          role: { type: 'string', enum: ROLES }, projectId: { type: ['integer', 'null'], minimum: 1 }, grants: grantsSchema,
        },
      },
    },
  }, async (request, reply) => {
    const caller = await auth.require(request);
    requireRoleSomewhere(caller, 'admin');
    const b = request.body;
    if (b.grants === undefined && b.role === undefined) throw invalid('role', 'required (or grants)');
    // Without a project the new user gets the caller's own scope (as before grants existed).
    const grants = await grantsOfBody(store, b.grants === undefined && b.projectId === undefined ? { ...b, projectId: caller.principal.projectId } : b, null) ?? [];
    assertMayGrant(caller, grants);
    const user = await createUserChecked(users, store, { name: b.name, password: b.password, grants }, clock.now());
    return reply.code(201).send(publicUser(user));
  });

  app.patch<{ Params: { id: number }; Body: UserChangeBody }>('/users/:id', {
    schema: {
      hide: true,
      params: { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } },
      body: {
        type: 'object', additionalProperties: false,
        properties: {
          role: { type: 'string', enum: ROLES }, projectId: { type: ['integer', 'null'], minimum: 1 }, grants: grantsSchema, password: { type: 'string', maxLength: 1024 },
        },
      },
    },
  }, async (request) => {
    const caller = await auth.require(request);
    const target = await users.getUser(request.params.id);
    const self = caller.user !== null && caller.user.id === request.params.id;
    const b = request.body;
    // Anyone may change their own password; everything else is for admins of the user's scope.
    const onlyPassword = b.role === undefined && b.projectId === undefined && b.grants === undefined;
    if (!(self && onlyPassword)) requireRoleSomewhere(caller, 'admin');
    if (target === null) throw new OverseeError('OVS_ERR_NOT_FOUND', `user ${request.params.id} does not exist`);
    if (!(self && onlyPassword)) assertManages(caller, target);
    const grants = await grantsOfBody(store, b, target);
    if (grants !== null) assertMayGrant(caller, grants);
    if (b.password !== undefined) {
      const problem = passwordProblem(b.password);
      if (problem !== null) throw invalid('password', problem);
    }
    if (grants !== null && globalRole(target.grants) === 'admin' && globalRole(grants) !== 'admin') await assertAnotherAdmin(users, target.id);
    const updated = await users.updateUser(target.id, {
      ...(grants !== null ? { grants } : {}),
      ...(b.password !== undefined ? { passwordHash: await hashPassword(b.password) } : {}),
    });
    if (b.password !== undefined) await users.deleteUserSessions(target.id);
    if (updated === null) throw new OverseeError('OVS_ERR_NOT_FOUND', `user ${request.params.id} does not exist`);
    return publicUser(updated);
  });

  app.delete<{ Params: { id: number } }>('/users/:id', {
    schema: { hide: true, params: { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } } },
  }, async (request, reply) => {
    const caller = await auth.require(request);
    requireRoleSomewhere(caller, 'admin');
    const target = await users.getUser(request.params.id);
    if (target === null) throw new OverseeError('OVS_ERR_NOT_FOUND', `user ${request.params.id} does not exist`);
    assertManages(caller, target);
    if (globalRole(target.grants) === 'admin') await assertAnotherAdmin(users, target.id);
    await users.deleteUser(target.id);
    return reply.code(204).send();
  });
}

/** A fixed valid hash of a random password, verified against when the user name is unknown. */
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$3q2+7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

/** Refuses to remove the last all-projects admin (nobody could manage users afterwards). */
async function assertAnotherAdmin(users: UserStore, exceptId: number): Promise<void> {
  const others = (await users.listUsers()).filter((u) => u.id !== exceptId && globalRole(u.grants) === 'admin');
  if (others.length === 0) throw new OverseeError('OVS_ERR_CONFLICT', 'this is the last admin of every project; make another admin first');
}

/**
 * Validates and creates a user (shared by the API and the CLI) with `grants`, or with the one grant
 * role/projectId. Bad name, password, role or unknown project: OVS_ERR_VALIDATION naming the field.
 */
export async function createUserChecked(
  users: UserStore, store: Store,
  input: { name: string; password: string; grants?: readonly Grant[]; role?: Role; projectId?: number | null }, now: number,
): Promise<User> {
  const name = input.name.trim();
  const problem = userNameProblem(name);
  if (problem !== null) throw invalid('name', problem);
  const pwProblem = passwordProblem(input.password);
  if (pwProblem !== null) throw invalid('password', pwProblem);
  const grants = input.grants ?? [{ projectId: input.projectId ?? null, role: input.role ?? 'viewer' }];
  const field = (i: number, f: 'role' | 'projectId'): string => (input.grants === undefined ? f : `grants[${i}].${f === 'role' ? 'role' : 'project'}`);
  if (grants.length === 0) throw invalid('grants', 'must hold at least one grant');
  for (const [i, g] of grants.entries()) {
    if (!ROLES.includes(g.role)) throw invalid(field(i, 'role'), `must be one of ${ROLES.join(', ')}`);
    if (g.projectId !== null && (await store.projects.get(g.projectId)) === null) throw invalid(field(i, 'projectId'), `project ${g.projectId} does not exist`);
  }
  return users.createUser({ name, grants: normalizeGrants(grants), passwordHash: await hashPassword(input.password), now });
}
