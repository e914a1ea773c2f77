import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { registerSelfMetricsRoute, UNMATCHED_ROUTE } from './metrics-route.js';
import { createSelfMetrics } from './self-metrics.js';

async function build(metricsFirst = true) {
  const metrics = createSelfMetrics();
  const app = Fastify({ logger: false });
  if (metricsFirst) registerSelfMetricsRoute(app, metrics);
  await app.register(async (child) => {
    child.get('/things/:id', async (request) => ({ id: (request.params as { id: string }).id }));
    child.delete('/things/:id', async (_request, reply) => reply.code(204).send());
  }, { prefix: '/api' });
  if (!metricsFirst) registerSelfMetricsRoute(app, metrics);
  await app.ready();
  return { app, metrics };
}

/** The value of oversee_http_requests_total for one label set, or 0. */
async function requests(metrics: ReturnType<typeof createSelfMetrics>, labels: Record<string, string>): Promise<number> {
  const data = await metrics.httpRequests.get();
  const hit = data.values.find((v) => Object.entries(labels).every(([k, val]) => String(v.labels[k as keyof typeof v.labels]) === val));
  return hit?.value ?? 0;
}

describe('registerSelfMetricsRoute', () => {
  it('serves the registry in Prometheus text format at GET /metrics', async () => {
    const { app } = await build();
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    for (const name of ['oversee_http_requests_total', 'oversee_reports_accepted_total', 'oversee_store_operation_seconds', 'oversee_process_resident_memory_bytes']) {
      assert.match(res.body, new RegExp(`^# TYPE ${name} `, 'm'), name);
    }
    await app.close();
  });

  it('counts requests by method, route pattern (not the raw URL) and status, also in child plugins', async () => {
    const { app, metrics } = await build();
    for (const id of ['1', '2', '3']) await app.inject({ method: 'GET', url: `/api/things/${id}` });
    await app.inject({ method: 'DELETE', url: '/api/things/9' });
    assert.equal(await requests(metrics, { method: 'GET', route: '/api/things/:id', status: '200' }), 3);
    assert.equal(await requests(metrics, { method: 'DELETE', route: '/api/things/:id', status: '204' }), 1);
    const text = await metrics.registry.metrics();
    assert.ok(!text.includes('/api/things/1'), 'raw URLs never become labels');
    await app.close();
  });

  it('counts requests of plugins registered before it too', async () => {
    const { app, metrics } = await build(false);
    await app.inject({ method: 'GET', url: '/api/things/1' });
    assert.equal(await requests(metrics, { method: 'GET', route: '/api/things/:id', status: '200' }), 1);
    await app.close();
  });

  it('labels requests that match no route as unmatched', async () => {
    const { app, metrics } = await build();
    await app.inject({ method: 'GET', url: '/nope/1' });
    await app.inject({ method: 'GET', url: '/nope/2' });
    assert.equal(await requests(metrics, { method: 'GET', route: UNMATCHED_ROUTE, status: '404' }), 2);
    await app.close();
  });
});
