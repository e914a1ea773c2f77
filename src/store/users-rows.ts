// Row shapes of the users module's tables and their mapping to users and dashboards, shared by
// users/sqlite-store.ts and store/postgres/users.ts.
import { summarizeGrants, type Grant } from '../api/auth.js';
import type { Role } from '../domain/types.js';
import type { Dashboard, User } from '../users/types.js';

export interface UserRow {
  id: number; name: string; password_hash: string; role: Role; project_id: number | null; created_at: number; last_login_at: number | null;
}
export interface DashboardRow {
  id: number; project_id: number | null; name: string; spec: string; created_by: string; created_at: number; updated_at: number;
}
export interface GrantRow { user_id: number; project_id: number | null; role: Role }

/** A user from its row and grants (the row's role/project_id are the stored summary, used when it has no grants). */
export const toUser = (r: UserRow, grantRows: readonly GrantRow[]): User => {
  const grants: Grant[] = grantRows.map((g) => ({ projectId: g.project_id === null ? null : Number(g.project_id), role: g.role }));
  return { id: Number(r.id), name: r.name, grants, ...summarizeGrants(grants), createdAt: Number(r.created_at), lastLoginAt: r.last_login_at === null ? null : Number(r.last_login_at) };
};

/** A dashboard from its row (the spec is stored as JSON text). */
export const toDashboard = (r: DashboardRow): Dashboard => ({
  id: r.id, projectId: r.project_id, name: r.name, spec: JSON.parse(r.spec) as unknown, createdBy: r.created_by,
  createdAt: r.created_at, updatedAt: r.updated_at,
});
