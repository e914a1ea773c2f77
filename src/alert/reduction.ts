// Reduction (okerr): a state change is held for `delayMs`; when the check returns to the state it
// left within that delay, the change and its return are both dropped instead of notified.
import type { CheckState } from '../domain/types.js';

/** A held state change of one check. */
export interface HeldChange {
  id: number;
  at: number;
  oldState: CheckState;
  newState: CheckState;
}

/** The verdict for a check's held changes at `now`. */
export interface ReductionVerdict {
  /** Changes to notify now, in order. */
  release: number[];
  /** Changes cancelled by a return within the delay. */
  drop: number[];
  /** When to look again (the first remaining change's end of delay), or null when none is left. */
  wakeAt: number | null;
}

/**
 * Decides the held changes of one check (sorted by time). Steps, from the oldest:
 * 1. if its delay has not passed, stop and wake at its end;
 * 2. if a later change within the delay returns to its old state, drop everything up to that return;
 * 3. else release it and go on with the next.
 */
export function reduceChanges(held: readonly HeldChange[], now: number, delayMs: number): ReductionVerdict {
  const release: number[] = [];
  const drop: number[] = [];
  let i = 0;
  while (i < held.length) {
    const first = held[i] as HeldChange;
    const end = first.at + delayMs;
    if (delayMs > 0 && now < end) return { release, drop, wakeAt: end };
    let back = -1;
    if (delayMs > 0) {
      for (let j = i + 1; j < held.length; j++) {
        const c = held[j] as HeldChange;
        if (c.at > end) break;
        if (c.newState === first.oldState) {
          back = j;
          break;
        }
      }
    }
    if (back >= 0) {
      for (let k = i; k <= back; k++) drop.push((held[k] as HeldChange).id);
      i = back + 1;
    } else {
      release.push(first.id);
      i++;
    }
  }
  return { release, drop, wakeAt: null };
}
