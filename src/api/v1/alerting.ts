// The alerting side of the native API as its own Fastify plugin under /api/v1 (same authentication and
// error shape as apiV1Routes, separate encapsulation like metricsApiRoutes): channels, routes,
// silences, acknowledgement, reduction, the alert feed and the delivery log. Everything goes through
// AlertAdmin (which validates and names the field); this layer adds roles, project scope and redaction.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AlertAdmin, AlertEngine } from '../../alert/index.js';
import { OverseeError } from '../../errors.js';
import type { SelfMetrics } from '../../server/self-metrics.js';
import type { Store } from '../../store/types.js';
import type { Clock } from '../../util/clock.js';
import { authenticate, bearerToken, type Principal } from '../auth.js';
import { alertingCheckRoutes } from './alerting-checks.js';
import { alertingConfigRoutes } from './alerting-config.js';
import type { AlertingContext } from './alerting-context.js';
import { apiErrorHandler, validationError } from './errors.js';

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
 * Answers OVS_ERR_VALIDATION for a top-level field the schema does not list (Fastify's Ajv would drop
 * it silently). The same rule as apiV1Routes and metricsApiRoutes (not exported there, hence this copy).
 */
function rejectUnknownFields(value: unknown, schema: unknown): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
  const known = typeof schema === 'object' && schema !== null && 'properties' in schema
    && typeof schema.properties === 'object' && schema.properties !== null ? schema.properties : {};
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(known, key)) throw new OverseeError('OVS_ERR_VALIDATION', `${key}: is not a known field`, { field: key });
  }
}

/**
 * Fastify plugin; register with `{ prefix: '/api/v1', store, clock, metrics, admin, engine }`.
 * 1. Error formatting as in apiV1Routes.
 * 2. An onRequest hook that authenticates every request (401 otherwise), and a preValidation hook that
 *    refuses unknown query and body fields.
 * 3. The channel/route routes and the silence/check/feed routes.
 */
export async function alertingApiRoutes(app: FastifyInstance, opts: AlertingApiOptions): Promise<void> {
  app.setSchemaErrorFormatter(validationError);
  app.setErrorHandler(apiErrorHandler);

  const principals = new WeakMap<FastifyRequest, Principal>();
  const ctx: AlertingContext = {
    store: opts.store,
    clock: opts.clock,
    admin: opts.admin,
    engine: opts.engine,
    principal(request) {
      const p = principals.get(request);
      if (p === undefined) throw new OverseeError('OVS_ERR_UNAUTHORIZED', 'an API token is required');
      return p;
    },
  };
  const bearerPrincipal = async (request: FastifyRequest): Promise<Principal | null> => {
    const token = bearerToken(request.headers.authorization);
    if (token === null) return null;
    const principal = await authenticate(opts.store, opts.clock, token);
    if (principal === null) throw new OverseeError('OVS_ERR_UNAUTHORIZED', 'the API token is not valid (unknown or revoked)');
    return principal;
  };
  const findPrincipal = opts.principal ?? bearerPrincipal;
  app.addHook('onRequest', async (request) => {
    const principal = await findPrincipal(request);
    if (principal === null) throw new OverseeError('OVS_ERR_UNAUTHORIZED', 'an API token is required: Authorization: Bearer ovs_…');
    principals.set(request, principal);
  });
  app.addHook('preValidation', async (request) => {
    const schema = request.routeOptions.schema;
    rejectUnknownFields(request.query, schema?.querystring);
    if (schema?.body !== undefined) rejectUnknownFields(request.body, schema.body);
  });

  alertingConfigRoutes(app, ctx);
  alertingCheckRoutes(app, ctx);
}
