// The request plumbing every /api/v1 plugin shares (core, metrics, alerting): error formatting,
// authentication of each request (bearer token, or the resolver the composition root passes for
// dashboard sessions) and refusal of unknown query and body fields.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { OverseeError } from '../../errors.js';
import type { Store } from '../../store/types.js';
import type { Clock } from '../../util/clock.js';
import { authenticate, bearerToken, type Principal } from '../auth.js';
import type { ApiContext } from './context.js';
import { apiErrorHandler, validationError } from './errors.js';

/** How a plugin's requests are authenticated and checked. */
export interface ApiPlumbingOptions {
  store: Store;
  clock: Clock;
  /** Finds the caller (e.g. bearer token or session cookie); null = no credentials (401). Default: bearer token only. */
  principal?: (request: FastifyRequest) => Promise<Principal | null>;
  /** Requests for which this is true skip authentication and the field checks. */
  isPublic?: (request: FastifyRequest) => boolean;
  /** Also refuse body fields on routes that declare no body schema (the core API does). */
  refuseBodyWithoutSchema?: boolean;
}

/**
 * Answers OVS_ERR_VALIDATION for a top-level field the schema does not list. Fastify's Ajv would
 * silently drop it, so a typo in a filter (`?sate=ERR`) would quietly return everything.
 */
export function rejectUnknownFields(value: unknown, schema: unknown): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
  const known = typeof schema === 'object' && schema !== null && 'properties' in schema
    && typeof schema.properties === 'object' && schema.properties !== null ? schema.properties : {};
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(known, key)) throw new OverseeError('OVS_ERR_VALIDATION', `${key}: is not a known field`, { field: key });
  }
}

/**
 * Installs the shared plumbing on an encapsulated plugin and returns the context its route modules get:
 * 1. error and schema-error formatting ({"error":{"code","message"}});
 * 2. an onRequest hook that authenticates every non-public request (401 otherwise);
 * 3. a preValidation hook that refuses unknown query and body fields.
 */
export function installApiPlumbing(app: FastifyInstance, opts: ApiPlumbingOptions): ApiContext {
  app.setSchemaErrorFormatter(validationError);
  app.setErrorHandler(apiErrorHandler);
  const isPublic = opts.isPublic ?? ((): boolean => false);
  const principals = new WeakMap<FastifyRequest, Principal>();
  const bearerPrincipal = async (request: FastifyRequest): Promise<Principal | null> => {
    const token = bearerToken(request.headers.authorization);
    if (token === null) return null;
    const principal = await authenticate(opts.store, opts.clock, token);
    if (principal === null) throw new OverseeError('OVS_ERR_UNAUTHORIZED', 'the API token is not valid (unknown or revoked)');
    return principal;
  };
  const findPrincipal = opts.principal ?? bearerPrincipal;

  app.addHook('onRequest', async (request) => {
    if (isPublic(request)) return;
    const principal = await findPrincipal(request);
    if (principal === null) throw new OverseeError('OVS_ERR_UNAUTHORIZED', 'an API token is required: Authorization: Bearer ovs_…');
    principals.set(request, principal);
  });
  app.addHook('preValidation', async (request) => {
    if (isPublic(request)) return;
    const schema = request.routeOptions.schema;
    rejectUnknownFields(request.query, schema?.querystring);
    if (schema?.body !== undefined || opts.refuseBodyWithoutSchema === true) rejectUnknownFields(request.body, schema?.body);
  });

  return {
    store: opts.store,
    clock: opts.clock,
    principal(request) {
      const p = principals.get(request);
      if (p === undefined) throw new OverseeError('OVS_ERR_UNAUTHORIZED', 'an API token is required');
      return p;
    },
  };
}
