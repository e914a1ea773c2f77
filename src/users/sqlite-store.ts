// SQLite implementation of UserStore, in the store's database file, with its own migrations
// (module 'users'). better-sqlite3 is synchronous; each statement commits on its own.
import type Database from 'better-sqlite3';
import { globalRole, type Grant } from '../api/auth.js';
import { OverseeError } from '../errors.js';
import { runMigrations, type Migration } from '../store/sqlite/migrations-runner.js';
import { type DashboardRow, type GrantRow, toDashboard, toUser, type UserRow } from '../store/users-rows.js';
import { grantsOfChange, type UserStore, type UserWithHash } from './types.js';

/** Schema steps of the users module. */
export const USERS_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'users, sessions, dashboards',
    up: (db) => {
      db.exec(`
        CREATE TABLE users (
          id INTEGER PRIMARY KEY,
          name TEXT NOT NULL UNIQUE COLLATE NOCASE,
          password_hash TEXT NOT NULL,
          role TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
          project_id INTEGER REFERENCES projects(id) ON DELETE CASCADE,
          created_at INTEGER NOT NULL,
          last_login_at INTEGER
        );
        CREATE TABLE sessions (
          id_hash TEXT PRIMARY KEY,
          user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
          created_at INTEGER NOT NULL,
          expires_at INTEGER NOT NULL
        );
        CREATE INDEX sessions_user ON sessions(user_id);
        CREATE TABLE dashboards (
          id INTEGER PRIMARY KEY,
          project_id INTEGER REFERENCES projects(id) ON DELETE CASCADE,
          name TEXT NOT NULL,
          spec TEXT NOT NULL,
          created_by TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL
        );`);
    },
  },
  {
    version: 2,
    description: 'roles per project: user_grants, one grant per existing user from its role and project',
    up: (db) => {
      db.exec(`
        CREATE TABLE user_grants (
          user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
          project_id INTEGER REFERENCES projects(id) ON DELETE CASCADE,
          role TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'admin'))
        );
        CREATE UNIQUE INDEX user_grants_scope ON user_grants (user_id, COALESCE(project_id, 0));
        INSERT INTO user_grants (user_id, project_id, role) SELECT id, project_id, role FROM users;
        -- users.project_id cascades: deleting a project would delete the whole user. Grants hold the scope now.
        UPDATE users SET role = CASE WHEN project_id IS NULL THEN role ELSE 'viewer' END, project_id = NULL;`);
    },
  },
];


function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && String(err.code).startsWith('SQLITE_CONSTRAINT_UNIQUE');
}

/** Runs the users migrations on `db` and returns a UserStore over it. */
export function openSqliteUserStore(db: Database.Database): UserStore {
  runMigrations(db, 'users', USERS_MIGRATIONS);
  const userCols = 'id, name, password_hash, role, project_id, created_at, last_login_at';
  const grantOrder = 'ORDER BY user_id, COALESCE(project_id, 0)';
  const q = {
    count: db.prepare('SELECT COUNT(*) AS n FROM users'),
    insert: db.prepare(`INSERT INTO users (name, password_hash, role, project_id, created_at) VALUES (?, ?, ?, ?, ?) RETURNING ${userCols}`),
    insertFirst: db.prepare(`INSERT INTO users (name, password_hash, role, project_id, created_at)
      SELECT ?, ?, 'admin', NULL, ? WHERE NOT EXISTS (SELECT 1 FROM users) RETURNING ${userCols}`),
    get: db.prepare(`SELECT ${userCols} FROM users WHERE id = ?`),
    byName: db.prepare(`SELECT ${userCols} FROM users WHERE name = ?`),
    list: db.prepare(`SELECT ${userCols} FROM users ORDER BY name`),
    del: db.prepare('DELETE FROM users WHERE id = ?'),
    gOf: db.prepare(`SELECT user_id, project_id, role FROM user_grants WHERE user_id = ? ${grantOrder}`),
    gAll: db.prepare(`SELECT user_id, project_id, role FROM user_grants ${grantOrder}`),
    gDel: db.prepare('DELETE FROM user_grants WHERE user_id = ?'),
    gInsert: db.prepare('INSERT INTO user_grants (user_id, project_id, role) VALUES (?, ?, ?)'),
    summary: db.prepare('UPDATE users SET role = ?, project_id = ? WHERE id = ?'),
    login: db.prepare('UPDATE users SET last_login_at = ? WHERE id = ?'),
    sInsert: db.prepare('INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)'),
    sGet: db.prepare('SELECT id_hash, user_id, created_at, expires_at FROM sessions WHERE id_hash = ?'),
    sExtend: db.prepare('UPDATE sessions SET expires_at = ? WHERE id_hash = ?'),
    sDel: db.prepare('DELETE FROM sessions WHERE id_hash = ?'),
    sDelUser: db.prepare('DELETE FROM sessions WHERE user_id = ?'),
    sPrune: db.prepare('DELETE FROM sessions WHERE expires_at <= ?'),
    dAll: db.prepare('SELECT * FROM dashboards ORDER BY name, id'),
    dScoped: db.prepare('SELECT * FROM dashboards WHERE project_id IS NULL OR project_id = ? ORDER BY name, id'),
    dGet: db.prepare('SELECT * FROM dashboards WHERE id = ?'),
    dInsert: db.prepare('INSERT INTO dashboards (project_id, name, spec, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING *'),
    dUpdate: db.prepare('UPDATE dashboards SET project_id = ?, name = ?, spec = ?, updated_at = ? WHERE id = ? RETURNING *'),
    dDel: db.prepare('DELETE FROM dashboards WHERE id = ?'),
  };
  const grantsOf = (id: number): GrantRow[] => q.gOf.all(id) as GrantRow[];
  // Replaces the grants; the users row keeps only the all-projects role (its project_id, which would
  // delete the user with a project, stays NULL: grants hold the scope).
  const setGrants = (id: number, grants: readonly Grant[]): void => {
    q.gDel.run(id);
    for (const g of grants) q.gInsert.run(id, g.projectId, g.role);
    q.summary.run(globalRole(grants) ?? 'viewer', null, id);
  };
  const create = db.transaction((input: { name: string; passwordHash: string; now: number }, grants: readonly Grant[]): UserRow => {
    const row = q.insert.get(input.name, input.passwordHash, 'viewer', null, input.now) as UserRow;
    setGrants(row.id, grants);
    return row;
  });
  const createFirst = db.transaction((input: { name: string; passwordHash: string; now: number }): UserRow | undefined => {
    const row = q.insertFirst.get(input.name, input.passwordHash, input.now) as UserRow | undefined;
    if (row !== undefined) q.gInsert.run(row.id, null, 'admin');
    return row;
  });
  const update = db.transaction((id: number, change: Parameters<UserStore['updateUser']>[1]): void => {
    const row = q.get.get(id) as UserRow | undefined;
    if (row === undefined) return;
    const grants = grantsOfChange(change, toUser(row, grantsOf(id)));
    if (grants !== null) setGrants(id, grants);
    if (change.passwordHash !== undefined) db.prepare('UPDATE users SET password_hash = ? WHERE id = ?').run(change.passwordHash, id);
  });
  return {
    async countUsers() { return (q.count.get() as { n: number }).n; },
    async createUser(input) {
      const grants = grantsOfChange(input, null) ?? [];
      try {
        const row = create(input, grants);
        return toUser(row, grantsOf(row.id));
      } catch (err) {
        if (isUniqueViolation(err) && String((err as Error).message).includes('users.name')) {
          throw new OverseeError('OVS_ERR_CONFLICT', `name: a user named ${JSON.stringify(input.name)} exists`, { field: 'name' });
        }
        throw err;
      }
    },
    async createFirstUser(input) {
      const row = createFirst(input);
      return row === undefined ? null : toUser(row, grantsOf(row.id));
    },
    async getUser(id) {
      const row = q.get.get(id) as UserRow | undefined;
      return row === undefined ? null : toUser(row, grantsOf(row.id));
    },
    async getUserByName(name) {
      const row = q.byName.get(name) as UserRow | undefined;
      return row === undefined ? null : { ...toUser(row, grantsOf(row.id)), passwordHash: row.password_hash } satisfies UserWithHash;
    },
    async listUsers() {
      const byUser = new Map<number, GrantRow[]>();
      for (const g of q.gAll.all() as GrantRow[]) byUser.set(g.user_id, [...(byUser.get(g.user_id) ?? []), g]);
      return (q.list.all() as UserRow[]).map((r) => toUser(r, byUser.get(r.id) ?? []));
    },
    async updateUser(id, change) {
      update(id, change);
      const row = q.get.get(id) as UserRow | undefined;
      return row === undefined ? null : toUser(row, grantsOf(row.id));
    },
    async deleteUser(id) { return q.del.run(id).changes > 0; },
    async recordLogin(id, now) { q.login.run(now, id); },
    async createSession(s) { q.sInsert.run(s.idHash, s.userId, s.createdAt, s.expiresAt); },
    async getSession(idHash) {
      const r = q.sGet.get(idHash) as { id_hash: string; user_id: number; created_at: number; expires_at: number } | undefined;
      return r === undefined ? null : { idHash: r.id_hash, userId: r.user_id, createdAt: r.created_at, expiresAt: r.expires_at };
    },
    async extendSession(idHash, expiresAt) { q.sExtend.run(expiresAt, idHash); },
    async deleteSession(idHash) { q.sDel.run(idHash); },
    async deleteUserSessions(userId) { q.sDelUser.run(userId); },
    async pruneSessions(now) { return q.sPrune.run(now).changes; },
    async listDashboards(projectId) {
      const rows = (projectId === null || projectId === undefined ? q.dAll.all() : q.dScoped.all(projectId)) as DashboardRow[];
      return rows.map(toDashboard);
    },
    async getDashboard(id) {
      const row = q.dGet.get(id) as DashboardRow | undefined;
      return row === undefined ? null : toDashboard(row);
    },
    async saveDashboard(input) {
      const spec = JSON.stringify(input.spec);
      const row = (input.id === undefined
        ? q.dInsert.get(input.projectId, input.name, spec, input.createdBy, input.now, input.now)
        : q.dUpdate.get(input.projectId, input.name, spec, input.now, input.id)) as DashboardRow | undefined;
      return row === undefined ? null : toDashboard(row);
    },
    async deleteDashboard(id) { return q.dDel.run(id).changes > 0; },
  };
}
