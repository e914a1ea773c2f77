// Composition root of `oversee serve`: config → store → admin token → app → listen → retention
// timer, and the matching graceful shutdown. stdout carries only the token line and the listening
// line (scripts and tests read them); the pino log goes to stderr.
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import type { Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import { ensureAdminToken } from '../api/auth.js';
import type { ServerConfig } from '../config/index.js';
import { parseOddEyeConfig } from '../ingest/oddeye-config.js';
import { parseLimitsConfig, SeriesQuota } from '../ingest/quota.js';
import { configProjectRefs, warnUnknownConfigProjects } from './config-project-names.js';
import type { Store } from '../store/types.js';
import { systemClock } from '../util/clock.js';
import type { Clock } from '../util/clock.js';
import { buildApp } from './app.js';
import { alertingConfigOf, openBackend, openRuntime, type Runtime } from './runtime.js';
import { createSelfMetrics } from './self-metrics.js';

/** How often state-report history is pruned. */
export const RETENTION_INTERVAL_MS = 60 * 60 * 1000;

const DAY_MS = 24 * 60 * 60 * 1000;

/** Optional collaborators of startServer; production uses the defaults. */
export interface StartOptions {
  /** Defaults to a pino logger on stderr at config.logLevel. */
  logger?: Logger;
  /** Receives the stdout lines (token, listening); defaults to process.stdout. */
  print?: (line: string) => void;
  clock?: Clock;
}

/** A listening server. */
export interface RunningServer {
  /** Base URL with the actual port, e.g. http://127.0.0.1:5000. */
  url: string;
  app: FastifyInstance;
  store: Store;
  logger: Logger;
  /** Stops accepting, lets requests in flight finish, flushes and closes the store. Idempotent. */
  close(): Promise<void>;
}

/** Creates the default logger: JSON lines on stderr (fd 2), written synchronously so nothing is lost on exit. */
export function createLogger(level: ServerConfig['logLevel']): Logger {
  return pino({ level, base: { pid: process.pid } }, pino.destination({ dest: 2, sync: true }));
}

/** Formats the base URL for a listen host and port (IPv6 in brackets). */
export function listenUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * Starts the server described by `config`:
 * 1. creates the data directory and opens (migrates) the store — the SQLite file, or PostgreSQL with
 *    its live events — which ensures the default project;
 * 2. on first start creates an admin API token and prints it once;
 * 3. builds the app and listens, then prints `Oversee listening on <url>`;
 * 4. prunes state-report history now and hourly (timer unref'd).
 */
export async function startServer(config: ServerConfig, opts: StartOptions = {}): Promise<RunningServer> {
  const logger = opts.logger ?? createLogger(config.logLevel);
  const print = opts.print ?? ((line: string) => { process.stdout.write(`${line}\n`); });
  const clock = opts.clock ?? systemClock;

  const alerting = alertingConfigOf(config);
  const oddeye = parseOddEyeConfig(config.raw.oddeye);
  const limits = parseLimitsConfig(config.raw.limits);
  await mkdir(config.data, { recursive: true });
  const metrics = createSelfMetrics();
  const backend = await openBackend(config, { observer: metrics.storeObserver, logger });
  const store = backend.store;
  let app: FastifyInstance | null = null;
  let runtime: Runtime | null = null;
  try {
    await warnUnknownConfigProjects(store, configProjectRefs(limits, alerting), logger);
    const adminToken = await ensureAdminToken(store, clock);
    if (adminToken !== null) print(`Admin API token (shown once): ${adminToken}`);
    runtime = await openRuntime(config, alerting, backend, { clock, logger, metrics });
    const engine = runtime.alerting.engine;
    // One count of series per project for every protocol (HTTP routes and statsd/Graphite listeners).
    const quota = new SeriesQuota(limits, runtime.tsdb, clock);
    app = await buildApp({
      store, metrics, ...(backend.live ? { live: backend.live } : {}), clock, logger, bodyLimit: config.bodyLimit, trustProxy: config.trustProxy, tsdb: runtime.tsdb, parserThreads: runtime.threads.parsers, alerting: runtime.alerting, oddeye, quota,
      // New flips are picked up by the engine's next pass anyway (≤ 1 s); a kick makes it immediate.
      onOvercReport: () => engine.kick(),
    });
    await app.listen({ host: config.host, port: config.port });
    const project = await store.projects.getByName('default');
    if (!project) throw new Error('the default project is missing from the store');
    await runtime.start(project, quota);
  } catch (err) {
    await app?.close().catch(() => undefined);
    await runtime?.close().catch(() => undefined);
    await backend.close();
    throw err;
  }
  const rt = runtime;
  const listening = app;
  const port = (listening.server.address() as AddressInfo).port;
  const url = listenUrl(config.host, port);
  logger.info({ url, data: config.data, store: config.store.path, node: backend.nodeId, configFile: config.configFile, origins: config.origins }, 'Oversee started');
  print(`Oversee listening on ${url}`);

  const retention = startRetention(store, config.historyRetentionDays, clock, logger);
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await retention.stop();
      // Keep-alive connections become idle once their request in flight is answered; close them as
      // they do, instead of waiting for each client to hang up (Fastify only closes the idle ones it
      // sees when close() begins).
      const sweeper = setInterval(() => listening.server.closeIdleConnections(), 50);
      try {
        await listening.close();
      } finally {
        clearInterval(sweeper);
      }
      await rt.close();
      await backend.close();
      logger.info('Oversee stopped');
    })();
    return closing;
  };
  return { url, app: listening, store, logger, close };
}

/** Prunes old state reports at once and then every RETENTION_INTERVAL_MS; `stop` waits for a run in progress. */
function startRetention(store: Store, days: number, clock: Clock, logger: Logger): { stop(): Promise<void> } {
  if (days === 0) return { stop: async () => undefined };
  let running: Promise<void> = Promise.resolve();
  const prune = (): void => {
    running = running.then(async () => {
      try {
        const removed = await store.maintenance.pruneStateReports(clock.now() - days * DAY_MS);
        if (removed > 0) logger.info({ removed, days }, 'pruned old state reports');
      } catch (err) {
        logger.error({ err }, 'pruning state reports failed');
      }
    });
  };
  prune();
  const timer = setInterval(prune, RETENTION_INTERVAL_MS);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}

/** Options of installShutdownHandlers. */
export interface ShutdownOptions {
  /** After this long, open connections are cut and the process exits 1 (default 10 s). */
  graceMs?: number;
  /** Called with the exit code when shutdown is over (default: sets process.exitCode). */
  onExit?: (code: number) => void;
}

/**
 * Makes SIGINT and SIGTERM shut the server down gracefully (exit code 0); a second signal, or a
 * shutdown taking longer than the grace period, exits with 1 at once. Returns a promise of the exit code.
 */
export function installShutdownHandlers(server: RunningServer, opts: ShutdownOptions = {}): Promise<number> {
  const graceMs = opts.graceMs ?? 10_000;
  const logger = server.logger;
  return new Promise<number>((resolveExit) => {
    let shuttingDown = false;
    const finish = (code: number): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      (opts.onExit ?? ((c: number) => { process.exitCode = c; }))(code);
      resolveExit(code);
    };
    const onSignal = (signal: NodeJS.Signals): void => {
      if (shuttingDown) {
        logger.warn({ signal }, 'second signal during shutdown: exiting now');
        process.exit(1);
      }
      shuttingDown = true;
      logger.info({ signal }, 'shutting down: finishing requests in flight');
      const force = setTimeout(() => {
        logger.error({ graceMs }, 'shutdown took too long: closing connections');
        server.app.server.closeAllConnections();
        process.exit(1);
      }, graceMs);
      force.unref();
      server.close().then(
        () => { clearTimeout(force); finish(0); },
        (err: unknown) => { clearTimeout(force); logger.error({ err }, 'shutdown failed'); finish(1); },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
