// Users, sessions and saved dashboards: the records and the storage interface (SQLite now; a
// PostgreSQL implementation would pass the same tests in users/store.test.ts).
import type { Role } from '../domain/types.js';

/** A user account's public facts. projectId null = the role applies in every project. */
export interface User {
  id: number;
  name: string;
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
  /** Creates a user; OVS_ERR_CONFLICT when the name (case-insensitive) is taken. */
  createUser(input: { name: string; role: Role; projectId: number | null; passwordHash: string; now: number }): Promise<User>;
  /**
   * Creates the first user only if no user exists (atomically); null when one already does.
   * Guards the first-run setup against two racing requests.
   */
  createFirstUser(input: { name: string; passwordHash: string; now: number }): Promise<User | null>;
  getUser(id: number): Promise<User | null>;
  getUserByName(name: string): Promise<UserWithHash | null>;
  listUsers(): Promise<User[]>;
  updateUser(id: number, change: { role?: Role; projectId?: number | null; passwordHash?: string }): Promise<User | null>;
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
