// GET /metrics (Prometheus text format) and the request counter behind oversee_http_requests_total.
import type { FastifyInstance } from 'fastify';
import type { SelfMetrics } from './self-metrics.js';

/** Route label for requests that matched no route (keeps label cardinality bounded). */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Serves `GET /metrics` and counts every answered request by method, route pattern (never the raw
 * URL, so ids do not explode the label set) and status. Call it on the root instance; routes of
 * plugins registered before or after it are counted alike (the test checks both orders).
 */
export function registerSelfMetricsRoute(app: FastifyInstance, metrics: SelfMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.is404 ? UNMATCHED_ROUTE : request.routeOptions.url ?? UNMATCHED_ROUTE;
    metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const text = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(text);
  });
}
