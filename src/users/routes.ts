// Session and account routes under /api/v1: GET/POST/DELETE /session (who am I, log in, log out),
// POST /setup (first user; only while none exists), /users (admin). Writes need the CSRF header.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { roleAtLeast, ROLES } from '../api/auth.js';
import type { Role } from '../domain/types.js';
import { OverseeError, invalid } from '../errors.js';
import type { Store } from '../store/types.js';
import type { Clock } from '../util/clock.js';
import { sessionCookie } from './cookies.js';
import { hashPassword, passwordProblem, verifyPassword } from './password.js';
import type { LoginLimiter } from './rate-limit.js';
import { assertSameSiteWrite, CSRF_HEADER, SESSION_TTL_MS, type Caller, type SessionAuth } from './sessions.js';
import type { User, UserStore } from './types.js';

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
interface NewUserBody { name: string; password: string; role: Role; projectId?: number | null }
interface UserChangeBody { role?: Role; projectId?: number | null; password?: string }

const credentialsSchema = {
  type: 'object', required: ['name', 'password'], additionalProperties: false,
  properties: { name: { type: 'string', maxLength: 200 }, password: { type: 'string', maxLength: 1024 } },
} as const;

/** A user as the API shows it. */
function publicUser(u: User): User {
  return { id: u.id, name: u.name, role: u.role, projectId: u.projectId, createdAt: u.createdAt, lastLoginAt: u.lastLoginAt };
}

/** Requires an admin caller; a project-limited admin manages only users of that project. */
function requireAdmin(caller: Caller): void {
  if (!roleAtLeast(caller.principal.role, 'admin')) {
    throw new OverseeError('OVS_ERR_FORBIDDEN', `this needs the admin role; you have ${caller.principal.role}`);
  }
}

function inScope(caller: Caller, projectId: number | null): boolean {
  return caller.principal.projectId === null || caller.principal.projectId === projectId;
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
    requireAdmin(caller);
    return { items: (await users.listUsers()).filter((u) => inScope(caller, u.projectId)).map(publicUser) };
  });

  app.post<{ Body: NewUserBody }>('/users', {
    schema: {
      hide: true,
      body: {
        type: 'object', required: ['name', 'password', 'role'], additionalProperties: false,
        properties: {
          name: { type: 'string', maxLength: 200 }, password: { type: 'string', maxLength: 1024 },
          role: { type: 'string', enum: ROLES }, projectId: { type: ['integer', 'null'], minimum: 1 },
        },
      },
    },
  }, async (request, reply) => {
    const caller = await auth.require(request);
    requireAdmin(caller);
    const b = request.body;
    const projectId = b.projectId ?? caller.principal.projectId;
    if (!inScope(caller, projectId)) throw new OverseeError('OVS_ERR_FORBIDDEN', `you are limited to project ${String(caller.principal.projectId)}`);
    const user = await createUserChecked(users, store, { name: b.name, password: b.password, role: b.role, projectId }, clock.now());
    return reply.code(201).send(publicUser(user));
  });

  app.patch<{ Params: { id: number }; Body: UserChangeBody }>('/users/:id', {
    schema: {
      hide: true,
      params: { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } },
      body: {
        type: 'object', additionalProperties: false,
        properties: { role: { type: 'string', enum: ROLES }, projectId: { type: ['integer', 'null'], minimum: 1 }, password: { type: 'string', maxLength: 1024 } },
      },
    },
  }, async (request) => {
    const caller = await auth.require(request);
    const target = await users.getUser(request.params.id);
    const self = caller.user !== null && caller.user.id === request.params.id;
    const b = request.body;
    // Anyone may change their own password; everything else is for admins of the user's scope.
    if (!(self && b.role === undefined && b.projectId === undefined)) requireAdmin(caller);
    if (target === null || !inScope(caller, target.projectId)) throw new OverseeError('OVS_ERR_NOT_FOUND', `user ${request.params.id} does not exist`);
    if (b.projectId !== undefined && !inScope(caller, b.projectId)) throw new OverseeError('OVS_ERR_FORBIDDEN', 'you may not move a user outside your project');
    if (b.projectId !== undefined && b.projectId !== null && (await store.projects.get(b.projectId)) === null) throw invalid('projectId', `project ${b.projectId} does not exist`);
    if (b.password !== undefined) {
      const problem = passwordProblem(b.password);
      if (problem !== null) throw invalid('password', problem);
    }
    if (b.role !== undefined && b.role !== 'admin' && target.role === 'admin' && target.projectId === null) await assertAnotherAdmin(users, target.id);
    const updated = await users.updateUser(target.id, {
      ...(b.role !== undefined ? { role: b.role } : {}),
      ...(b.projectId !== undefined ? { projectId: b.projectId } : {}),
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
    requireAdmin(caller);
    const target = await users.getUser(request.params.id);
    if (target === null || !inScope(caller, target.projectId)) throw new OverseeError('OVS_ERR_NOT_FOUND', `user ${request.params.id} does not exist`);
    if (target.role === 'admin' && target.projectId === null) await assertAnotherAdmin(users, target.id);
    await users.deleteUser(target.id);
    return reply.code(204).send();
  });
}

/** A fixed valid hash of a random password, verified against when the user name is unknown. */
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$3q2+7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

/** Refuses to remove the last all-projects admin (nobody could manage users afterwards). */
async function assertAnotherAdmin(users: UserStore, exceptId: number): Promise<void> {
  const others = (await users.listUsers()).filter((u) => u.id !== exceptId && u.role === 'admin' && u.projectId === null);
  if (others.length === 0) throw new OverseeError('OVS_ERR_CONFLICT', 'this is the last admin of every project; make another admin first');
}

/** Validates and creates a user (shared by the API and the CLI). */
export async function createUserChecked(
  users: UserStore, store: Store, input: { name: string; password: string; role: Role; projectId: number | null }, now: number,
): Promise<User> {
  const name = input.name.trim();
  const problem = userNameProblem(name);
  if (problem !== null) throw invalid('name', problem);
  const pwProblem = passwordProblem(input.password);
  if (pwProblem !== null) throw invalid('password', pwProblem);
  if (!ROLES.includes(input.role)) throw invalid('role', `must be one of ${ROLES.join(', ')}`);
  if (input.projectId !== null && (await store.projects.get(input.projectId)) === null) throw invalid('projectId', `project ${input.projectId} does not exist`);
  return users.createUser({ name, role: input.role, projectId: input.projectId, passwordHash: await hashPassword(input.password), now });
}
