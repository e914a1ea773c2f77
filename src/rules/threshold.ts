// Threshold rules on a series, pure: a value (the series aggregated over a window, e.g. a filtered
// average) against warn/crit levels above and/or below gives a check state and the text shown with it.
import type { CheckState } from '../domain/types.js';

/** The levels of a threshold rule; any of them may be absent. Above: value > level; below: value < level. */
export interface ThresholdLevels {
  warnAbove: number | null;
  critAbove: number | null;
  warnBelow: number | null;
  critBelow: number | null;
}

/** What a rule's evaluation gives. */
export interface ThresholdOutcome {
  state: CheckState;
  info: string;
}

function fmt(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}

/** Why a set of levels is inconsistent (e.g. warn above crit), or null. */
export function levelsProblem(l: ThresholdLevels): string | null {
  if (l.warnAbove === null && l.critAbove === null && l.warnBelow === null && l.critBelow === null) return 'at least one level is required';
  if (l.warnAbove !== null && l.critAbove !== null && l.warnAbove > l.critAbove) return 'warnAbove must not be above critAbove';
  if (l.warnBelow !== null && l.critBelow !== null && l.warnBelow < l.critBelow) return 'warnBelow must not be below critBelow';
  return null;
}

/**
 * The state for `value` (null = no data in the window → UNK). Crit levels are checked before warn
 * levels; `what` names the measured thing in the info, e.g. `avg(cpu{host=web1}) over 5m`.
 */
export function evaluateThreshold(l: ThresholdLevels, value: number | null, what: string): ThresholdOutcome {
  if (value === null || Number.isNaN(value)) return { state: 'UNK', info: `${what}: no data` };
  const v = `${what} = ${fmt(value)}`;
  if (l.critAbove !== null && value > l.critAbove) return { state: 'ERR', info: `${v} > crit ${fmt(l.critAbove)}` };
  if (l.critBelow !== null && value < l.critBelow) return { state: 'ERR', info: `${v} < crit ${fmt(l.critBelow)}` };
  if (l.warnAbove !== null && value > l.warnAbove) return { state: 'WARN', info: `${v} > warn ${fmt(l.warnAbove)}` };
  if (l.warnBelow !== null && value < l.warnBelow) return { state: 'WARN', info: `${v} < warn ${fmt(l.warnBelow)}` };
  return { state: 'OK', info: v };
}
