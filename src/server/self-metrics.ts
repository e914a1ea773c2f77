// Oversee's own metrics in Prometheus text format (served at /metrics). One registry per server instance.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { StoreObserver } from '../store/types.js';

/** The server's self-metrics; every component that counts something gets this object passed in. */
export interface SelfMetrics {
  readonly registry: Registry;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly reportsAccepted: Counter<'protocol'>;
  readonly reportsRejected: Counter<'protocol' | 'reason'>;
  readonly storeLatency: Histogram<'op'>;
  /** Adapter that feeds store operation timings into storeLatency. */
  readonly storeObserver: StoreObserver;
}

/** Creates a fresh registry with the standard process metrics and Oversee's own. */
export function createSelfMetrics(): SelfMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'oversee_' });
  const httpRequests = new Counter({
    name: 'oversee_http_requests_total', help: 'HTTP requests answered, by method, route and status.',
    labelNames: ['method', 'route', 'status'] as const, registers: [registry],
  });
  const reportsAccepted = new Counter({
    name: 'oversee_reports_accepted_total', help: 'Reported items (service states, alerts, samples) durably accepted, by protocol.',
    labelNames: ['protocol'] as const, registers: [registry],
  });
  const reportsRejected = new Counter({
    name: 'oversee_reports_rejected_total', help: 'Requests or items rejected, by protocol and reason.',
    labelNames: ['protocol', 'reason'] as const, registers: [registry],
  });
  const storeLatency = new Histogram({
    name: 'oversee_store_operation_seconds', help: 'Latency of store operations, by operation.',
    labelNames: ['op'] as const, registers: [registry],
    buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
  });
  const storeObserver: StoreObserver = (op, seconds) => storeLatency.observe({ op }, seconds);
  return { registry, httpRequests, reportsAccepted, reportsRejected, storeLatency, storeObserver };
}
