// overcli `monitor config.ini`: runs each service's command every period×0.8 − max-lag (so the report
// arrives before the server's deadline), due services in parallel, each with a timeout and never
// overlapping itself; reports go through the durable outbox. The runner's own fatal errors
// (a command that cannot be started, a config change that breaks the file) become alerts.
import { readFileSync, watchFile, unwatchFile } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseIniMonitorConfig, schedulingIntervalS, type IniMonitorConfig, type IniService } from '../protocols/ini-monitor.js';
import type { Outbox } from './outbox.js';
import type { Logger } from './logger.js';
import type { Timers } from './timers.js';
import { Scheduler } from './scheduler.js';
import { runCommand, type CommandSpec, type RunOptions, type RunResult } from './run-command.js';
import { pluginReport } from './plugin-result.js';

/** Options of a monitor runner. */
export interface MonitorRunnerOptions {
  configPath: string;
  outbox: Outbox;
  timers: Timers;
  logger: Logger;
  /** Command runner (default runCommand). */
  run?: (spec: CommandSpec, opts: RunOptions) => Promise<RunResult>;
  /** How often the config file is checked for changes, ms (default 2 000; 0 = never). */
  watchIntervalMs?: number;
  /** Output kept per run (default 64 KiB). */
  maxOutputBytes?: number;
}

/** Reads and parses a monitor config file (throws IniMonitorError / fs errors). */
export function loadMonitorConfig(path: string): IniMonitorConfig {
  return parseIniMonitorConfig(readFileSync(path, 'utf8'), path);
}

/** The running `monitor` command. */
export class MonitorRunner {
  private readonly opts: MonitorRunnerOptions;
  private readonly scheduler: Scheduler;
  private readonly run: (spec: CommandSpec, opts: RunOptions) => Promise<RunResult>;
  private services = new Map<string, IniService>();
  private lastState = new Map<string, string>();
  private lastFatal = new Map<string, string>();
  private lastConfigError: string | undefined;
  private readonly path: string;
  /** Runs completed (all services). */
  runs = 0;

  constructor(opts: MonitorRunnerOptions) {
    this.opts = opts;
    this.path = resolve(opts.configPath);
    this.run = opts.run ?? runCommand;
    this.scheduler = new Scheduler(opts.timers, (job, err) => this.fatal(`service ${job.id}: ${(err as Error).message}`, job.id));
  }

  /** Starts with an already parsed config (all services run at once), and watches the file. */
  start(config: IniMonitorConfig): void {
    this.apply(config);
    const every = this.opts.watchIntervalMs ?? 2000;
    if (every > 0) watchFile(this.path, { interval: every, persistent: false }, (cur, prev) => {
      if (cur.mtimeMs !== prev.mtimeMs || cur.size !== prev.size) this.reload();
    });
  }

  /** Stops scheduling (runs in progress finish) and the file watch. */
  stop(): void {
    this.scheduler.stop();
    unwatchFile(this.path);
  }

  /** Names of the scheduled services. */
  serviceNames(): string[] {
    return [...this.services.keys()];
  }

  /** Re-reads the config; a broken file raises an alert and keeps the previous services. */
  reload(): void {
    let config: IniMonitorConfig;
    try {
      config = loadMonitorConfig(this.path);
    } catch (err) {
      const msg = `config ${this.path} is broken, still running the previous one: ${(err as Error).message}`;
      if (msg !== this.lastConfigError) this.fatal(msg);
      this.lastConfigError = msg;
      return;
    }
    this.lastConfigError = undefined;
    this.opts.logger.info('config reloaded', { file: this.path, services: config.services.length });
    this.apply(config);
  }

  private apply(config: IniMonitorConfig): void {
    const next = new Map(config.services.map((s) => [s.name, s]));
    for (const name of this.services.keys()) {
      if (!next.has(name)) { this.scheduler.remove(name); this.opts.logger.info('service removed', { service: name }); }
    }
    for (const [name, svc] of next) {
      const old = this.services.get(name);
      if (old && old.command === svc.command && old.period === svc.period && old.maxLag === svc.maxLag && old.timeout === svc.timeout) continue;
      const intervalMs = schedulingIntervalS(svc) * 1000;
      this.scheduler.add({ id: name, intervalMs, run: () => this.runService(name) });
    }
    this.services = next;
  }

  /** Runs one service now and queues its report. */
  async runService(name: string): Promise<void> {
    const svc = this.services.get(name);
    if (!svc) return;
    const timeoutS = svc.timeout ?? schedulingIntervalS(svc);
    const result = await this.run({ shell: svc.command }, {
      timeoutMs: timeoutS * 1000, cwd: dirname(this.path), maxOutputBytes: this.opts.maxOutputBytes,
    });
    const report = pluginReport(result, timeoutS);
    const prev = this.lastState.get(name);
    this.lastState.set(name, report.state);
    this.opts.outbox.enqueue({
      kind: 'status',
      change: prev !== report.state,
      service: { name, state: report.state, info: report.info, period: svc.period, ...(report.metrics.length > 0 ? { metrics: report.metrics } : {}) },
    });
    this.runs++;
    this.opts.logger.debug('service checked', { service: name, state: report.state, ms: result.durationMs });
    // A command that cannot be started is the monitor's own fatal error: alert once per new cause.
    if (report.fatal !== undefined) {
      if (this.lastFatal.get(name) !== report.fatal) this.fatal(`service ${name}: ${report.fatal}`, name);
      this.lastFatal.set(name, report.fatal);
    } else {
      this.lastFatal.delete(name);
    }
  }

  private fatal(message: string, service?: string): void {
    this.opts.logger.error(message);
    this.opts.outbox.enqueue({ kind: 'alert', alert: { message, ...(service !== undefined ? { service } : {}) } });
  }
}
