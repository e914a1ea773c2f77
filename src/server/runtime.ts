// The long-running parts of a server beside HTTP: the store backend (SQLite file or PostgreSQL
// schema), the time-series store, the alert engine and its admin, live events and the
// statsd/Graphite listeners. startServer opens them around the HTTP app.
import { availableParallelism, hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { AlertAdmin, AlertEngine, parseAlertingConfig, type AlertingConfig } from '../alert/index.js';
import type { AlertStore } from '../alert/store-types.js';
import type { ServerConfig } from '../config/index.js';
import { metricsThreads, type MetricsThreads } from '../config/metrics.js';
import { startMetricListeners, type MetricListeners } from '../ingest/metric-listeners.js';
import type { QuotaProject, SeriesQuota } from '../ingest/quota.js';
import { MemoryLiveEvents, type LiveEvents } from '../live/events.js';
import { withLiveEvents } from '../live/store.js';
import { openPostgresAlertStore } from '../store/postgres/alerting.js';
import { openPostgresStore, type PostgresStore } from '../store/postgres/index.js';
import { openPostgresLiveEvents, type PgLiveEvents } from '../store/postgres/live-events.js';
import { withPgLiveEvents } from '../store/postgres/live-store.js';
import { openPostgresTsdbStorage } from '../store/postgres/tsdb-storage.js';
import { ThreadChunkEncoder } from '../tsdb/chunk-encoder.js';
import { openSharedTsdbStorage, SAMPLE_SLOT_MODULUS_MS, type SharedTsdbStorage } from '../store/postgres/tsdb-shared.js';
import type { SqliteStore } from '../store/sqlite/index.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { openSqliteAlertStore } from '../store/sqlite/alerting.js';
import { openSqliteTsdbStorage } from '../store/sqlite/tsdb-storage.js';
import type { Store, StoreObserver } from '../store/types.js';
import { Tsdb } from '../tsdb/index.js';
import type { TsdbStorage } from '../tsdb/storage.js';
import type { Clock } from '../util/clock.js';
import type { SelfMetrics } from './self-metrics.js';

/** The logger the runtime needs (pino satisfies it). */
export interface RuntimeLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** How often a node on PostgreSQL turns its tsdb head into chunks (bounds the WAL other nodes' queries read). */
export const SHARED_CHECKPOINT_INTERVAL_MS = 10_000;
/** WAL samples after which a node on PostgreSQL checkpoints at once. */
export const SHARED_CHECKPOINT_SAMPLES = 200_000;
/** How often a node on PostgreSQL records that it is alive. */
export const HEARTBEAT_INTERVAL_MS = 5_000;
/** A node silent this long is dead: another node adopts its tsdb WAL. */
export const NODE_TTL_MS = 30_000;

/** The opened store and what depends on its kind; `close` closes what open made, store last. */
export interface Backend {
  /** The store every part uses (wrapped so that every durable change is published live). */
  store: Store;
  /** The unwrapped store (SQLite: for its file; PostgreSQL: for its pool). */
  raw: SqliteStore | PostgresStore;
  /** Identity of this process in claims and WAL records. */
  nodeId: string;
  /** The live-event bus: in-process on SQLite, LISTEN/NOTIFY across nodes on PostgreSQL. */
  live?: LiveEvents;
  close(): Promise<void>;
}

/** A process-unique node id: host, pid and a random suffix (a restarted process is a new node). */
export function newNodeId(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/**
 * Opens the store named by config.store: the SQLite file, or the PostgreSQL schema (migrated under
 * an advisory lock, so nodes starting together migrate once) with its LISTEN/NOTIFY live events.
 */
export async function openBackend(config: ServerConfig, deps: { observer: StoreObserver; logger: RuntimeLogger }): Promise<Backend> {
  const nodeId = newNodeId();
  const loc = config.store;
  if (loc.kind === 'sqlite') {
    const store = await openSqliteStore({ path: loc.path, observer: deps.observer });
    // Every durable change, whatever the protocol (OddEye, okerr, expiry, rules, deletes), reaches open pages.
    const live = new MemoryLiveEvents();
    const wrapped = withLiveEvents(store, live, (err) => deps.logger.error({ err }, 'live: publishing failed'));
    return { store: wrapped, raw: store, nodeId, live, close: () => store.close() };
  }
  const store = await openPostgresStore({
    url: loc.url, schema: loc.schema, poolSize: loc.poolSize, observer: deps.observer, applicationName: `oversee ${nodeId}`,
    onIdleError: (err) => deps.logger.warn({ err: err.message }, 'store: an idle PostgreSQL connection failed; it is replaced on next use'),
  });
  let live: PgLiveEvents;
  try {
    live = await openPostgresLiveEvents(store, { onError: (err) => deps.logger.warn({ err }, 'live events: PostgreSQL LISTEN/NOTIFY failed') });
  } catch (err) {
    await store.close();
    throw err;
  }
  const wrapped = withPgLiveEvents(store, live, (err) => deps.logger.error({ err }, 'live: publishing failed'));
  return {
    store: wrapped, raw: store, nodeId, live,
    close: async () => {
      await live.close();
      await store.close();
    },
  };
}

/** Opened runtime parts; `appDeps` goes into buildApp. */
export interface Runtime {
  tsdb: Tsdb;
  /** The metrics threads `[metrics] threads` asks for on this machine (the encoder is the tsdb's; the parsers are for the OpenTSDB route). */
  threads: MetricsThreads;
  alerting: { admin: AlertAdmin; engine: AlertEngine };
  /** Starts what must only run once the HTTP server listens: the alert engine and the metric listeners (for `project`, counted by the server's `quota`). */
  start(project: QuotaProject, quota: SeriesQuota): Promise<void>;
  /** Stops listeners and the engine (deliveries in flight finish), then checkpoints and closes the tsdb. Idempotent. */
  close(): Promise<void>;
}

/** Validates the alerting sections of the config file; throws ConfigError naming the key. Call before opening anything. */
export function alertingConfigOf(config: ServerConfig): AlertingConfig {
  return parseAlertingConfig(config.raw);
}

/** The tsdb storage and alert store of a backend. */
async function backendParts(backend: Backend): Promise<{ storage: TsdbStorage; alertStore: AlertStore; shared: SharedTsdbStorage | null }> {
  const raw = backend.raw;
  if (raw.dialect === 'sqlite') {
    const sqlite = raw as SqliteStore;
    return { storage: openSqliteTsdbStorage({ db: sqlite.db, durable: () => sqlite.durable() }), alertStore: openSqliteAlertStore(sqlite), shared: null };
  }
  const pg = raw as PostgresStore;
  const base = await openPostgresTsdbStorage({ pool: pg.pool, schema: pg.schema, nodeId: backend.nodeId });
  const shared = await openSharedTsdbStorage(base, pg.pool, { nodeId: backend.nodeId, schema: pg.schema });
  return { storage: shared, alertStore: await openPostgresAlertStore(pg), shared };
}

/**
 * The background work of a node on PostgreSQL: a heartbeat every HEARTBEAT_INTERVAL_MS, and every
 * SHARED_CHECKPOINT_INTERVAL_MS a checkpoint and the adoption of dead nodes' WAL. Returns a stop function.
 */
function startSharedTsdbWork(tsdb: Tsdb, shared: SharedTsdbStorage, clock: Clock, logger: RuntimeLogger): () => Promise<void> {
  let running: Promise<void> = Promise.resolve();
  let beats = 0;
  const every = Math.max(1, Math.round(SHARED_CHECKPOINT_INTERVAL_MS / HEARTBEAT_INTERVAL_MS));
  const tick = (): void => {
    running = running.then(async () => {
      try {
        await shared.heartbeat(clock.now());
        if (beats++ % every !== 0) return;
        await tsdb.checkpoint();
        const adopted = await shared.adoptOrphanWal(tsdb, clock.now(), NODE_TTL_MS);
        if (adopted > 0) logger.info({ adopted }, 'tsdb: adopted the WAL samples of a node that stopped without a checkpoint');
      } catch (err) {
        logger.error({ err }, 'tsdb: heartbeat, checkpoint or WAL adoption failed');
      }
    });
  };
  tick();
  const timer = setInterval(tick, HEARTBEAT_INTERVAL_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}

/**
 * Opens the runtime on the backend:
 * 1. the tsdb (SQLite: on the same file; PostgreSQL: shared series ids, this node's WAL, queries that
 *    also read other nodes' WAL, and — once started — heartbeats, a checkpoint every
 *    SHARED_CHECKPOINT_INTERVAL_MS and the adoption of dead nodes' WAL);
 * 2. the alert store, the admin (config channels/routes/silences applied) and the engine (not started yet).
 */
export async function openRuntime(
  config: ServerConfig, alerting: AlertingConfig, backend: Backend,
  deps: { clock: Clock; logger: RuntimeLogger; metrics: SelfMetrics },
): Promise<Runtime> {
  const { clock, logger, metrics } = deps;
  const store = backend.store;
  const { storage, alertStore, shared } = await backendParts(backend);
  const threads = metricsThreads(config.metrics.threads, availableParallelism());
  const tsdb = await Tsdb.open({
    storage, clock, tiers: config.metrics.tiers, ...(shared !== null ? { checkpointSamples: SHARED_CHECKPOINT_SAMPLES } : {}),
    // Checkpoints and compaction encode chunks in a thread, so ingestion keeps this one ([metrics] threads).
    ...(threads.encoder ? { encoder: new ThreadChunkEncoder() } : {}),
    onError: (err, what) => logger.error({ err }, `tsdb: ${what} failed`),
  });
  let listeners: MetricListeners | null = null;
  let stopShared: (() => Promise<void>) | null = null;
  try {
    tsdb.startMaintenance();
    const admin = new AlertAdmin({ store, alertStore, clock, reminderIntervalMs: alerting.settings.reminderIntervalMs });
    await admin.applyConfig(alerting);
    const eng = new AlertEngine({ store, alertStore, clock, logger, settings: alerting.settings, nodeId: backend.nodeId });
    let closing: Promise<void> | null = null;
    return {
      tsdb,
      threads,
      alerting: { admin, engine: eng },
      async start(project, seriesQuota) {
        eng.start();
        // Several nodes: statsd flushes go to this node's own timestamps (its sample slot), never onto another node's.
        const slot = shared !== null && config.statsdPort !== 0 ? await shared.claimSampleSlot(clock.now()) : null;
        if (shared !== null) stopShared = startSharedTsdbWork(tsdb, shared, clock, logger);
        // The project's series limit ([limits]) applies to statsd and Graphite as to the HTTP protocols, on one count.
        const quota = { quota: seriesQuota, project };
        listeners = await startMetricListeners({
          host: config.host, statsdPort: config.statsdPort, graphitePort: config.graphitePort, projectId: project.id, samples: tsdb, clock, metrics, quota,
          ...(slot !== null ? { statsdFlushSlot: { slot, modulusMs: SAMPLE_SLOT_MODULUS_MS } } : {}),
          onError: (err, what) => logger.error({ err }, `metric listener: ${what} failed`),
          onQuotaDrops: (protocol, name, dropped) => logger.warn({ protocol, project: name, dropped }, `${protocol}: samples of new series over the project's series limit dropped`),
        });
        const ports = { statsd: listeners.statsd?.port ?? null, graphite: listeners.graphite?.port ?? null };
        logger.info({ host: config.host, ...ports }, 'metric listeners started');
      },
      close() {
        closing ??= (async () => {
          await stopShared?.();
          await listeners?.close();
          await eng.stop();
          await tsdb.close();
        })();
        return closing;
      },
    };
  } catch (err) {
    await tsdb.close();
    throw err;
  }
}
