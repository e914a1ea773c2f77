// One goma monitor at run time: probe (with timeout) → filter → compare with [min,max] → actions.
// `fail` fires once when the value leaves the range, `recover` once when it is back (with the
// failure's duration); the failing state survives restarts through FailStateStore.
import { errorAt, type GomaMonitorDef } from '../protocols/goma-monitor.js';
import { PROBES } from './probes/registry.js';
import { FILTERS } from './filters/registry.js';
import { ACTIONS } from './actions/registry.js';
import type { Probe } from './probes/types.js';
import type { Filter } from './filters/types.js';
import type { Action, ActionContext, MonitorEvent } from './actions/types.js';
import type { FailStateStore } from './fail-state.js';
import type { Logger } from './logger.js';
import type { Timers } from './timers.js';

/** Everything a monitor needs from the agent. */
export interface MonitorDeps extends ActionContext {
  timers: Timers;
  failState: FailStateStore;
  /** Add a push action when the definition has none (a server is configured). */
  implicitPush: boolean;
  /** Spread first runs over ten slots of the first interval (golden-ratio offsets by id) instead of all at once. */
  spreadStart?: boolean;
}

/** A built monitor (not yet scheduled). */
export class GomaMonitor {
  readonly def: GomaMonitorDef;
  private readonly probe: Probe;
  private readonly filter: Filter | undefined;
  private readonly actions: Action[];
  private readonly deps: MonitorDeps;
  private readonly logger: Logger;
  private failedAt: number | undefined;
  /** Probe runs completed. */
  runs = 0;

  /** Builds probe, filter and actions; throws GomaMonitorError naming the bad key. */
  constructor(def: GomaMonitorDef, deps: MonitorDeps) {
    this.def = def;
    this.deps = deps;
    this.logger = deps.logger;
    const base = `monitor[${def.origin.index}]`;
    const probeFactory = PROBES.get(def.probe.type);
    if (!probeFactory) throw errorAt(def.origin, `${base}.probe.type`, `unknown probe type ${JSON.stringify(def.probe.type)} (known: ${[...PROBES.keys()].join(', ')})`);
    this.probe = probeFactory.create(def.probe.params, def.origin, `${base}.probe`);
    if (def.filter) {
      const f = FILTERS.get(def.filter.type);
      if (!f) throw errorAt(def.origin, `${base}.filter.type`, `unknown filter type ${JSON.stringify(def.filter.type)} (known: ${[...FILTERS.keys()].join(', ')})`);
      this.filter = f.create(def.filter.params, def.origin, `${base}.filter`);
    }
    this.actions = def.actions.map((a, i) => {
      const f = ACTIONS.get(a.type);
      if (!f) throw errorAt(def.origin, `${base}.actions[${i}].type`, `unknown action type ${JSON.stringify(a.type)} (known: ${[...ACTIONS.keys()].join(', ')})`);
      return f.create(a.params, def.origin, `${base}.actions[${i}]`, deps);
    });
    if (deps.implicitPush && !def.actions.some((a) => a.type === 'push')) {
      const push = ACTIONS.get('push');
      if (push) this.actions.push(push.create({}, def.origin, `${base}.actions[push]`, deps));
    }
  }

  /** True while the value is outside [min,max]. */
  get failing(): boolean {
    return this.failedAt !== undefined;
  }

  /** Prepares a (re)start: filter reset, persisted failing state restored, `init` fired. */
  async begin(): Promise<void> {
    this.filter?.reset();
    this.failedAt = this.deps.failState.failingSince(this.def.name);
    await this.fire({ monitor: this.def.name, event: 'init' });
  }

  /** Forgets the failing state (explicit stop, as goma does; not on agent shutdown). */
  forget(): void {
    this.failedAt = undefined;
    this.deps.failState.set(this.def.name, undefined);
  }

  /** One probe cycle. */
  async tick(): Promise<void> {
    const result = await this.probe.probe(this.def.timeout * 1000);
    const value = this.filter ? this.filter.put(result.value) : result.value;
    const outside = value < this.def.min || value > this.def.max;
    const now = this.deps.timers.now();
    if (outside && this.failedAt === undefined) {
      this.failedAt = now;
      this.deps.failState.set(this.def.name, now);
      this.logger.warn('monitor failure', { monitor: this.def.name, value });
      await this.fire({ monitor: this.def.name, event: 'fail', value });
    } else if (!outside && this.failedAt !== undefined) {
      const durationS = Math.floor((now - this.failedAt) / 1000);
      this.failedAt = undefined;
      this.deps.failState.set(this.def.name, undefined);
      this.logger.warn('monitor recovery', { monitor: this.def.name, duration: durationS });
      await this.fire({ monitor: this.def.name, event: 'recover', durationS });
    }
    for (const a of this.actions) {
      a.observe?.({ monitor: this.def.name, value, failing: this.failedAt !== undefined, result, min: this.def.min, max: this.def.max, intervalS: this.def.interval, timeoutS: this.def.timeout });
    }
    this.runs++;
    this.logger.debug('probe', { monitor: this.def.name, value, raw: result.value });
  }

  private async fire(ev: MonitorEvent): Promise<void> {
    await Promise.all(this.actions.map(async (a) => {
      try {
        await a.handle(ev);
      } catch (err) {
        this.logger.error('action failed', { monitor: this.def.name, action: a.describe(), event: ev.event, error: (err as Error).message });
      }
    }));
  }
}
