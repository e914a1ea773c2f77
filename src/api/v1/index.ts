// The native REST API as one Fastify plugin, meant to be registered under the prefix /api/v1.
// It is self-contained: its own error and not-found handlers (same answer shape as the server's),
// bearer-token authentication for every route but /openapi.json, and the OpenAPI document.
import swagger from '@fastify/swagger';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { OverseeError } from '../../errors.js';
import type { SelfMetrics } from '../../server/self-metrics.js';
import type { Store } from '../../store/types.js';
import type { Clock } from '../../util/clock.js';
import { VERSION } from '../../version.js';
import type { Principal } from '../auth.js';
import { logRoutes } from './alerts.js';
import { checkRoutes } from './checks.js';
import { apiErrorHandler } from './errors.js';
import { installApiPlumbing } from './plumbing.js';
import { hostRoutes } from './hosts.js';
import { projectRoutes } from './projects.js';
import { SHARED_SCHEMAS } from './schemas.js';
import { tokenRoutes } from './tokens.js';

/** What the composition root passes to apiV1Routes. */
export interface ApiV1Options {
  store: Store;
  clock: Clock;
  metrics: SelfMetrics;
  /**
   * Finds the caller of a request (e.g. SessionAuth.principal: bearer token or session cookie);
   * null = no credentials (401). It may throw OVS_ERR_UNAUTHORIZED itself. Default: bearer token only.
   */
  principal?: (request: FastifyRequest) => Promise<Principal | null>;
  /** Called once a project was deleted (its row and store data are gone), e.g. to delete its tsdb data. */
  onProjectDeleted?: (projectId: number) => void;
}

/** True for routes declared with `config: { public: true }` (no token needed). */
function isPublic(request: FastifyRequest): boolean {
  const config: object = request.routeOptions.config;
  return 'public' in config && config.public === true;
}

/**
 * Fastify plugin serving the native API; register with `{ prefix: '/api/v1', store, clock, metrics }`.
 * 1. OpenAPI collection (must come before the routes), error formatting, 404s.
 * 2. An onRequest hook that authenticates every non-public request (401 otherwise), and a
 *    preValidation hook that refuses unknown query and body fields.
 * 3. The resource modules, then GET /openapi.json.
 */
export async function apiV1Routes(app: FastifyInstance, opts: ApiV1Options): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Oversee API', version: VERSION, description: 'Native REST API of Oversee. Errors: {"error":{"code":"OVS_ERR_…","message":"…"}}.' },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'API token ovs_…' } } },
      security: [{ bearerAuth: [] }],
    },
    // Name components after the shared schemas' $id (Check, Host, ...) instead of def-0, def-1, ...
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json['$id'] === 'string' ? json['$id'] : `def-${i}`) },
  });
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
  const ctx = installApiPlumbing(app, {
    store: opts.store, clock: opts.clock, isPublic, refuseBodyWithoutSchema: true, ...(opts.principal ? { principal: opts.principal } : {}),
  });
  app.setNotFoundHandler((request, reply) => {
    apiErrorHandler(new OverseeError('OVS_ERR_NOT_FOUND', `no such endpoint: ${request.method} ${request.url.split('?')[0] ?? ''}`), request, reply);
  });

  projectRoutes(app, ctx, opts.onProjectDeleted);
  hostRoutes(app, ctx);
  checkRoutes(app, ctx);
  logRoutes(app, ctx);
  tokenRoutes(app, ctx);

  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
}
