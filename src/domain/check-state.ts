// The state machine of a check under reports: pure functions, time passed in.
import type { Check, CheckState, FlipReason } from './types.js';

/** What a protocol adapter reports for one check. */
export interface ReportedState {
  name: string;
  state: CheckState;
  info: string;
  /** Reporting period in seconds promised with this report, if any. */
  periodS: number | null;
  /** Grace past the period before expiry (okerr policies set it); undefined keeps the check's own. */
  patienceS?: number | null;
}

/** The fields of a check that a report changes. */
export interface CheckUpdate {
  state: CheckState;
  info: string;
  periodS: number | null;
  patienceS: number | null;
  lastReportAt: number;
  lastChangeAt: number | null;
  deadlineAt: number | null;
  expired: boolean;
}

/** A flip about to be written. */
export interface FlipDraft {
  oldState: CheckState;
  newState: CheckState;
  reason: FlipReason;
  info: string;
}

/** Patience (seconds past the period) used when neither check nor project sets one. */
export const DEFAULT_PATIENCE_S = 0;

/** Deadline (ms) of a check that last reported at `at` with `periodS` and `patienceS`, or null. */
export function deadlineFor(at: number, periodS: number | null, patienceS: number | null): number | null {
  if (periodS === null || periodS <= 0) return null;
  return at + (periodS + (patienceS ?? DEFAULT_PATIENCE_S)) * 1000;
}

/**
 * Applies one report to a check (or to a new one when `prev` is undefined).
 * The first report of a new check is compared with OK; a report for an expired check always
 * writes a flip (back online) even when the state is the one it had before expiring.
 */
export function applyReport(
  prev: Pick<Check, 'state' | 'lastChangeAt' | 'expired' | 'patienceS'> | undefined,
  report: ReportedState,
  now: number,
  reason: FlipReason = 'reported',
): { update: CheckUpdate; flip: FlipDraft | null } {
  const oldState: CheckState = prev?.state ?? 'OK';
  let flip: FlipDraft | null = null;
  if (prev?.expired) {
    flip = { oldState, newState: report.state, reason, info: backOnlineInfo(report.info) };
  } else if (oldState !== report.state) {
    flip = { oldState, newState: report.state, reason, info: report.info };
  }
  const patienceS = report.patienceS === undefined ? (prev?.patienceS ?? null) : report.patienceS;
  const update: CheckUpdate = {
    state: report.state,
    info: report.info,
    periodS: report.periodS,
    patienceS,
    lastReportAt: now,
    lastChangeAt: flip ? now : (prev?.lastChangeAt ?? now),
    deadlineAt: deadlineFor(now, report.periodS, patienceS),
    expired: false,
  };
  return { update, flip };
}

function backOnlineInfo(info: string): string {
  return info ? `back online: ${info}` : 'back online';
}
