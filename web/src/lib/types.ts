// Shapes of the server's answers the app uses (mirrors src/domain/types.ts and the UI routes).

/** A check's state. */
export type CheckState = 'OK' | 'WARN' | 'ERR' | 'UNK';
/** Roles, weakest first. */
export type Role = 'viewer' | 'editor' | 'admin';

/** A check as the API answers it. */
export interface Check {
  id: number; projectId: number; hostId: number; hostName: string; name: string; source: string;
  state: CheckState; info: string; periodS: number | null; patienceS: number | null;
  lastReportAt: number | null; lastChangeAt: number | null; deadlineAt: number | null; expired: boolean;
  sourceAddress: string | null; tags: string[]; createdAt: number;
}
/** What the overview holds of a check. */
export type OverviewCheck = Pick<Check, 'id' | 'projectId' | 'hostId' | 'hostName' | 'name' | 'state' | 'info' | 'lastReportAt' | 'lastChangeAt' | 'expired' | 'tags'>;
/** A host. */
export interface Host { id: number; projectId: number; name: string; createdAt: number; lastSeenAt: number | null; lastAddress: string | null }
/** A state change. */
export interface Flip { id: number; checkId: number; projectId: number; hostId: number; at: number; oldState: CheckState; newState: CheckState; reason: string; info: string }
/** A stored state report. */
export interface StateReport { id: number; checkId: number; at: number; state: CheckState; info: string }
/** An alert. */
export interface Alert { id: number; projectId: number; hostId: number | null; checkId: number | null; at: number; title: string; message: string; source: string }
/** A page of a list. */
export interface Page<T> { items: T[]; nextCursor: string | null }
/** A dashboard user; `grants` (when the server has per-project roles) gives a role per project (project null = every project). */
export interface User { id: number; name: string; role: Role; projectId: number | null; createdAt: number; lastLoginAt: number | null; grants?: Grant[] }
/** One role grant: the project by name or id (null = every project). */
export interface Grant { project: string | number | null; projectId?: number | null; role: Role }
/** An API token's facts. */
export interface ApiToken { id: number; name: string; role: Role; projectId: number | null; createdAt: number; lastUsedAt: number | null }
/** A project. */
export interface Project { id: number; name: string; description?: string | null; ingestToken?: string; createdAt: number }
/** A Severe banner entry. */
export interface SevereEntry { checkId: number; projectId: number; hostName: string; name: string; info: string; since: number | null; clearedAt: number | null }
/** GET /api/v1/overview. */
export interface Overview {
  now: number; lastEventId: number; counts: Record<CheckState, number>; expired: number;
  checks: OverviewCheck[]; severe: SevereEntry[]; projects: { id: number; name: string }[];
}
/** A live event from /api/v1/live. */
export type LiveEvent = { id: number; projectId: number } & (
  | { type: 'check'; check: Check }
  | { type: 'check-deleted'; checkId: number }
  | { type: 'flip'; flip: Flip }
  | { type: 'alert'; alert: Alert }
  | { type: 'samples'; samples: { name: string; tags: Record<string, string>; t: number; v: number }[] }
  | { type: 'severe'; key: string; title: string; message: string; active: boolean; at: number }
);
/** A metric query answer (columnar). */
export interface QueryResult { timestamps: number[]; series: { name: string; tags: Record<string, string>; values: (number | null)[] }[] }
/** A saved dashboard. */
export interface Dashboard { id: number; projectId: number | null; name: string; spec: DashboardSpec; createdBy: string; createdAt: number; updatedAt: number }
/** What a dashboard holds: charts, each a list of queries. */
export interface DashboardSpec { charts: ChartSpec[]; range?: string }
/** One chart: several series queries. */
export interface ChartSpec { title: string; queries: SeriesQuery[] }
/** One metric query. */
export interface SeriesQuery { metric: string; tags: Record<string, string>; agg?: string }

/** States worst first. */
export const STATES: readonly CheckState[] = ['ERR', 'WARN', 'UNK', 'OK'];
/** Rank of a state in the worst-first order (0 = worst). */
export const stateRank = (s: CheckState): number => STATES.indexOf(s);
/** Words shown next to each state colour (colour is never the only signal). */
export const STATE_LABEL: Record<CheckState, string> = { ERR: 'Error', WARN: 'Warning', UNK: 'Unknown', OK: 'OK' };
/** True when `have` is at least `need`. */
export const roleAtLeast = (have: Role, need: Role): boolean => ['viewer', 'editor', 'admin'].indexOf(have) >= ['viewer', 'editor', 'admin'].indexOf(need);
const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };
/** The project a grant names as an id (null = every project; undefined = a name no project has). */
function grantProjectId(g: Grant, projects: readonly { id: number; name: string }[]): number | null | undefined {
  if (g.projectId !== undefined) return g.projectId;
  if (g.project === null) return null;
  if (typeof g.project === 'number') return g.project;
  return projects.find((p) => p.name === g.project)?.id;
}
/**
 * The user's role in a project (projectId null = the role that holds in every project): the best
 * grant that covers it, or the single role/projectId pair of a server without grants; null = none.
 */
export function roleIn(user: Pick<User, 'role' | 'projectId' | 'grants'>, projectId: number | null, projects: readonly { id: number; name: string }[]): Role | null {
  const grants: Grant[] = user.grants ?? [{ project: user.projectId, projectId: user.projectId, role: user.role }];
  let best: Role | null = null;
  for (const g of grants) {
    const pid = grantProjectId(g, projects);
    if (pid === undefined || (pid !== null && pid !== projectId)) continue;
    if (best === null || RANK[g.role] > RANK[best]) best = g.role;
  }
  return best;
}
/** True when the user has at least `need` in the project (null = in every project). */
export function canIn(user: Pick<User, 'role' | 'projectId' | 'grants'>, need: Role, projectId: number | null, projects: readonly { id: number; name: string }[]): boolean {
  const r = roleIn(user, projectId, projects);
  return r !== null && roleAtLeast(r, need);
}
/** True when some project gives the user at least `need` (for buttons whose project is chosen later). */
export function canAnywhere(user: Pick<User, 'role' | 'grants'>, need: Role): boolean {
  return (user.grants ?? [{ project: null, role: user.role }]).some((g) => roleAtLeast(g.role, need));
}
/** One row of the alert engine's feed (GET /api/v1/events). */
export interface AlertFeedEvent {
  id: number; source: 'flip' | 'alert' | 'engine'; sourceId: number | null; checkId: number | null; at: number; releaseAt: number;
  status: 'held' | 'routed' | 'dropped' | 'silenced' | 'flapping' | 'unrouted'; note: string | null;
  event: { key: string; kind: string; title: string; message: string; hostName: string | null; checkName: string | null; state: CheckState | null };
}
/** One delivery attempt (GET /api/v1/notifications). */
export interface DeliveryAttempt { id: number; eventId: number; channel: string; attempt: number; at: number; status: 'ok' | 'transient' | 'permanent'; error: string | null; durationMs: number }
