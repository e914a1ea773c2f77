// Login rate limiting: failed attempts are counted per client address and per user name in fixed
// windows; once either count reaches the limit, further attempts are refused until the window ends.

/** Limits of the login limiter. */
export interface LoginLimits {
  /** Failed attempts allowed per key within one window. */
  maxFailures: number;
  windowMs: number;
}

/** Default: 10 failures per address or name per 15 minutes. */
export const DEFAULT_LOGIN_LIMITS: LoginLimits = { maxFailures: 10, windowMs: 15 * 60_000 };

interface Window { start: number; failures: number }

/** Counts failed logins; one instance per server (no module state). */
export class LoginLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly limits: LoginLimits = DEFAULT_LOGIN_LIMITS) {}

  /** Milliseconds until an attempt for these keys is allowed again, or 0 when it is allowed now. */
  retryAfter(keys: string[], now: number): number {
    let wait = 0;
    for (const key of keys) {
      const w = this.windows.get(key);
      if (w === undefined) continue;
      if (now - w.start >= this.limits.windowMs) {
        this.windows.delete(key);
        continue;
      }
      if (w.failures >= this.limits.maxFailures) wait = Math.max(wait, w.start + this.limits.windowMs - now);
    }
    return wait;
  }

  /** Records one failed attempt against each key. */
  fail(keys: string[], now: number): void {
    if (this.windows.size > 100_000) this.prune(now);
    for (const key of keys) {
      const w = this.windows.get(key);
      if (w === undefined || now - w.start >= this.limits.windowMs) this.windows.set(key, { start: now, failures: 1 });
      else w.failures++;
    }
  }

  /** Forgets the failures of `keys` (after a successful login). */
  succeed(keys: string[]): void {
    for (const key of keys) this.windows.delete(key);
  }

  private prune(now: number): void {
    for (const [key, w] of this.windows) if (now - w.start >= this.limits.windowMs) this.windows.delete(key);
  }
}
