// The storage contract: narrow async interfaces split by direction (writers vs readers).
// Every implementation (store/sqlite now, store/postgres later) passes store/contract.ts.
// Time values are milliseconds since the epoch; ranges are inclusive of `from` and `to`.
import type { ReportedState } from '../domain/check-state.js';
import type { Alert, ApiToken, Check, CheckSource, CheckState, Flip, FlipReason, Host, Project, Role, StateReport } from '../domain/types.js';

/** A page of results and the cursor for the next one (null when there is no more). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Paging input: at most `limit` items after `cursor` (opaque, from a previous page). */
export interface PageRequest {
  limit: number;
  cursor?: string | null;
}

/** Filters for listing checks. */
export interface CheckFilter extends PageRequest {
  projectId?: number;
  /** Only checks of these projects (a caller's scope; empty = none). */
  projectIds?: readonly number[];
  hostId?: number;
  state?: CheckState;
  /** Only checks whose name starts with this. */
  namePrefix?: string;
}

/** Filters for time-ordered logs (history, flips, alerts): newest first. */
export interface TimeFilter extends PageRequest {
  from?: number;
  to?: number;
}

/** Stored host credential: salt and scrypt hash of the key. */
export interface HostKeyHash {
  salt: string;
  hash: string;
}

/** A host as stored, with its key hash (for verification only; never leaves the server). */
export interface HostWithKey extends Host {
  key: HostKeyHash | null;
}

/** Input of one batch of state reports from one host. */
export interface StateReportBatch {
  hostId: number;
  /** Time of receipt (ms). */
  at: number;
  /** Client address, recorded on the checks and the host. */
  address: string | null;
  source: CheckSource;
  services: ReportedState[];
  /** Reason written on flips this batch causes (default 'reported'; metric rules use 'threshold'/'anomaly'). */
  reason?: FlipReason;
}

/** What happened to each service of a batch, in input order. */
export interface StateReportOutcome {
  checkId: number;
  created: boolean;
  flip: Flip | null;
}

/** Input of one alert. */
export interface AlertInput {
  projectId: number;
  hostId: number | null;
  /** When set, the alert is attached to this check name under hostId (created if missing). */
  checkName: string | null;
  at: number;
  title: string;
  message: string;
  source: string;
}

/** A token row as the authenticator needs it. */
export interface TokenRecord extends ApiToken {
  hash: string;
}

/** Projects: read and create. */
export interface ProjectRepo {
  list(): Promise<Project[]>;
  get(id: number): Promise<Project | null>;
  getByName(name: string): Promise<Project | null>;
  getByIngestToken(token: string): Promise<Project | null>;
  /** Creates a project with a fresh UUID ingest token; OVS_ERR_CONFLICT when the name is taken. */
  create(name: string, now: number, description?: string): Promise<Project>;
  /** Renames and/or describes a project; null when absent, OVS_ERR_CONFLICT when the new name is taken. */
  update(id: number, change: { name?: string; description?: string }): Promise<Project | null>;
  /** Deletes a project with everything in it (hosts, checks, history, tokens and grants of it); false when absent. */
  delete(id: number): Promise<boolean>;
  /** How many hosts and checks a project holds. */
  usage(id: number): Promise<{ hosts: number; checks: number }>;
}

/** API tokens: the secret itself is never stored, only its SHA-256 hash. */
export interface TokenRepo {
  create(input: { name: string; role: Role; projectId: number | null; hash: string; now: number }): Promise<ApiToken>;
  /** Creates the token only while no token exists, atomically across processes and nodes; null when one exists. */
  createFirst(input: { name: string; role: Role; projectId: number | null; hash: string; now: number }): Promise<ApiToken | null>;
  findByHash(hash: string): Promise<TokenRecord | null>;
  list(): Promise<ApiToken[]>;
  count(): Promise<number>;
  delete(id: number): Promise<boolean>;
  touch(id: number, now: number): Promise<void>;
}

/** Hosts: registration (trust on first use) and reads. */
export interface HostRepo {
  get(id: number): Promise<Host | null>;
  getWithKey(projectId: number, name: string): Promise<HostWithKey | null>;
  /**
   * Registers a host with a key hash if no host of that name exists (atomically); returns the stored
   * host either way, so a racing registration with another key is detected by the caller.
   */
  register(projectId: number, name: string, key: HostKeyHash | null, now: number): Promise<HostWithKey>;
  /**
   * Sets the key of a host that has none (created by a keyless protocol such as OddEye or okerr), atomically:
   * the first key wins. Returns the host as stored afterwards, or null when it does not exist.
   */
  claimKey(id: number, key: HostKeyHash): Promise<HostWithKey | null>;
  /** Hosts by id; `projectIds` keeps those of these projects (a caller's scope; empty = none). */
  list(filter: PageRequest & { projectId?: number; projectIds?: readonly number[]; namePrefix?: string }): Promise<Page<Host>>;
  /** Deletes the host with its checks, history and flips; false when it did not exist. */
  delete(id: number): Promise<boolean>;
}

/** Checks: reads and deletion. */
export interface CheckRepo {
  get(id: number): Promise<Check | null>;
  getByName(hostId: number, name: string): Promise<Check | null>;
  /** The checks with these ids that exist, in id order (one round trip; for live events). */
  getMany(ids: readonly number[]): Promise<Check[]>;
  list(filter: CheckFilter): Promise<Page<Check>>;
  /** Counts of checks per state (for the overview and self-metrics). */
  countByState(projectId?: number): Promise<Record<CheckState, number>>;
  delete(id: number): Promise<boolean>;
}

/** The ingest write path. Each call resolves only after its writes are durable. */
export interface IngestWriter {
  /** Applies a batch of reports atomically: check upserts, history rows and flips. */
  reportStates(batch: StateReportBatch): Promise<StateReportOutcome[]>;
  /** Stores alerts atomically, in order. */
  raiseAlerts(alerts: AlertInput[]): Promise<Alert[]>;
}

/** History reads (newest first). */
export interface HistoryReader {
  stateReports(checkId: number, filter: TimeFilter): Promise<Page<StateReport>>;
  /** Flips newest first; `projectIds` keeps those of these projects (a caller's scope; empty = none). */
  flips(filter: TimeFilter & { checkId?: number; projectId?: number; projectIds?: readonly number[]; hostId?: number }): Promise<Page<Flip>>;
  /** Alerts newest first; `projectIds` as for flips. */
  alerts(filter: TimeFilter & { projectId?: number; projectIds?: readonly number[]; hostId?: number; checkId?: number }): Promise<Page<Alert>>;
}

/** Housekeeping. */
export interface Maintenance {
  /** Deletes state reports older than `before`; returns how many went. Flips and alerts are kept. */
  pruneStateReports(before: number): Promise<number>;
}

/** A whole store: the composition root opens one and hands its parts to whoever needs them. */
export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  readonly projects: ProjectRepo;
  readonly tokens: TokenRepo;
  readonly hosts: HostRepo;
  readonly checks: CheckRepo;
  readonly ingest: IngestWriter;
  readonly history: HistoryReader;
  readonly maintenance: Maintenance;
  /** Resolves once every queued write is durable, then releases the store. Idempotent. */
  close(): Promise<void>;
}

/** Observes store latency (self-metrics); the store calls it once per operation. */
export type StoreObserver = (op: string, seconds: number) => void;
