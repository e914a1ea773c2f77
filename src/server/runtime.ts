// The long-running parts of a server beside HTTP: the time-series store, the alert engine and its
// admin, and the statsd/Graphite listeners. startServer opens them around the HTTP app.
import { AlertAdmin, AlertEngine, parseAlertingConfig, type AlertingConfig } from '../alert/index.js';
import type { ServerConfig } from '../config/index.js';
import { startMetricListeners, type MetricListeners } from '../ingest/metric-listeners.js';
import type { SqliteStore } from '../store/sqlite/index.js';
import { openSqliteAlertStore } from '../store/sqlite/alerting.js';
import { openSqliteTsdbStorage } from '../store/sqlite/tsdb-storage.js';
import { Tsdb } from '../tsdb/index.js';
import type { Clock } from '../util/clock.js';
import type { SelfMetrics } from './self-metrics.js';

/** The logger the runtime needs (pino satisfies it). */
export interface RuntimeLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Opened runtime parts; `appDeps` goes into buildApp. */
export interface Runtime {
  tsdb: Tsdb;
  alerting: { admin: AlertAdmin; engine: AlertEngine };
  /** Starts what must only run once the HTTP server listens: the alert engine and the metric listeners. */
  start(projectId: number): Promise<void>;
  /** Stops listeners and the engine (deliveries in flight finish), then closes the tsdb. Idempotent. */
  close(): Promise<void>;
}

/** Validates the alerting sections of the config file; throws ConfigError naming the key. Call before opening anything. */
export function alertingConfigOf(config: ServerConfig): AlertingConfig {
  return parseAlertingConfig(config.raw);
}

/**
 * Opens the runtime on the embedded store:
 * 1. the tsdb on the same SQLite file (one backup file), with its maintenance timer;
 * 2. the alert store, the admin (config channels/routes/silences applied) and the engine (not started yet).
 */
export async function openRuntime(
  config: ServerConfig, alerting: AlertingConfig, store: SqliteStore,
  deps: { clock: Clock; logger: RuntimeLogger; metrics: SelfMetrics },
): Promise<Runtime> {
  const { clock, logger, metrics } = deps;
  const tsdb = await Tsdb.open({
    storage: openSqliteTsdbStorage({ db: store.db }), clock,
    onError: (err, what) => logger.error({ err }, `tsdb: ${what} failed`),
  });
  let listeners: MetricListeners | null = null;
  try {
    tsdb.startMaintenance();
    const alertStore = openSqliteAlertStore(store);
    const admin = new AlertAdmin({ store, alertStore, clock, reminderIntervalMs: alerting.settings.reminderIntervalMs });
    await admin.applyConfig(alerting);
    const eng = new AlertEngine({ store, alertStore, clock, logger, settings: alerting.settings });
    let closing: Promise<void> | null = null;
    return {
      tsdb,
      alerting: { admin, engine: eng },
      async start(projectId) {
        eng.start();
        listeners = await startMetricListeners({
          host: config.host, statsdPort: config.statsdPort, graphitePort: config.graphitePort, projectId, samples: tsdb, clock, metrics,
          onError: (err, what) => logger.error({ err }, `metric listener: ${what} failed`),
        });
        const ports = { statsd: listeners.statsd?.port ?? null, graphite: listeners.graphite?.port ?? null };
        logger.info({ host: config.host, ...ports }, 'metric listeners started');
      },
      close() {
        closing ??= (async () => {
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
