// Sessions and request authentication for the dashboard: a random cookie value (only its SHA-256 is
// stored), sliding expiry, a bearer token as the alternative, and the CSRF rule for cookie writes.
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { authenticate, bearerToken, globalRole, principalOf, roleAtLeast, roleIn, topRole, type Principal } from '../api/auth.js';
import type { Role } from '../domain/types.js';
import { OverseeError } from '../errors.js';
import type { Store } from '../store/types.js';
import type { Clock } from '../util/clock.js';
import { readCookie, SESSION_COOKIE } from './cookies.js';
import type { User, UserStore } from './types.js';

/** How long a session lives without use. */
export const SESSION_TTL_MS = 7 * 24 * 3600_000;
/** A session's expiry is pushed forward at most this often (so reads stay reads). */
export const SESSION_EXTEND_EVERY_MS = 3600_000;
/** Header a cookie-authenticated write must carry (browsers cannot add it cross-site without CORS). */
export const CSRF_HEADER = 'x-oversee-csrf';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** SHA-256 hex of a session cookie value. */
export function hashSessionId(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('hex');
}

/** The API principal a user acts as, with all its grants (tokenId 0 marks a session rather than a token). */
export function userPrincipal(user: User): Principal {
  return principalOf(0, `user:${user.name}`, user.grants);
}

/** Who made a request: the principal, and the user when it came with a session cookie. */
export interface Caller {
  principal: Principal;
  user: User | null;
  sessionHash: string | null;
}

/** Throws OVS_ERR_FORBIDDEN unless the caller has at least `role` in some project (where exactly is checked per object). */
export function requireRoleSomewhere(caller: Caller, role: Role): void {
  const top = topRole(caller.principal.grants);
  if (top === null || !roleAtLeast(top, role)) {
    throw new OverseeError('OVS_ERR_FORBIDDEN', `this needs the ${role} role; you have ${top ?? 'no role'}`);
  }
}

/** The caller's role where an object of `projectId` lives (null = every project: only an all-projects grant counts). */
export function callerRoleOver(caller: Caller, projectId: number | null): Role | null {
  return projectId === null ? globalRole(caller.principal.grants) : roleIn(caller.principal.grants, projectId);
}

/** host[:port] of a URL with the scheme's default port dropped; '' when unparseable. */
function hostOf(url: string): string {
  try { return new URL(url).host; } catch { return ''; }
}

/**
 * Throws OVS_ERR_FORBIDDEN when a state-changing request lacks the CSRF header or comes from
 * another origin. Applies to cookie-authenticated requests and to login/setup.
 */
export function assertSameSiteWrite(request: FastifyRequest): void {
  if (SAFE_METHODS.has(request.method)) return;
  const header = request.headers[CSRF_HEADER];
  if (typeof header !== 'string' || header === '') {
    throw new OverseeError('OVS_ERR_FORBIDDEN', `a write with a session cookie must carry the ${CSRF_HEADER} header`);
  }
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== 'null') {
    if (hostOf(origin) !== hostOf(`${request.protocol}://${request.headers.host ?? ''}`)) {
      throw new OverseeError('OVS_ERR_FORBIDDEN', `origin ${origin} may not write here`);
    }
  } else if (origin === 'null') {
    throw new OverseeError('OVS_ERR_FORBIDDEN', 'an opaque origin may not write here');
  }
}

/** Creates, resolves and ends sessions; resolves callers by bearer token or session cookie. */
export class SessionAuth {
  private readonly callers = new WeakMap<FastifyRequest, Caller | null>();

  constructor(private readonly users: UserStore, private readonly store: Store, private readonly clock: Clock) {}

  /** Starts a session for `user`; returns the cookie value (shown to the browser only). */
  async start(user: User): Promise<string> {
    const id = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    await this.users.pruneSessions(now); // expired sessions go at the next login (no timer needed)
    await this.users.createSession({ idHash: hashSessionId(id), userId: user.id, createdAt: now, expiresAt: now + SESSION_TTL_MS });
    await this.users.recordLogin(user.id, now);
    return id;
  }

  /** Ends the session of this request, if any. */
  async end(request: FastifyRequest): Promise<void> {
    const id = readCookie(request.headers.cookie, SESSION_COOKIE);
    if (id !== null) await this.users.deleteSession(hashSessionId(id));
    this.callers.delete(request);
  }

  /** The user of the request's session cookie (valid and unexpired), or null. */
  async sessionUser(request: FastifyRequest): Promise<{ user: User; hash: string } | null> {
    const id = readCookie(request.headers.cookie, SESSION_COOKIE);
    if (id === null || id.length > 100) return null;
    const hash = hashSessionId(id);
    const session = await this.users.getSession(hash);
    const now = this.clock.now();
    if (session === null) return null;
    if (session.expiresAt <= now) {
      await this.users.deleteSession(hash);
      return null;
    }
    const user = await this.users.getUser(session.userId);
    if (user === null) return null;
    if (now + SESSION_TTL_MS - session.expiresAt >= SESSION_EXTEND_EVERY_MS) await this.users.extendSession(hash, now + SESSION_TTL_MS);
    return { user, hash };
  }

  /**
   * The caller of a request, or null when it presents no credentials (memoised per request).
   * 1. A bearer token wins; an invalid one is OVS_ERR_UNAUTHORIZED (no fallback to the cookie).
   * 2. Else the session cookie; a write with it must pass assertSameSiteWrite.
   */
  async caller(request: FastifyRequest): Promise<Caller | null> {
    const memo = this.callers.get(request);
    if (memo !== undefined) return memo;
    let caller: Caller | null = null;
    const token = bearerToken(request.headers.authorization);
    if (token !== null) {
      const principal = await authenticate(this.store, this.clock, token);
      if (principal === null) throw new OverseeError('OVS_ERR_UNAUTHORIZED', 'the API token is not valid (unknown or revoked)');
      caller = { principal, user: null, sessionHash: null };
    } else {
      const session = await this.sessionUser(request);
      if (session !== null) {
        assertSameSiteWrite(request);
        caller = { principal: userPrincipal(session.user), user: session.user, sessionHash: session.hash };
      }
    }
    this.callers.set(request, caller);
    return caller;
  }

  /** The caller or OVS_ERR_UNAUTHORIZED. */
  async require(request: FastifyRequest): Promise<Caller> {
    const caller = await this.caller(request);
    if (caller === null) throw new OverseeError('OVS_ERR_UNAUTHORIZED', 'log in or present an API token (Authorization: Bearer ovs_…)');
    return caller;
  }

  /** The principal for the /api/v1 hook: bearer token or session cookie; null when neither is presented. */
  async principal(request: FastifyRequest): Promise<Principal | null> {
    return (await this.caller(request))?.principal ?? null;
  }
}
