// Retry schedule for transient delivery failures: exponential with jitter, capped.

/** Parameters of the schedule. */
export interface BackoffSettings {
  baseMs: number;
  maxMs: number;
}

/**
 * Delay before retry number `failures` (1 after the first failure): base·2^(failures−1), capped at
 * max, then scaled into [½, 1] of itself by `random` (so nodes retrying together spread out).
 */
export function backoffDelay(failures: number, settings: BackoffSettings, random: () => number = Math.random): number {
  const exp = Math.min(settings.maxMs, settings.baseMs * 2 ** Math.max(0, failures - 1));
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(exp / 2 + (exp / 2) * r);
}
