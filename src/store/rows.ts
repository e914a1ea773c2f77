// Row shapes of the core schema and their mapping to domain objects, shared by store/sqlite and
// store/postgres. Only a check row differs by dialect (how `expired` and `tags` come back): each
// store declares its CheckRow and maps it with checkFromRow.
import type { Alert, ApiToken, Check, CheckSource, CheckState, Flip, FlipReason, Host, Project, Role, StateReport } from '../domain/types.js';
import type { HostWithKey, TokenRecord } from './types.js';

export interface ProjectRow { id: number; name: string; ingest_token: string; description?: string; created_at: number }
export interface HostRow {
  id: number; project_id: number; name: string; key_salt: string | null; key_hash: string | null;
  created_at: number; last_seen_at: number | null; last_address: string | null;
}
/** The columns of a checks row (joined with the host name) that read the same in every dialect. */
export interface CheckRowBase {
  id: number; project_id: number; host_id: number; host_name: string; name: string; source: string; state: string;
  info: string; period_s: number | null; patience_s: number | null; last_report_at: number | null;
  last_change_at: number | null; deadline_at: number | null; source_address: string | null; created_at: number;
}
export interface FlipRow {
  id: number; check_id: number; project_id: number; host_id: number; at: number; old_state: string;
  new_state: string; reason: string; info: string;
}
export interface AlertRow {
  id: number; project_id: number; host_id: number | null; check_id: number | null; at: number; title: string;
  message: string; source: string;
}
export interface TokenRow {
  id: number; name: string; role: string; project_id: number | null; token_hash: string; created_at: number;
  last_used_at: number | null;
}
export interface StateReportRow { id: number; check_id: number; at: number; state: string; info: string }

/** Maps a projects row. */
export const toProject = (r: ProjectRow): Project => ({
  id: r.id, name: r.name, ingestToken: r.ingest_token, description: r.description ?? '', createdAt: r.created_at,
});

/** Maps a hosts row without its key. */
export const toHost = (r: HostRow): Host => ({
  id: r.id, projectId: r.project_id, name: r.name, createdAt: r.created_at, lastSeenAt: r.last_seen_at, lastAddress: r.last_address,
});

/** Maps a hosts row with its key hash. */
export const toHostWithKey = (r: HostRow): HostWithKey => ({
  ...toHost(r), key: r.key_salt !== null && r.key_hash !== null ? { salt: r.key_salt, hash: r.key_hash } : null,
});

/** Maps a checks row, given its `expired` flag and tags as the dialect decoded them. */
export const checkFromRow = (r: CheckRowBase, expired: boolean, tags: string[]): Check => ({
  id: r.id, projectId: r.project_id, hostId: r.host_id, hostName: r.host_name, name: r.name, source: r.source as CheckSource,
  state: r.state as CheckState, info: r.info, periodS: r.period_s, patienceS: r.patience_s, lastReportAt: r.last_report_at,
  lastChangeAt: r.last_change_at, deadlineAt: r.deadline_at, expired, sourceAddress: r.source_address, tags, createdAt: r.created_at,
});

/** Maps a flips row. */
export const toFlip = (r: FlipRow): Flip => ({
  id: r.id, checkId: r.check_id, projectId: r.project_id, hostId: r.host_id, at: r.at, oldState: r.old_state as CheckState,
  newState: r.new_state as CheckState, reason: r.reason as FlipReason, info: r.info,
});

/** Maps an alerts row. */
export const toAlert = (r: AlertRow): Alert => ({
  id: r.id, projectId: r.project_id, hostId: r.host_id, checkId: r.check_id, at: r.at, title: r.title, message: r.message, source: r.source,
});

/** Maps an api_tokens row without its hash. */
export const toToken = (r: TokenRow): ApiToken => ({
  id: r.id, name: r.name, role: r.role as Role, projectId: r.project_id, createdAt: r.created_at, lastUsedAt: r.last_used_at,
});

/** Maps an api_tokens row with its hash. */
export const toTokenRecord = (r: TokenRow): TokenRecord => ({ ...toToken(r), hash: r.token_hash });

/** Maps a state_reports row. */
export const toStateReport = (r: StateReportRow): StateReport => ({
  id: r.id, checkId: r.check_id, at: r.at, state: r.state as CheckState, info: r.info,
});
