// The metric side of the native API as its own Fastify plugin, registered under /api/v1 beside
// apiV1Routes (same bearer-token authentication and error shape, separate encapsulation): the Severe
// okerr settings and — when a time-series store is given — samples and queries.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { OverseeError } from '../../errors.js';
import type { OkerrRepo } from '../../ingest/okerr-repo.js';
import { okerrSettingsRoutes } from '../../ingest/okerr-settings-routes.js';
import type { SampleSink } from '../../ingest/samples.js';
import { samplesRoutes } from '../../ingest/samples-routes.js';
import { ruleRoutes } from '../../rules/routes.js';
import type { RuleRepo } from '../../rules/types.js';
import type { SelfMetrics } from '../../server/self-metrics.js';
import type { Store } from '../../store/types.js';
import type { Clock } from '../../util/clock.js';
import { authenticate, bearerToken, type Principal } from '../auth.js';
import type { ApiContext } from './context.js';
import { apiErrorHandler, validationError } from './errors.js';
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
  /** Finds the caller (e.g. bearer token or session cookie); null = no credentials (401). Default: bearer token only. */
  principal?: (request: FastifyRequest) => Promise<Principal | null>;
}

/**
 * Answers OVS_ERR_VALIDATION for a top-level field the schema does not list (Fastify's Ajv would drop
 * it silently). The same rule as apiV1Routes applies; it is not exported there, hence this copy.
 */
function rejectUnknownFields(value: unknown, schema: unknown): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
  const known = typeof schema === 'object' && schema !== null && 'properties' in schema
    && typeof schema.properties === 'object' && schema.properties !== null ? schema.properties : {};
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(known, key)) throw new OverseeError('OVS_ERR_VALIDATION', `${key}: is not a known field`, { field: key });
  }
}

/** Fastify plugin; register with `{ prefix: '/api/v1', … }`. Every route needs an API token. */
export async function metricsApiRoutes(app: FastifyInstance, opts: MetricsApiOptions): Promise<void> {
  app.setSchemaErrorFormatter(validationError);
  app.setErrorHandler(apiErrorHandler);

  const principals = new WeakMap<FastifyRequest, Principal>();
  const ctx: ApiContext = {
    store: opts.store,
    clock: opts.clock,
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

  if (opts.okerr !== null) okerrSettingsRoutes(app, ctx, opts.okerr);
  if (opts.tsdb !== null) {
    metricsQueryRoutes(app, ctx, opts.tsdb);
    samplesRoutes(app, ctx, opts.tsdb);
  }
  if (opts.rules) ruleRoutes(app, ctx, opts.rules);
}
