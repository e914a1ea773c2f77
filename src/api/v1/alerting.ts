// The alerting side of the native API as its own Fastify plugin under /api/v1 (same authentication and
// error shape as apiV1Routes, separate encapsulation like metricsApiRoutes): channels, routes,
// silences, acknowledgement, reduction, the alert feed and the delivery log. Everything goes through
// AlertAdmin (which validates and names the field); this layer adds roles, project scope and redaction.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AlertAdmin, AlertEngine } from '../../alert/index.js';
import type { SelfMetrics } from '../../server/self-metrics.js';
import type { Store } from '../../store/types.js';
import type { Clock } from '../../util/clock.js';
import type { Principal } from '../auth.js';
import { alertingCheckRoutes } from './alerting-checks.js';
import { alertingConfigRoutes } from './alerting-config.js';
import type { AlertingContext } from './alerting-context.js';
import { installApiPlumbing } from './plumbing.js';

/** What the composition root passes to alertingApiRoutes. */
export interface AlertingApiOptions {
  store: Store;
  clock: Clock;
  metrics: SelfMetrics;
  admin: AlertAdmin;
  /** Sends channel tests; without it POST /channels/:name/test is not served. */
  engine: AlertEngine | null;
  /** Finds the caller (e.g. bearer token or session cookie); null = no credentials (401). Default: bearer token only. */
  principal?: (request: FastifyRequest) => Promise<Principal | null>;
}

/**
 * Fastify plugin; register with `{ prefix: '/api/v1', store, clock, metrics, admin, engine }`.
 * 1. Error formatting as in apiV1Routes.
 * 2. An onRequest hook that authenticates every request (401 otherwise), and a preValidation hook that
 *    refuses unknown query and body fields.
 * 3. The channel/route routes and the silence/check/feed routes.
 */
export async function alertingApiRoutes(app: FastifyInstance, opts: AlertingApiOptions): Promise<void> {
  const ctx: AlertingContext = {
    ...installApiPlumbing(app, { store: opts.store, clock: opts.clock, ...(opts.principal ? { principal: opts.principal } : {}) }),
    admin: opts.admin,
    engine: opts.engine,
  };

  alertingConfigRoutes(app, ctx);
  alertingCheckRoutes(app, ctx);
}
