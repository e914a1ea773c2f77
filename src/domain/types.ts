// Domain vocabulary shared by every protocol adapter, the store, the alert engine and the UI.

/** A check's state. OverC's FAIL and ERR both map to ERR. */
export type CheckState = 'OK' | 'WARN' | 'ERR' | 'UNK';

/** All states, worst first (the order the overview sorts by). */
export const CHECK_STATES: readonly CheckState[] = ['ERR', 'WARN', 'UNK', 'OK'];

/** Why a check changed state; recorded on every flip. */
export type FlipReason = 'reported' | 'expired' | 'threshold' | 'anomaly' | 'manual';

/** Where a check's reports come from (a label only: nothing downstream branches on it). */
export type CheckSource = 'overc' | 'okerr' | 'oddeye' | 'goma' | 'api' | 'agent' | 'metric';

/** A project: the unit of ownership for hosts, checks, series and tokens. */
export interface Project {
  id: number;
  name: string;
  /** UUID-form token that ingest clients without host keys (OddEye, okerr) present. */
  ingestToken: string;
  /** Free text shown in the UI ('' when none). */
  description: string;
  createdAt: number;
}

/** A host: an OverC "server", identified by name within a project. */
export interface Host {
  id: number;
  projectId: number;
  name: string;
  createdAt: number;
  lastSeenAt: number | null;
  lastAddress: string | null;
}

/** A check: one thing with a state (OverC service, okerr indicator, goma monitor, metric rule). */
export interface Check {
  id: number;
  projectId: number;
  hostId: number;
  hostName: string;
  name: string;
  source: CheckSource;
  state: CheckState;
  info: string;
  /** Promised reporting period in seconds, or null when the check has no heartbeat. */
  periodS: number | null;
  /** Extra seconds allowed past the period before the check expires; null = project/default. */
  patienceS: number | null;
  /** Time (ms) of the last report. */
  lastReportAt: number | null;
  /** Time (ms) the state last changed. */
  lastChangeAt: number | null;
  /** Time (ms) after which a silent check expires; null when it has no heartbeat. */
  deadlineAt: number | null;
  /** True while the check is expired (no report within period + patience). */
  expired: boolean;
  sourceAddress: string | null;
  tags: string[];
  createdAt: number;
}

/** A durable record of one state change. Alerting reads these. */
export interface Flip {
  id: number;
  checkId: number;
  projectId: number;
  hostId: number;
  at: number;
  oldState: CheckState;
  newState: CheckState;
  reason: FlipReason;
  info: string;
}

/** One stored state report (history), whether or not it changed the state. */
export interface StateReport {
  id: number;
  checkId: number;
  at: number;
  state: CheckState;
  info: string;
}

/** A direct alert: a message raised by a client (OverC /api/set/alerts) or by Oversee itself. */
export interface Alert {
  id: number;
  projectId: number;
  hostId: number | null;
  checkId: number | null;
  at: number;
  title: string;
  message: string;
  source: string;
}

/** The role an API token (and later a user) has within its scope. */
export type Role = 'viewer' | 'editor' | 'admin';

/** An API token's public facts (never its secret). projectId null = every project. */
export interface ApiToken {
  id: number;
  name: string;
  role: Role;
  projectId: number | null;
  createdAt: number;
  lastUsedAt: number | null;
}
