// Metrics over HTTP in the OpenTSDB JSON format (`POST /api/put`), which Oversee ingests (issue 5)
// and which OpenTSDB-compatible stores (VictoriaMetrics, …) accept too.
import { ensureOk, joinUrl, parseBaseUrl, request, type FetchFn } from './http.js';

/** One sample; `timestamp` in milliseconds (default: now). */
export interface MetricSample {
  metric: string;
  value: number;
  tags?: Record<string, string>;
  timestamp?: number;
}

/** Options of an HTTP metrics sender. */
export interface HttpMetricsOptions {
  /** Server base URL (a path prefix is kept; `user:pass@` becomes Basic auth). */
  url: string;
  /** Sent as `Authorization: Bearer <token>` when set. */
  token?: string;
  /** Path of the put endpoint (default `api/put`). */
  path?: string;
  timeoutMs?: number;
  fetch?: FetchFn;
  /** Clock for default timestamps (default Date.now). */
  now?: () => number;
}

/** Sends batches of samples; resolves on 2xx, throws OverseeClientError otherwise. */
export class HttpMetricsClient {
  private readonly url: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly fetchFn: FetchFn;
  private readonly now: () => number;

  constructor(opts: HttpMetricsOptions) {
    const base = parseBaseUrl(opts.url);
    this.url = joinUrl(base.base, opts.path ?? 'api/put');
    this.headers = { 'content-type': 'application/json' };
    if (opts.token) this.headers['authorization'] = `Bearer ${opts.token}`;
    else if (base.authorization) this.headers['authorization'] = base.authorization;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.fetchFn = opts.fetch ?? ((input, init) => fetch(input, init));
    this.now = opts.now ?? Date.now;
  }

  /** The OpenTSDB body for `samples` (timestamps in ms, tags default to {}). */
  body(samples: MetricSample[]): Array<{ metric: string; timestamp: number; value: number; tags: Record<string, string> }> {
    return samples.map((s) => ({ metric: s.metric, timestamp: s.timestamp ?? this.now(), value: s.value, tags: s.tags ?? {} }));
  }

  /** Sends samples in one request. */
  async send(samples: MetricSample[]): Promise<void> {
    if (samples.length === 0) return;
    const answer = await request(this.fetchFn, this.url, { method: 'POST', headers: this.headers, body: JSON.stringify(this.body(samples)) }, this.timeoutMs);
    ensureOk(answer, this.url);
  }
}
