// Row shapes of the alerting module's tables and their mapping to the AlertStore's objects, shared by
// store/sqlite/alerting.ts and store/postgres/alerting.ts. Only the flag columns differ by dialect
// (SQLite INTEGER 0/1, PostgreSQL BOOLEAN): they are typed `Flag` and read with `flagOf`.
import type {
  AlertEvent, CheckAlertState, CheckStatePatch, Delivery, EventStatus, NotificationRecord, Origin, StoredChannel, StoredRoute, StoredSilence,
} from '../alert/store-types.js';
import type { Route } from '../alert/types.js';
import type { CheckState } from '../domain/types.js';
import type { ChannelType } from '../notify/registry.js';
import type { NotifyEvent } from '../notify/types.js';

/** A flag column as a dialect returns it: SQLite 0/1, PostgreSQL true/false. */
export type Flag = number | boolean;

/** Reads a flag column: a boolean as it is, a number as "not 0". */
export const flagOf = (v: Flag): boolean => (typeof v === 'boolean' ? v : v !== 0);

/** An alert_channels row. */
export interface ChannelRow { name: string; type: string; config: string; enabled: Flag; disabled_reason: string | null; origin: string; updated_at: number }
/** An alert_routes row. */
export interface RouteRow { id: number; name: string; spec: string; origin: string }
/** An alert_silences row. */
export interface SilenceRow {
  id: number; project: string | null; host: string; check_pattern: string; starts_at: number; ends_at: number; recurrence: string;
  until: number | null; comment: string; created_by: string; created_at: number; origin: string;
}
/** An alert_check_state row. */
export interface StateRow {
  check_id: number; notified_state: string | null; last_notified_at: number | null; acked_at: number | null; acked_by: string | null;
  ack_comment: string | null; flapping: Flag; next_flap_eval_at: number | null; next_reminder_at: number | null; reduction_ms: number | null;
}
/** An alert_events row (the columns the store reads). */
export interface EventRow {
  id: number; source: string; source_id: number | null; check_id: number | null; at: number; release_at: number; status: string;
  note: string | null; event: string;
}
/** An alert_deliveries row joined with its event's JSON. */
export interface DeliveryRow {
  id: number; event_id: number; channel: string; group_key: string; created_at: number; attempts: number; next_attempt_at: number; event: string;
}
/** A notifications row. */
export interface NotificationRow {
  id: number; delivery_id: number; event_id: number; channel: string; attempt: number; at: number; status: string; error: string | null; duration_ms: number;
}

/** Maps an alert_channels row (config parsed from JSON). */
export const toChannel = (r: ChannelRow): StoredChannel => ({
  name: r.name, type: r.type as ChannelType, config: JSON.parse(r.config) as unknown, enabled: flagOf(r.enabled),
  disabledReason: r.disabled_reason, origin: r.origin as Origin, updatedAt: r.updated_at,
});
/** Maps an alert_routes row (its spec parsed from JSON). */
export const toRoute = (r: RouteRow): StoredRoute => ({ ...(JSON.parse(r.spec) as Route), id: r.id, name: r.name, origin: r.origin as Origin });
/** Maps an alert_silences row. */
export const toSilence = (r: SilenceRow): StoredSilence => ({
  id: r.id, project: r.project, host: r.host, check: r.check_pattern, startsAt: r.starts_at, endsAt: r.ends_at,
  recurrence: r.recurrence as StoredSilence['recurrence'], until: r.until, comment: r.comment, createdBy: r.created_by,
  createdAt: r.created_at, origin: r.origin as Origin,
});
/** Maps an alert_check_state row. */
export const toState = (r: StateRow): CheckAlertState => ({
  checkId: r.check_id, notifiedState: r.notified_state as CheckState | null, lastNotifiedAt: r.last_notified_at, ackedAt: r.acked_at,
  ackedBy: r.acked_by, ackComment: r.ack_comment, flapping: flagOf(r.flapping), nextFlapEvalAt: r.next_flap_eval_at,
  nextReminderAt: r.next_reminder_at, reductionMs: r.reduction_ms,
});
/** Maps an alert_events row (the event parsed from JSON). */
export const toEvent = (r: EventRow): AlertEvent => ({
  id: r.id, source: r.source as AlertEvent['source'], sourceId: r.source_id, checkId: r.check_id, at: r.at, releaseAt: r.release_at,
  status: r.status as EventStatus, note: r.note, event: JSON.parse(r.event) as NotifyEvent,
});
/** Maps an alert_deliveries row joined with its event. */
export const toDelivery = (r: DeliveryRow): Delivery => ({
  id: r.id, eventId: r.event_id, channel: r.channel, groupKey: r.group_key, createdAt: r.created_at, attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at, event: JSON.parse(r.event) as NotifyEvent,
});
/** Maps a notifications row. */
export const toNotification = (r: NotificationRow): NotificationRecord => ({
  id: r.id, deliveryId: r.delivery_id, eventId: r.event_id, channel: r.channel, attempt: r.attempt, at: r.at,
  status: r.status as NotificationRecord['status'], error: r.error, durationMs: r.duration_ms,
});

/** CheckAlertState field → alert_check_state column. */
export const STATE_COLUMNS: Readonly<Record<keyof CheckStatePatch, string>> = {
  notifiedState: 'notified_state', lastNotifiedAt: 'last_notified_at', ackedAt: 'acked_at', ackedBy: 'acked_by',
  ackComment: 'ack_comment', flapping: 'flapping', nextFlapEvalAt: 'next_flap_eval_at', nextReminderAt: 'next_reminder_at',
  reductionMs: 'reduction_ms',
};
