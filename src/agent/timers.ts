// Time and timers as a dependency: production uses the real ones, tests move a manual clock.

/** An opaque timer handle. */
export type TimerHandle = { readonly id: number } | ReturnType<typeof setTimeout>;

/** A clock plus one-shot timers. */
export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock and timers; timers do not keep the process alive on their own when `unref`. */
export function systemTimers(opts: { unref?: boolean } = {}): Timers {
  return {
    now: () => Date.now(),
    setTimeout: (fn, ms) => {
      const t = setTimeout(fn, ms);
      if (opts.unref) t.unref();
      return t;
    },
    clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  };
}
