// The filter contract: turns each probe value into the value compared with min/max.
import type { GomaOrigin } from '../../protocols/goma-monitor.js';

/** A configured filter. */
export interface Filter {
  put(value: number): number;
  /** Back to the initial state (monitor start). */
  reset(): void;
  describe(): string;
}

/** Builds a filter from its parameters; throws GomaMonitorError naming the key. */
export interface FilterFactory {
  type: string;
  create(params: Record<string, unknown>, origin: GomaOrigin, path: string): Filter;
}
