// The alerting module's storage contract. Dialect SQL lives only in src/store/sqlite/alerting.ts (and a
// future store/postgres twin). Every method that moves work between nodes is a conditional update that
// proceeds only when it changed exactly the rows it expected. Times are ms since the epoch.
import type { Alert, CheckState, Flip } from '../domain/types.js';
import type { ChannelDefinition } from '../notify/registry.js';
import type { NotifyEvent } from '../notify/types.js';
import type { Page, TimeFilter } from '../store/types.js';
import type { Route, Silence, SilenceInput } from './types.js';

/** Where a channel, route or silence was defined: config ones are replaced at each start. */
export type Origin = 'config' | 'api';

/** A channel as stored. */
export interface StoredChannel extends ChannelDefinition {
  enabled: boolean;
  /** Why it was disabled (e.g. the permanent failure), or null. */
  disabledReason: string | null;
  origin: Origin;
  updatedAt: number;
}

/** A route as stored; routes apply in `position` order. */
export interface StoredRoute extends Route {
  id: number;
  origin: Origin;
}

/** A silence as stored. */
export interface StoredSilence extends Silence {
  origin: Origin;
}

/** What alerting remembers per check. */
export interface CheckAlertState {
  checkId: number;
  /** The state the last sent notice announced (null before any). */
  notifiedState: CheckState | null;
  lastNotifiedAt: number | null;
  ackedAt: number | null;
  ackedBy: string | null;
  ackComment: string | null;
  flapping: boolean;
  /** When a flapping check is next re-evaluated for "flapping stopped". */
  nextFlapEvalAt: number | null;
  nextReminderAt: number | null;
  /** Per-check reduction delay; null = the engine default. */
  reductionMs: number | null;
}

/** Fields of CheckAlertState that the engine changes. */
export type CheckStatePatch = Partial<Omit<CheckAlertState, 'checkId'>>;

/** A flip or alert not yet taken by alerting, with the names a message needs. */
export type IntakeItem =
  | { source: 'flip'; flip: Flip; project: string; hostName: string; checkName: string; tags: string[]; reductionMs: number | null }
  | { source: 'alert'; alert: Alert; project: string; hostName: string | null; checkName: string | null; tags: string[] };

/** Where an alert event came from. */
export type EventSource = 'flip' | 'alert' | 'engine';

/** An event's status: held until released, then decided once. */
export type EventStatus = 'held' | 'routed' | 'dropped' | 'silenced' | 'flapping' | 'unrouted';

/** An alerting event (one row of the alert feed). */
export interface AlertEvent {
  id: number;
  source: EventSource;
  /** Id of the flip or alert it came from (null for engine events). */
  sourceId: number | null;
  checkId: number | null;
  at: number;
  releaseAt: number;
  status: EventStatus;
  /** Why it was not sent (silence id, "reverted within 60 s", ...) or null. */
  note: string | null;
  event: NotifyEvent;
}

/** A new event produced by the engine itself (reminder, flapping, ...). */
export interface NewEvent {
  checkId: number | null;
  event: NotifyEvent;
  releaseAt: number;
}

/** The decided fate of one held event. */
export interface EventDecision {
  eventId: number;
  status: Exclude<EventStatus, 'held'>;
  note: string | null;
  /** Channels to deliver to (only for status "routed"). */
  channels: string[];
  groupKey: string;
}

/** Everything one decision pass writes, atomically. Decisions of events no longer held are skipped. */
export interface DecisionBatch {
  decisions: EventDecision[];
  /** Engine events decided in the same pass (inserted already decided). */
  created: Array<NewEvent & { decision: Omit<EventDecision, 'eventId'> }>;
  /** Applied for a check only when at least one of its decisions was applied. */
  patches: Map<number, CheckStatePatch>;
}

/** A delivery (one event to one channel) as the dispatcher reads it. */
export interface Delivery {
  id: number;
  eventId: number;
  channel: string;
  groupKey: string;
  createdAt: number;
  attempts: number;
  nextAttemptAt: number;
  event: NotifyEvent;
}

/** The outcome of one attempt for one delivery. */
export interface AttemptResult {
  deliveryId: number;
  channel: string;
  status: 'ok' | 'transient' | 'permanent';
  error: string | null;
  durationMs: number;
  /** For transient failures: when to retry, or null to give up (attempts exhausted). */
  retryAt: number | null;
}

/** One row of the notifications log: one attempt of one delivery. */
export interface NotificationRecord {
  id: number;
  deliveryId: number;
  eventId: number;
  channel: string;
  attempt: number;
  at: number;
  status: 'ok' | 'transient' | 'permanent';
  error: string | null;
  durationMs: number;
}

/** Builds the event and its release time for an intake item (pure; runs inside the claim transaction). */
export type IntakePlanner = (item: IntakeItem) => { event: NotifyEvent; releaseAt: number };

/** The new state and info of a check that missed its deadline. */
export type ExpiryPlanner = (check: { id: number; state: CheckState; lastReportAt: number | null; periodS: number | null }, now: number) => { state: CheckState; info: string };

/** Filters of the alert feed. `projectId` keeps one project's events (project-scoped tokens). */
export type EventFilter = TimeFilter & {
  checkId?: number; status?: EventStatus; projectId?: number;
  /** Only events of these projects (a caller's scope; empty = none; events without a project are left out). */
  projectIds?: readonly number[];
};

/** The alerting store. */
export interface AlertStore {
  // Channels, routes, silences.
  listChannels(): Promise<StoredChannel[]>;
  getChannel(name: string): Promise<StoredChannel | null>;
  /** Creates or replaces a channel by name (keeps its enabled flag unless given). */
  putChannel(channel: ChannelDefinition & { enabled?: boolean; origin: Origin }, now: number): Promise<StoredChannel>;
  deleteChannel(name: string): Promise<boolean>;
  /** Sets enabled/disabled; true only when this call changed it (so exactly one node raises the alert). */
  setChannelEnabled(name: string, enabled: boolean, reason: string | null, now: number): Promise<boolean>;
  listRoutes(): Promise<StoredRoute[]>;
  /** Creates or replaces a route by name; new routes go last. */
  putRoute(route: Route, origin: Origin): Promise<StoredRoute>;
  deleteRoute(name: string): Promise<boolean>;
  listSilences(): Promise<StoredSilence[]>;
  addSilence(silence: SilenceInput, origin: Origin, now: number): Promise<StoredSilence>;
  deleteSilence(id: number): Promise<boolean>;
  /** Replaces every config-origin channel, route and silence with these (API-made ones stay). */
  replaceConfigured(input: { channels: Array<ChannelDefinition & { enabled: boolean }>; routes: Route[]; silences: SilenceInput[] }, now: number): Promise<void>;

  // Per-check state.
  checkStates(checkIds: readonly number[]): Promise<Map<number, CheckAlertState>>;
  /** Applies `patch` when the stored values equal `expected` (missing rows count as defaults); inserts `event` then. */
  patchCheckState(checkId: number, expected: CheckStatePatch, patch: CheckStatePatch, event?: NewEvent): Promise<boolean>;
  /**
   * The latest `n` reported states of each check, oldest first (flap detection; one query for many
   * checks). Optional: without it the engine reads Store.history per check.
   */
  recentStates?(checkIds: readonly number[], n: number): Promise<Map<number, CheckState[]>>;
  dueReminders(now: number, limit: number): Promise<CheckAlertState[]>;
  dueFlapEvaluations(now: number, limit: number): Promise<CheckAlertState[]>;

  // Expiry: checks.deadline_at is the one deadline queue.
  /** The earliest deadline of a non-expired check, or null. */
  nextDeadline(): Promise<number | null>;
  /** Expires checks whose deadline passed (each once: conditional on not yet expired) and writes their flips. */
  expireDue(now: number, limit: number, plan: ExpiryPlanner): Promise<Flip[]>;

  // The pipeline.
  /** Claims un-notified flips and alerts (conditional update, exactly one row) and turns them into held events. */
  intake(nodeId: string, now: number, limit: number, plan: IntakePlanner): Promise<number>;
  /** Held events due at `now`, plus every held event of the same checks (so reduction sees reverts). */
  heldEvents(now: number, limit: number): Promise<AlertEvent[]>;
  /** The earliest release time of a held event, or null. */
  nextRelease(): Promise<number | null>;
  /** Writes a decision pass; returns how many decisions applied. */
  applyDecisions(batch: DecisionBatch, now: number): Promise<number>;
  /** Pending deliveries due at `now` and not leased. */
  dueDeliveries(now: number, limit: number): Promise<Delivery[]>;
  /** The earliest next attempt of a pending delivery, or null. */
  nextDeliveryAt(): Promise<number | null>;
  /**
   * Leases deliveries to `nodeId` until `leaseUntil`; returns the ids this call leased. Only deliveries
   * that are pending, due (next attempt ≤ now: a retry is not taken early) and not leased are taken.
   */
  claimDeliveries(ids: readonly number[], nodeId: string, now: number, leaseUntil: number): Promise<number[]>;
  /** Records attempts (notifications rows) and moves each delivery to sent, pending (retry) or failed. */
  recordAttempts(results: readonly AttemptResult[], now: number): Promise<void>;
  /** Fails every pending delivery of a channel (it was disabled); returns how many. */
  cancelDeliveries(channel: string, reason: string, now: number): Promise<number>;

  // Feeds (newest first).
  events(filter: EventFilter): Promise<Page<AlertEvent>>;
  notifications(filter: TimeFilter & { channel?: string; eventId?: number }): Promise<Page<NotificationRecord>>;
}

/** A check's alert state before anything was recorded for it. */
export function defaultCheckState(checkId: number): CheckAlertState {
  return {
    checkId, notifiedState: null, lastNotifiedAt: null, ackedAt: null, ackedBy: null, ackComment: null,
    flapping: false, nextFlapEvalAt: null, nextReminderAt: null, reductionMs: null,
  };
}

