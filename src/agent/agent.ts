// The goma-compatible agent: a registry of monitors with numeric ids, each scheduled at its interval
// (fixed rate, never overlapping itself), loaded from TOML files in a directory or registered at run time.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMonitorToml, type GomaMonitorDef } from '../protocols/goma-monitor.js';
import { GomaMonitor, type MonitorDeps } from './goma-monitor.js';
import { Scheduler } from './scheduler.js';

/** What `/list` and `/monitor/{id}` show. */
export interface MonitorInfo {
  id: string;
  name: string;
  running: boolean;
  failing: boolean;
}

/** The agent. */
export class Agent {
  private readonly deps: MonitorDeps;
  private readonly scheduler: Scheduler;
  private monitors = new Map<number, GomaMonitor>();
  private running = new Set<number>();
  private nextId = 0;

  constructor(deps: MonitorDeps) {
    this.deps = deps;
    this.scheduler = new Scheduler(deps.timers, (job, err) => deps.logger.error('monitor run failed', { id: job.id, error: (err as Error).message }));
  }

  /** Loads every `*.toml` in `dir` (sorted); throws GomaMonitorError for the first bad file. */
  loadDir(dir: string): number[] {
    const files = readdirSync(dir).filter((f) => f.endsWith('.toml')).sort();
    const defs = files.flatMap((f) => parseMonitorToml(readFileSync(join(dir, f), 'utf8'), join(dir, f)));
    const built = defs.map((d) => new GomaMonitor(d, this.deps));
    return built.map((m) => this.add(m));
  }

  /** Builds, registers and starts a monitor; throws GomaMonitorError on a bad definition. */
  register(def: GomaMonitorDef): number {
    return this.add(new GomaMonitor(def, this.deps));
  }

  private add(m: GomaMonitor): number {
    const id = this.nextId++;
    this.monitors.set(id, m);
    this.start(id);
    return id;
  }

  /** Starts a stopped monitor; false when unknown, throws when already running. */
  start(id: number): boolean {
    const m = this.monitors.get(id);
    if (!m) return false;
    if (this.running.has(id)) throw new Error('monitor already started');
    this.running.add(id);
    let initDone: Promise<void> | undefined;
    const intervalMs = m.def.interval * 1000;
    // Thousands of monitors with one interval would otherwise probe in one burst every interval;
    // ten slots per interval keep bursts small while each wake-up still serves many monitors.
    const initialDelayMs = this.deps.spreadStart ? (Math.floor(((id * 0.6180339887498949) % 1) * 10) / 10) * intervalMs : 0;
    this.scheduler.add({
      id: String(id),
      intervalMs,
      initialDelayMs,
      run: async () => {
        initDone ??= m.begin();
        await initDone;
        await m.tick();
      },
    });
    this.deps.logger.info('monitor started', { monitor: m.def.name, id });
    return true;
  }

  /** Stops a monitor (its failing state is forgotten, as goma does); false when unknown. */
  stop(id: number): boolean {
    const m = this.monitors.get(id);
    if (!m) return false;
    if (this.running.delete(id)) {
      this.scheduler.remove(String(id));
      m.forget();
      this.deps.logger.info('monitor stopped', { monitor: m.def.name, id });
    }
    return true;
  }

  /** Stops and removes a monitor; false when unknown. */
  unregister(id: number): boolean {
    if (!this.stop(id)) return false;
    this.monitors.delete(id);
    return true;
  }

  /** Status of one monitor. */
  info(id: number): MonitorInfo | undefined {
    const m = this.monitors.get(id);
    return m && { id: String(id), name: m.def.name, running: this.running.has(id), failing: m.failing };
  }

  /** Status of all monitors, by id. */
  list(): MonitorInfo[] {
    return [...this.monitors.keys()].sort((a, b) => a - b).flatMap((id) => { const i = this.info(id); return i ? [i] : []; });
  }

  /** The monitor object (tests and tooling). */
  monitor(id: number): GomaMonitor | undefined {
    return this.monitors.get(id);
  }

  /** Stops scheduling without forgetting failing states (process shutdown). */
  shutdown(): void {
    this.scheduler.stop();
    this.running.clear();
  }
}
