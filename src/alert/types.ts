// Alerting vocabulary: routes, silences, acknowledgements and the settings of the rules.
import type { CheckState } from '../domain/types.js';
import type { NotifyEventKind } from '../notify/types.js';

/** Which channels get which events. Criteria are ANDed; each list matches any of its entries; null = any. */
export interface Route {
  name: string;
  /** Project names. */
  projects: string[] | null;
  /** Host name globs. */
  hosts: string[] | null;
  /** Check name globs. */
  checks: string[] | null;
  /** Matches a state change whose old or new state is listed (so recoveries follow their problems). */
  states: CheckState[] | null;
  /** Matches when the check carries any of these tags. */
  tags: string[] | null;
  kinds: NotifyEventKind[] | null;
  channels: string[];
  /** The default route: used only when no other route matches. */
  isDefault: boolean;
}

/** How a silence repeats: its window [startsAt, endsAt) recurs every day or week (fixed 24 h steps). */
export type Recurrence = 'none' | 'daily' | 'weekly';

/** A silence (maintenance window): matching events are recorded but not sent while it is active. */
export interface Silence {
  id: number;
  project: string | null;
  /** Host name glob ("*" = every host). */
  host: string;
  /** Check name glob ("*" = every check). */
  check: string;
  startsAt: number;
  endsAt: number;
  recurrence: Recurrence;
  /** Recurring windows stop starting at this time (null = forever). */
  until: number | null;
  comment: string;
  createdBy: string;
  createdAt: number;
}

/** A silence before the store gave it an id. */
export type SilenceInput = Omit<Silence, 'id' | 'createdAt'>;

/** Engine-wide alerting settings (the `[alerting]` config section). All durations in ms. */
export interface AlertSettings {
  /** Events of one host arriving within this window go out as one message per channel; 0 = no grouping. */
  groupWindowMs: number;
  /** Reminder interval while a check stays non-OK; 0 = no reminders. */
  reminderIntervalMs: number;
  /** Default reduction delay (okerr); 0 = notify every change. */
  reductionMs: number;
  flapWindow: number;
  flapHigh: number;
  flapLow: number;
  /** Delivery attempts before an event is given up for a channel. */
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** State a check turns to when it misses its deadline. */
  expiredState: CheckState;
}

/** Defaults of the `[alerting]` section. */
export const DEFAULT_ALERT_SETTINGS: AlertSettings = {
  groupWindowMs: 10_000,
  reminderIntervalMs: 0,
  reductionMs: 0,
  flapWindow: 21,
  flapHigh: 20,
  flapLow: 5,
  maxAttempts: 10,
  backoffBaseMs: 5_000,
  backoffMaxMs: 30 * 60_000,
  expiredState: 'ERR',
};
