// Repeat reminders and acknowledgement: while a check stays non-OK, remind every interval, unless
// the problem is acknowledged (an ack lasts until the check's state changes).
import type { CheckState } from '../domain/types.js';

/** What the reminder rule needs to know about one check. */
export interface ReminderSubject {
  state: CheckState;
  /** When the current problem was last notified (the problem itself or the previous reminder). */
  lastNotifiedAt: number;
  acked: boolean;
  /** True while the check is flapping: the flapping notices stand in for reminders. */
  flapping: boolean;
}

/** When the next reminder is due, or null for none (OK, acked, flapping, or reminders off). */
export function nextReminderAt(subject: ReminderSubject, intervalMs: number): number | null {
  if (intervalMs <= 0 || subject.state === 'OK' || subject.acked || subject.flapping) return null;
  return subject.lastNotifiedAt + intervalMs;
}
