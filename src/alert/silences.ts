// Silences: whether an event at a given time falls into a (possibly recurring) maintenance window.
import { globMatch } from './glob.js';
import type { Recurrence, Silence } from './types.js';

const PERIOD_MS: Record<Exclude<Recurrence, 'none'>, number> = { daily: 86_400_000, weekly: 7 * 86_400_000 };

/** The window of `s` that contains `at`, or null when `s` is not active at `at`. */
export function activeWindow(s: Pick<Silence, 'startsAt' | 'endsAt' | 'recurrence' | 'until'>, at: number): { start: number; end: number } | null {
  if (at < s.startsAt) return null;
  if (s.recurrence === 'none') return at < s.endsAt ? { start: s.startsAt, end: s.endsAt } : null;
  const period = PERIOD_MS[s.recurrence];
  const start = s.startsAt + Math.floor((at - s.startsAt) / period) * period;
  if (s.until !== null && start >= s.until) return null;
  const end = start + (s.endsAt - s.startsAt);
  return at < end ? { start, end } : null;
}

/** What a silence is matched against. */
export interface SilenceSubject {
  project: string | null;
  hostName: string | null;
  checkName: string | null;
}

/** True when `s` covers the subject (project, host and check patterns) and is active at `at`. */
export function silences(s: Silence, subject: SilenceSubject, at: number): boolean {
  if (s.project !== null && s.project !== subject.project) return false;
  if (!globMatch(s.host, subject.hostName)) return false;
  if (!globMatch(s.check, subject.checkName)) return false;
  return activeWindow(s, at) !== null;
}

/** The first silence covering the subject at `at`, or null. */
export function findSilence(all: readonly Silence[], subject: SilenceSubject, at: number): Silence | null {
  return all.find((s) => silences(s, subject, at)) ?? null;
}

/** True when `s` can never be active again after `now` (so it may be pruned from listings). */
export function silenceExpired(s: Silence, now: number): boolean {
  if (s.recurrence === 'none') return s.endsAt <= now;
  return s.until !== null && s.until + (s.endsAt - s.startsAt) <= now;
}
