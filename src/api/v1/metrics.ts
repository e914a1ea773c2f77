// The metric side of the native API as its own Fastify plugin, registered under /api/v1 beside
// apiV1Routes (same bearer-token authentication and error shape, separate encapsulation): the Severe
// okerr settings and — when a time-series store is given — samples and queries.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { OkerrRepo } from '../../ingest/okerr-repo.js';
import { okerrSettingsRoutes } from '../../ingest/okerr-settings-routes.js';
import type { SeriesQuota } from '../../ingest/quota.js';
import type { SampleSink } from '../../ingest/samples.js';
import { samplesRoutes } from '../../ingest/samples-routes.js';
import { ruleRoutes } from '../../rules/routes.js';
import type { RuleRepo } from '../../rules/types.js';
import type { SelfMetrics } from '../../server/self-metrics.js';
import type { Store } from '../../store/types.js';
import type { Clock } from '../../util/clock.js';
import type { Principal } from '../auth.js';
import type { ApiContext } from './context.js';
import { installApiPlumbing } from './plumbing.js';
import { metricsQueryRoutes, type MetricsReader } from './metrics-query.js';

/** What the composition root passes to metricsApiRoutes. */
export interface MetricsApiOptions {
  store: Store;
  clock: Clock;
  metrics: SelfMetrics;
  /** okerr settings routes are served when given. */
  okerr: OkerrRepo | null;
  /** The time-series store: samples and query routes are served when given. */
  tsdb: (MetricsReader & SampleSink) | null;
  /** Metric rules: the /rules routes are served when given. */
  rules?: RuleRepo | null;
  /** Series limits per project for POST /samples (default: none). */
  quota?: SeriesQuota | null;
  /** Finds the caller (e.g. bearer token or session cookie); null = no credentials (401). Default: bearer token only. */
  principal?: (request: FastifyRequest) => Promise<Principal | null>;
}

/** Fastify plugin; register with `{ prefix: '/api/v1', … }`. Every route needs an API token. */
export async function metricsApiRoutes(app: FastifyInstance, opts: MetricsApiOptions): Promise<void> {
  const ctx: ApiContext = installApiPlumbing(app, { store: opts.store, clock: opts.clock, ...(opts.principal ? { principal: opts.principal } : {}) });

  if (opts.okerr !== null) okerrSettingsRoutes(app, ctx, opts.okerr);
  if (opts.tsdb !== null) {
    metricsQueryRoutes(app, ctx, opts.tsdb);
    samplesRoutes(app, ctx, opts.tsdb, opts.quota ?? null);
  }
  if (opts.rules) ruleRoutes(app, ctx, opts.rules);
}
