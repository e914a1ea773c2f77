// The action contract: goma's init/fail/recover events, plus an optional look at every probe value.
import type { GomaOrigin } from '../../protocols/goma-monitor.js';
import type { Outbox } from '../outbox.js';
import type { Logger } from '../logger.js';
import type { ProbeResult } from '../probes/types.js';

/** goma events: `init` at monitor start, `fail` once when the value leaves [min,max], `recover` once back. */
export interface MonitorEvent {
  monitor: string;
  event: 'init' | 'fail' | 'recover';
  /** The (filtered) value, on fail. */
  value?: number;
  /** Whole seconds the failure lasted, on recover. */
  durationS?: number;
}

/** One probe outcome, given to actions that report every value (push). */
export interface Observation {
  monitor: string;
  value: number;
  failing: boolean;
  result: ProbeResult;
  min: number;
  max: number;
  intervalS: number;
  timeoutS: number;
}

/** A configured action. `handle` rejects on failure (the monitor logs it and goes on). */
export interface Action {
  handle(ev: MonitorEvent): Promise<void>;
  observe?(o: Observation): void;
  describe(): string;
}

/** What actions may use: the outbox (push) and the logger. */
export interface ActionContext {
  outbox: Outbox | undefined;
  logger: Logger;
}

/** Builds an action from its parameters; throws GomaMonitorError naming the key. */
export interface ActionFactory {
  type: string;
  create(params: Record<string, unknown>, origin: GomaOrigin, path: string, ctx: ActionContext): Action;
}

/** goma's %g-like formatting of a value (no trailing zeros). */
export function formatValue(v: number): string {
  return String(Number(v.toPrecision(6)));
}
