// Composition of the HTTP server: one Fastify instance with the error handlers, the protocol
// endpoints and the native API. Everything it uses is passed in (no module-level singletons).
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { apiV1Routes } from '../api/v1/index.js';
import { dropProjectSeries, sweepDeletedProjects } from './project-cleanup.js';
import { alertingApiRoutes } from '../api/v1/alerting.js';
import { metricsApiRoutes } from '../api/v1/metrics.js';
import type { AlertAdmin, AlertEngine } from '../alert/index.js';
import { overcRoutes, type OvercReportEvent } from '../ingest/overc-routes.js';
import type { OkerrRepo } from '../ingest/okerr-repo.js';
import { okerrRoutes } from '../ingest/okerr-routes.js';
import { openTsdbRoutes } from '../ingest/opentsdb-routes.js';
import { OpenTsdbParserPool } from '../ingest/opentsdb-parser-pool.js';
import { storeOvercPerfdata } from '../ingest/samples-overc.js';
import { oddEyeRoutes } from '../ingest/oddeye-routes.js';
import type { OddEyeSettings } from '../ingest/oddeye-config.js';
import type { SeriesQuota } from '../ingest/quota.js';
import { okerrRepoFor } from '../store/sqlite/okerr.js';
import { attachMetricRules } from '../rules/wiring.js';
import type { Tsdb } from '../tsdb/index.js';
import type { Store } from '../store/types.js';
import { MemoryLiveEvents, type LiveEvents } from '../live/events.js';
import { publishChecks } from '../live/publish.js';
import { liveSampleSink } from '../live/samples.js';
import { isLiveStore } from '../live/store.js';
import { registerWebUi } from '../web-server/index.js';
import type { Clock } from '../util/clock.js';
import { OverseeError } from '../errors.js';
import { installErrorHandlers } from './error-handler.js';
import { registerSelfMetricsRoute } from './metrics-route.js';
import type { SelfMetrics } from './self-metrics.js';

/** Most often OpenTSDB puts publish live samples (ms): charts redraw within a second, events stay few. */
export const OPENTSDB_LIVE_EVERY_MS = 250;

/** Everything the HTTP server is built from. */
export interface AppDeps {
  store: Store;
  metrics: SelfMetrics;
  clock: Clock;
  /** A pino logger, or false for none (tests). */
  logger: FastifyBaseLogger | false;
  /** Largest accepted request body in bytes; larger ones get 413. */
  bodyLimit: number;
  /** Trust X-Forwarded-For from a reverse proxy when recording client addresses. */
  trustProxy?: boolean;
  /** Called after each stored OverC status report. */
  onOvercReport?: (event: OvercReportEvent) => void;
  /** The time-series store (null/absent: metrics are refused and metric queries are not served). */
  tsdb?: Tsdb | null;
  /** Live-event bus for the dashboard (default: in-process). */
  live?: LiveEvents;
  /** Directory of the built web app (default: found next to the server; null: a "not built" notice). */
  webRoot?: string | null;
  /** okerr settings and indicator state (default: tables in the SQLite store; no okerr routes on other stores yet). */
  okerr?: OkerrRepo;
  /** Alerting administration (and the engine, for channel tests): the /api/v1 alerting routes are served when given. */
  alerting?: { admin: AlertAdmin; engine: AlertEngine | null };
  /** OpenTSDB parser threads (`[metrics] threads`; 0: parse inline; default: by the CPUs). */
  parserThreads?: number;
  /** `[oddeye]` settings (default: silent series watched after 3 min). */
  oddeye?: OddEyeSettings;
  /** The server's one series quota (`[limits]`), shared with the statsd/Graphite listeners; none = unlimited. */
  quota?: SeriesQuota | null;
}

/** Builds (but does not start) the HTTP server. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    bodyLimit: deps.bodyLimit,
    trustProxy: deps.trustProxy ?? false,
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  installErrorHandlers(app, deps.bodyLimit);
  // Before any plugin: its onResponse hook must be copied into every child context.
  registerSelfMetricsRoute(app, deps.metrics);

  const project = await deps.store.projects.getByName('default');
  if (!project) throw new Error('the default project is missing from the store');

  const live = deps.live ?? new MemoryLiveEvents();
  await app.register(overcRoutes, {
    store: deps.store, clock: deps.clock, metrics: deps.metrics, projectId: project.id,
    onReport: async (event) => {
      deps.onOvercReport?.(event);
      // A store wrapped by withLiveEvents (src/live/store.ts) publishes every report itself.
      if (!isLiveStore(deps.store)) publishChecks(live, deps.store, event.services.map((s) => s.checkId), event.services.map((s) => s.flip)).catch((err: unknown) => app.log.error({ err }, 'live: publishing checks failed'));
      if (deps.tsdb && event.services.some((s) => s.metrics.length > 0)) {
        // Awaited: perfdata samples are durable before the client gets its 200. If they cannot be
        // stored the client gets 503 and retries (its states are already stored; a repeat is harmless).
        try {
          await storeOvercPerfdata(liveSampleSink(deps.tsdb, live), project.id, event);
        } catch (err) {
          app.log.error({ err }, 'perfdata: storing samples failed');
          throw new OverseeError('OVS_ERR_UNAVAILABLE', 'the states were stored but their perfdata samples could not be; retry');
        }
      }
    },
  });

  const okerr = deps.okerr ?? okerrRepoFor(deps.store);
  if (okerr) await app.register(okerrRoutes, { store: deps.store, okerr, clock: deps.clock, metrics: deps.metrics });
  // OddEye samples go through the live sink: committed samples also reach open charts within a second.
  const samples = deps.tsdb ? liveSampleSink(deps.tsdb, live) : null;
  const quota = deps.tsdb ? deps.quota ?? null : null;
  await app.register(oddEyeRoutes, {
    store: deps.store, clock: deps.clock, metrics: deps.metrics, samples, quota,
    ...(deps.oddeye ? { silentAfterMs: deps.oddeye.silentAfterMs } : {}),
  });
  if (deps.tsdb) {
    // OpenTSDB puts stream live too. The live sink keeps appendColumns and appendKeyed (the fast
    // path: a known series costs a few array reads, no allocation) and publishes at most every
    // 250 ms, the latest sample per series, so a high put rate does not become as many events.
    const putSamples = liveSampleSink(deps.tsdb, live, { publishEveryMs: OPENTSDB_LIVE_EVERY_MS });
    await app.register(openTsdbRoutes, {
      metrics: deps.metrics, samples: putSamples, projectId: project.id, maxInflatedBytes: deps.bodyLimit * 16, quota: quota && { quota, project },
      ...(deps.parserThreads !== undefined ? { parsers: deps.parserThreads > 0 ? new OpenTsdbParserPool(deps.parserThreads) : null } : {}),
    });
  }

  // Sessions (dashboard users) authenticate /api/v1 like API tokens do.
  const web = await registerWebUi(app, { store: deps.store, clock: deps.clock, live, ...(deps.webRoot !== undefined ? { webRoot: deps.webRoot } : {}) });
  const principal = web.auth.principal.bind(web.auth);
  const tsdb = deps.tsdb ?? null;
  await app.register(apiV1Routes, {
    prefix: '/api/v1', store: deps.store, clock: deps.clock, metrics: deps.metrics, principal,
    ...(tsdb ? { onProjectDeleted: (id: number) => { void dropProjectSeries(tsdb, id, app.log); } } : {}),
  });
  if (tsdb) void sweepDeletedProjects(deps.store, tsdb, app.log).catch((err: unknown) => { app.log.error({ err }, 'sweeping deleted projects failed'); });
  const rules = attachMetricRules(app, { store: deps.store, tsdb: deps.tsdb ?? null, clock: deps.clock });
  await app.register(metricsApiRoutes, { prefix: '/api/v1', store: deps.store, clock: deps.clock, metrics: deps.metrics, okerr: okerr ?? null, tsdb: deps.tsdb ?? null, rules, quota, principal });
  if (deps.alerting) {
    await app.register(alertingApiRoutes, { prefix: '/api/v1', store: deps.store, clock: deps.clock, metrics: deps.metrics, ...deps.alerting, principal });
  }

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    try {
      await deps.store.projects.get(project.id);
      return { status: 'ready' };
    } catch {
      return reply.code(503).send({ status: 'unavailable' });
    }
  });
  return app;
}
