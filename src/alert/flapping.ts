// Flap detection, Nagios style: weighted percent of state changes over the last 21 results; a check
// starts flapping at or above `high` percent and stops below `low` (hysteresis).
import type { CheckState } from '../domain/types.js';

/** Thresholds and window of flap detection. */
export interface FlapSettings {
  /** Results considered (Nagios: 21, i.e. 20 possible changes). */
  window: number;
  /** Percent at or above which a check starts flapping. */
  high: number;
  /** Percent below which a flapping check stops flapping. */
  low: number;
}

/** Nagios's defaults for services: 21 results, start at 20 %, stop below 5 %. */
export const DEFAULT_FLAP_SETTINGS: FlapSettings = { window: 21, high: 20, low: 5 };

/**
 * Percent state change of `states` (oldest first; only the newest `window` count). A change between
 * results x-1 and x weighs 0.75 (oldest) rising linearly to 1.25 (newest); 100 % = every result a
 * change. A shorter history counts as if the first state had held before it.
 */
export function percentStateChange(states: readonly CheckState[], window = DEFAULT_FLAP_SETTINGS.window): number {
  if (window < 3) throw new Error('flapping window must be at least 3');
  const recent = states.slice(-window);
  const pad = window - recent.length;
  let curved = 0;
  for (let i = 1; i < recent.length; i++) {
    if (recent[i] === recent[i - 1]) continue;
    const x = i + pad;
    curved += ((x - 1) * (1.25 - 0.75)) / (window - 2) + 0.75;
  }
  return (curved * 100) / (window - 1);
}

/** What a new percentage means for a check that was or was not flapping. */
export function flapTransition(wasFlapping: boolean, percent: number, settings: FlapSettings = DEFAULT_FLAP_SETTINGS): 'started' | 'stopped' | null {
  if (!wasFlapping && percent >= settings.high) return 'started';
  if (wasFlapping && percent < settings.low) return 'stopped';
  return null;
}
