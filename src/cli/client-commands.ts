// overcli-compatible client commands: `ping`, `service-status PERIOD NAME STATE [INFO]`,
// `alert [--service S] MSG` and `monitor config.ini` (PROTOCOLS.md §1). Server and host identity
// come from the program's -s/-i options, else OVERSEE_SERVER / OVERSEE_SERVER_ID, else (monitor
// only) the config file's [overc] section.
import type { Command } from 'commander';
import { OvercClient, OverseeClientError, parseServerId } from '../client/index.js';
import { IniMonitorError, type IniMonitorConfig } from '../protocols/ini-monitor.js';
import { loadMonitorConfig, MonitorRunner } from '../agent/monitor-runner.js';
import { Outbox } from '../agent/outbox.js';
import { overcDeliver } from '../agent/reporter.js';
import { createLogger } from '../agent/logger.js';
import { systemTimers } from '../agent/timers.js';
import { monitorStateDir } from '../agent/state-dir.js';
import { CliError } from './main.js';

interface Connection { url: string; name: string; key: string }

/** Resolves server URL and `name:key` (flag > env > [overc] section); throws CliError when missing. */
export function resolveConnection(program: Command, env: NodeJS.ProcessEnv, fileSection?: IniMonitorConfig['overc']): Connection {
  const opts = program.opts<{ server?: string; serverId?: string }>();
  const url = opts.server ?? env['OVERSEE_SERVER'] ?? fileSection?.server;
  if (url === undefined || url === '') throw new CliError('no server URL: pass -s URL (or set OVERSEE_SERVER)');
  const id = opts.serverId ?? env['OVERSEE_SERVER_ID'];
  if (id !== undefined && id !== '') {
    try {
      return { url, ...parseServerId(id) };
    } catch (err) {
      throw new CliError((err as Error).message);
    }
  }
  if (fileSection?.name !== undefined && fileSection.key !== undefined) return { url, name: fileSection.name, key: fileSection.key };
  throw new CliError('no host identification: pass -i name:key (or set OVERSEE_SERVER_ID)');
}

function client(conn: Connection): OvercClient {
  try {
    return new OvercClient({ url: conn.url, name: conn.name, key: conn.key });
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}

async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof OverseeClientError) throw new CliError(`${what} failed: ${err.message}`);
    throw err;
  }
}

function parsePeriod(raw: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n <= 0) throw new CliError(`PERIOD must be a positive number of seconds, got ${JSON.stringify(raw)}`);
  return n;
}

/** Adds this group's commands to the program. */
export function registerClientCommands(program: Command): void {
  program
    .command('ping')
    .description('check the connection and the host key (POST /api/ping)')
    .action(async () => {
      const conn = resolveConnection(program, process.env);
      const answer = await call('ping', () => client(conn).ping());
      console.log(`pong from ${conn.url} as ${conn.name}: ${JSON.stringify(answer)}`);
    });

  program
    .command('service-status')
    .description("report one service's state: OK, WARN, ERR (or FAIL), UNK")
    .argument('<period>', 'seconds until the next report is due')
    .argument('<name>', 'service name')
    .argument('<state>', 'OK | WARN | ERR | FAIL | UNK (other strings are stored as UNK by the server)')
    .argument('[info]', 'free text', '')
    .action(async (periodRaw: string, name: string, state: string, info: string) => {
      const period = parsePeriod(periodRaw);
      const conn = resolveConnection(program, process.env);
      const upper = state.toUpperCase();
      const sent = ['OK', 'WARN', 'ERR', 'FAIL', 'UNK'].includes(upper) ? upper : state;
      await call('service-status', () => client(conn).reportServices(period, [{ name, state: sent as 'OK', info }]));
      console.log(`reported ${conn.name}/${name} = ${sent} (period ${period} s) to ${conn.url}`);
    });

  program
    .command('alert')
    .description('raise an alert, optionally about one service')
    .option('--service <name>', 'the service the alert is about')
    .argument('<message>', 'alert text')
    .action(async (message: string, opts: { service?: string }) => {
      const conn = resolveConnection(program, process.env);
      await call('alert', () => client(conn).sendAlerts([{ message, ...(opts.service ? { service: opts.service } : {}) }]));
      console.log(`alert sent to ${conn.url} as ${conn.name}${opts.service ? ` for ${opts.service}` : ''}`);
    });

  program
    .command('monitor')
    .description('run the commands of an overcli config.ini on their periods and report their states (through a durable outbox)')
    .argument('<config>', 'INI file with [service:NAME] sections (period, command, max-lag) and optional [overc]')
    .option('--state-dir <dir>', 'where queued reports are kept (default ~/.local/state/oversee/monitor-<hash>)')
    .option('--once', 'run every service once, deliver, and exit (non-zero when reports stay queued)')
    .option('--wait <seconds>', 'with --once: how long to wait for delivery', '30')
    .option('--retry-max <seconds>', 'longest wait between delivery retries while the server is down', '30')
    .option('-v, --verbose', 'log every check')
    .action(async (configPath: string, opts: MonitorOptions) => {
      await runMonitor(program, configPath, opts);
    });
}

interface MonitorOptions { stateDir?: string; once?: boolean; wait: string; retryMax: string; verbose?: boolean }

async function runMonitor(program: Command, configPath: string, opts: MonitorOptions): Promise<void> {
  // 1. Config and connection; a bad config at start stops with a message naming file, line, key.
  let config: IniMonitorConfig;
  try {
    config = loadMonitorConfig(configPath);
  } catch (err) {
    if (err instanceof IniMonitorError) throw new CliError(err.message, 2);
    throw new CliError(`cannot read ${configPath}: ${(err as Error).message}`, 2);
  }
  if (config.services.length === 0) throw new CliError(`${configPath}: no [service:NAME] sections`, 2);
  const conn = resolveConnection(program, process.env, config.overc);
  const logger = createLogger(opts.verbose ? 'debug' : 'info');
  const timers = systemTimers();
  // 2. Outbox and runner.
  const retryMax = Number(opts.retryMax);
  if (!Number.isFinite(retryMax) || retryMax <= 0) throw new CliError(`--retry-max must be a positive number of seconds, got ${JSON.stringify(opts.retryMax)}`, 2);
  const outbox = new Outbox({ dir: opts.stateDir ?? monitorStateDir(configPath), timers, logger, syncDelayMs: 200, batchDelayMs: 500, maxBackoffMs: retryMax * 1000, minBackoffMs: Math.min(1000, retryMax * 1000) });
  outbox.open();
  outbox.start(overcDeliver(client(conn), logger));
  const runner = new MonitorRunner({ configPath, outbox, timers, logger, watchIntervalMs: opts.once ? 0 : 2000 });
  logger.info(`monitoring ${config.services.length} services from ${configPath}, reporting to ${conn.url} as ${conn.name}`);
  runner.start(config);
  // 3. --once: wait for one run of each and for delivery; else run until a signal.
  if (opts.once) {
    const waitMs = Number(opts.wait) * 1000;
    const deadline = Date.now() + (Number.isFinite(waitMs) ? waitMs : 30_000);
    while (runner.runs < config.services.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    runner.stop();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const drained = await Promise.race([
      outbox.drained().then(() => true),
      new Promise<boolean>((r) => { timer = setTimeout(() => r(false), Math.max(0, deadline - Date.now())); }),
    ]);
    clearTimeout(timer);
    const queued = outbox.stats.queued;
    await outbox.close();
    if (!drained) throw new CliError(`${queued} reports could not be delivered to ${conn.url} yet; they are kept in the outbox and sent by the next run`);
    console.log(`reported ${config.services.length} services to ${conn.url} as ${conn.name}`);
    return;
  }
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  runner.stop();
  await outbox.close();
  logger.info('monitor stopped', { queued: outbox.stats.queued });
}
