// API tokens: generation, hashing, bearer parsing, authentication and role checks.
// A token is `ovs_` + 43 base64url characters (32 random bytes); only its SHA-256 hash is stored.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Role, ApiToken } from '../domain/types.js';
import { OverseeError } from '../errors.js';
import type { Store } from '../store/types.js';
import { systemClock, type Clock } from '../util/clock.js';

/** Prefix of every API token (lets secret scanners and humans recognise one). */
export const TOKEN_PREFIX = 'ovs_';

/** Shape of a well-formed token; anything else is rejected before touching the store. */
export const TOKEN_PATTERN = /^ovs_[A-Za-z0-9_-]{43}$/;

/** Longest token name accepted. */
export const MAX_TOKEN_NAME = 100;

/** How often (ms) a token's lastUsedAt is refreshed at most, so reads do not turn into writes. */
export const TOUCH_INTERVAL_MS = 60_000;

/** Roles ordered by power: every role can do what the roles before it can. */
export const ROLES: readonly Role[] = ['viewer', 'editor', 'admin'];

/** A role in one project, or (projectId null) in every project. */
export interface Grant {
  projectId: number | null;
  role: Role;
}

/** Who is calling: the token (or the session user) that authenticated the request. */
export interface Principal {
  tokenId: number;
  name: string;
  /**
   * Every role the caller holds; in a project the highest applicable grant wins. A token has one
   * grant, a user one or more. Checks that touch a project use these (see roleIn).
   */
  grants: readonly Grant[];
  /** Conservative one-scope summary of the grants for checks that know one role only (see summarizeGrants). */
  role: Role;
  /** The summary's scope: null = every project (the all-projects grant), else one project. */
  projectId: number | null;
}

/** Generates a fresh secret token: `ovs_` + base64url of 32 random bytes (43 characters). */
export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/**
 * SHA-256 hex of a token. A fast hash is the right choice here: a token carries 256 random bits,
 * so there is no dictionary to brute-force and a slow KDF (as for passwords) would only cost latency.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** True when `have` is at least as powerful as `need`. */
export function roleAtLeast(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

/** The higher of two roles (null = none). */
export function higherRole(a: Role | null, b: Role | null): Role | null {
  if (a === null) return b;
  if (b === null) return a;
  return roleAtLeast(a, b) ? a : b;
}

/** The caller's role in `projectId` (the highest grant for it or for every project), or null: no access. */
export function roleIn(grants: readonly Grant[], projectId: number): Role | null {
  let best: Role | null = null;
  for (const g of grants) if (g.projectId === null || g.projectId === projectId) best = higherRole(best, g.role);
  return best;
}

/** The caller's role in every project (its all-projects grant), or null. */
export function globalRole(grants: readonly Grant[]): Role | null {
  let best: Role | null = null;
  for (const g of grants) if (g.projectId === null) best = higherRole(best, g.role);
  return best;
}

/** The highest role the caller holds in any project, or null. */
export function topRole(grants: readonly Grant[]): Role | null {
  let best: Role | null = null;
  for (const g of grants) best = higherRole(best, g.role);
  return best;
}

/**
 * A one-scope summary that never grants more than the grants do: the all-projects grant when there
 * is one, else the strongest single-project grant (ties: the lowest project id).
 */
export function summarizeGrants(grants: readonly Grant[]): { role: Role; projectId: number | null } {
  const global = globalRole(grants);
  if (global !== null) return { role: global, projectId: null };
  let pick: Grant | null = null;
  for (const g of grants) {
    if (pick === null || !roleAtLeast(pick.role, g.role) || (pick.role === g.role && (g.projectId ?? 0) < (pick.projectId ?? 0))) pick = g;
  }
  // No grant at all: a viewer of no existing project (project 0 never exists), which sees nothing.
  return pick === null ? { role: 'viewer', projectId: 0 } : { role: pick.role, projectId: pick.projectId };
}

/** A principal with its summary computed from `grants`. */
export function principalOf(tokenId: number, name: string, grants: readonly Grant[]): Principal {
  return { tokenId, name, grants, ...summarizeGrants(grants) };
}

/** The token from an `Authorization: Bearer <token>` header, or null when absent or another scheme. */
export function bearerToken(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match?.[1] ?? null;
}

/** Constant-time equality of two hex digests of equal length (false on any mismatch in length). */
function digestsEqual(aHex: string, bHex: string): boolean {
  const a = Buffer.from(aHex, 'hex');
  const b = Buffer.from(bHex, 'hex');
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}

/**
 * Resolves a presented token to its principal, or null when it is malformed or unknown.
 * 1. Reject anything not shaped like a token (no store access).
 * 2. Look the token up by its hash; compare the stored hash in constant time.
 * 3. Refresh lastUsedAt at most once per TOUCH_INTERVAL_MS.
 */
export async function authenticate(store: Store, clock: Clock, token: string): Promise<Principal | null> {
  if (!TOKEN_PATTERN.test(token)) return null;
  const hash = hashToken(token);
  const record = await store.tokens.findByHash(hash);
  if (record === null || !digestsEqual(record.hash, hash)) return null;
  const now = clock.now();
  if (record.lastUsedAt === null || now - record.lastUsedAt >= TOUCH_INTERVAL_MS) {
    await store.tokens.touch(record.id, now);
  }
  return principalOf(record.id, record.name, [{ projectId: record.projectId, role: record.role }]);
}

/** What a new token is for. */
export interface NewToken {
  name: string;
  role: Role;
  /** Limit the token to this project; null for every project. */
  projectId: number | null;
}

/**
 * Creates a token and returns the secret (shown once, never stored) with its stored record.
 * Throws OVS_ERR_VALIDATION for a bad name or role, OVS_ERR_NOT_FOUND for an unknown project.
 */
export async function createToken(
  store: Store, input: NewToken, clock: Clock = systemClock,
): Promise<{ token: string; record: ApiToken }> {
  const row = await checkedTokenRow(store, input, clock);
  return { token: row.token, record: await store.tokens.create(row) };
}

/** Validates a new token and returns its store row with the secret (shared by createToken and ensureAdminToken). */
async function checkedTokenRow(
  store: Store, input: NewToken, clock: Clock,
): Promise<{ token: string; name: string; role: Role; projectId: number | null; hash: string; now: number }> {
  const name = input.name.trim();
  if (name === '' || name.length > MAX_TOKEN_NAME) {
    throw new OverseeError('OVS_ERR_VALIDATION', `name: must be 1 to ${MAX_TOKEN_NAME} characters`, { field: 'name' });
  }
  if (!ROLES.includes(input.role)) {
    throw new OverseeError('OVS_ERR_VALIDATION', `role: must be one of ${ROLES.join(', ')}`, { field: 'role' });
  }
  if (input.projectId !== null && (await store.projects.get(input.projectId)) === null) {
    throw new OverseeError('OVS_ERR_NOT_FOUND', `project ${input.projectId} does not exist`, { field: 'projectId' });
  }
  const token = generateToken();
  return { token, name, role: input.role, projectId: input.projectId, hash: hashToken(token), now: clock.now() };
}

/**
 * On a store without any token, creates an all-projects admin token and returns its secret (for the
 * server to print on first start); returns null when a token already exists. Atomic in the store
 * (tokens.createFirst), so of several nodes starting together on one database exactly one gets it.
 */
export async function ensureAdminToken(store: Store, clock: Clock = systemClock): Promise<string | null> {
  if ((await store.tokens.count()) > 0) return null;
  const row = await checkedTokenRow(store, { name: 'admin (created on first start)', role: 'admin', projectId: null }, clock);
  return (await store.tokens.createFirst(row)) === null ? null : row.token;
}
