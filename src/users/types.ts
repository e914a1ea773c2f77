// Users, sessions and saved dashboards: the records and the storage interface (SQLite now; a
// PostgreSQL implementation would pass the same tests in users/store.test.ts).
import type { Grant } from '../api/auth.js';
import type { Role } from '../domain/types.js';

/**
 * A user account's public facts. `grants` are the roles per project (projectId null = every project;
 * the highest applicable grant wins); `role` and `projectId` are their conservative one-scope summary
 * (summarizeGrants), kept for clients of the single-role API.
 */
export interface User {
  id: number;
  name: string;
  grants: Grant[];
  role: Role;
  projectId: number | null;
  createdAt: number;
  lastLoginAt: number | null;
}

/** A user with the stored password hash (for verification only; never leaves the server). */
export interface UserWithHash extends User {
  passwordHash: string;
}

/** A login session as stored: only the SHA-256 of the cookie value is kept. */
export interface SessionRecord {
  idHash: string;
  userId: number;
  createdAt: number;
  expiresAt: number;
}

/** A saved dashboard: a named list of charts (the spec is the UI's JSON, stored as is). */
export interface Dashboard {
  id: number;
  projectId: number | null;
  name: string;
  spec: unknown;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
}

/** Storage of users, sessions and dashboards. */
export interface UserStore {
  countUsers(): Promise<number>;
  /**
   * Creates a user with `grants` (or, without them, the one grant role/projectId); OVS_ERR_CONFLICT
   * when the name (case-insensitive) is taken.
   */
  createUser(input: NewUserRecord): Promise<User>;
  /**
   * Creates the first user only if no user exists (atomically); null when one already does.
   * Guards the first-run setup against two racing requests.
   */
  createFirstUser(input: { name: string; passwordHash: string; now: number }): Promise<User | null>;
  getUser(id: number): Promise<User | null>;
  getUserByName(name: string): Promise<UserWithHash | null>;
  listUsers(): Promise<User[]>;
  /**
   * Changes a user: `grants` replaces all grants; else role and/or projectId replace them with one
   * grant (the missing half taken from the current summary). Null when the user is absent.
   */
  updateUser(id: number, change: UserChange): Promise<User | null>;
  /** Deletes the user and their sessions; false when absent. */
  deleteUser(id: number): Promise<boolean>;
  recordLogin(id: number, now: number): Promise<void>;

  createSession(s: SessionRecord): Promise<void>;
  getSession(idHash: string): Promise<SessionRecord | null>;
  extendSession(idHash: string, expiresAt: number): Promise<void>;
  deleteSession(idHash: string): Promise<void>;
  deleteUserSessions(userId: number): Promise<void>;
  pruneSessions(now: number): Promise<number>;

  listDashboards(projectId: number | null | undefined): Promise<Dashboard[]>;
  getDashboard(id: number): Promise<Dashboard | null>;
  saveDashboard(input: { id?: number; projectId: number | null; name: string; spec: unknown; createdBy: string; now: number }): Promise<Dashboard | null>;
  deleteDashboard(id: number): Promise<boolean>;
}

/** A new user as stored: grants, or the legacy single role (+ project). */
export interface NewUserRecord {
  name: string;
  grants?: readonly Grant[];
  role?: Role;
  projectId?: number | null;
  passwordHash: string;
  now: number;
}

/** A change to a user as stored (see UserStore.updateUser). */
export interface UserChange {
  grants?: readonly Grant[];
  role?: Role;
  projectId?: number | null;
  passwordHash?: string;
}

/** The grants a create or update asks for, or null when it changes none; `current` is the user's summary. */
export function grantsOfChange(change: UserChange, current: { role: Role; projectId: number | null } | null): Grant[] | null {
  if (change.grants !== undefined) return normalizeGrants(change.grants);
  if (change.role === undefined && change.projectId === undefined) return null;
  const role = change.role ?? current?.role ?? 'viewer';
  const projectId = change.projectId !== undefined ? change.projectId : current?.projectId ?? null;
  return [{ projectId, role }];
}

/** Grants without duplicates: per project (null included) the highest role, ordered all-projects first then by id. */
export function normalizeGrants(grants: readonly Grant[]): Grant[] {
  const order = ['viewer', 'editor', 'admin'];
  const best = new Map<number | null, Role>();
  for (const g of grants) {
    const had = best.get(g.projectId);
    if (had === undefined || order.indexOf(g.role) > order.indexOf(had)) best.set(g.projectId, g.role);
  }
  return [...best.entries()].map(([projectId, role]) => ({ projectId, role }))
    .sort((a, b) => (a.projectId ?? 0) - (b.projectId ?? 0));
}
