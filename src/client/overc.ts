// OverC push API client (PROTOCOLS.md §1): ping, service states (with optional perfdata metrics), alerts.
import { OverseeClientError } from './errors.js';
import { ensureOk, joinUrl, parseBaseUrl, request, type FetchFn } from './http.js';

/** A state as OverC clients send it. `ERR` and `FAIL` mean the same (critical). */
export type OvercState = 'OK' | 'WARN' | 'ERR' | 'FAIL' | 'UNK';

/** One perfdata metric carried with a service report (Oversee extension; OverC ignores it). */
export interface ServiceMetric {
  name: string;
  value: number;
  unit?: string;
  /** Nagios range string. */
  warn?: string;
  /** Nagios range string. */
  crit?: string;
  min?: number;
  max?: number;
}

/** One service report. */
export interface ServiceReport {
  name: string;
  state: OvercState;
  info?: string;
  /** Overrides the request's period for this service (seconds). */
  period?: number;
  metrics?: ServiceMetric[];
}

/** One alert. */
export interface AlertReport {
  message: string;
  service?: string;
  title?: string;
}

/** Options of an OverC client. */
export interface OvercClientOptions {
  /** Server base URL; `user:pass@` becomes Basic auth; a path prefix is kept. */
  url: string;
  /** Host (OverC "server") name. */
  name: string;
  /** Host key (trust on first use). */
  key: string;
  /** Per-request timeout, ms (default 10 000). */
  timeoutMs?: number;
  /** Defaults to the global fetch. */
  fetch?: FetchFn;
}

/** Parses `name:key` (the `-i` option); the key may contain colons. */
export function parseServerId(id: string): { name: string; key: string } {
  const i = id.indexOf(':');
  if (i <= 0 || i === id.length - 1) throw new OverseeClientError('config', `server id must be "name:key", got ${JSON.stringify(id)}`);
  return { name: id.slice(0, i), key: id.slice(i + 1) };
}

/** A client for one host; every method resolves on 2xx and throws OverseeClientError otherwise. */
export class OvercClient {
  readonly base: string;
  private readonly authorization: string | undefined;
  private readonly server: { name: string; key: string };
  private readonly timeoutMs: number;
  private readonly fetchFn: FetchFn;

  constructor(opts: OvercClientOptions) {
    const parsed = parseBaseUrl(opts.url);
    if (opts.name === '') throw new OverseeClientError('config', 'server name is empty');
    this.base = parsed.base;
    this.authorization = parsed.authorization;
    this.server = { name: opts.name, key: opts.key };
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.fetchFn = opts.fetch ?? ((input, init) => fetch(input, init));
  }

  /** POSTs `body` plus the server identification to `path`; returns the parsed JSON answer. */
  async post(path: string, body: Record<string, unknown>): Promise<unknown> {
    const url = joinUrl(this.base, path);
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.authorization) headers['authorization'] = this.authorization;
    const answer = await request(this.fetchFn, url, { method: 'POST', headers, body: JSON.stringify({ server: this.server, ...body }) }, this.timeoutMs);
    ensureOk(answer, url);
    try {
      return JSON.parse(answer.body) as unknown;
    } catch {
      return answer.body;
    }
  }

  /** Checks connection and host key: `POST /api/ping` → `{"pong":1}`. */
  async ping(): Promise<unknown> {
    return this.post('api/ping', {});
  }

  /** Reports service states: `POST /api/set/service/status`. */
  async reportServices(period: number, services: ServiceReport[]): Promise<unknown> {
    return this.post('api/set/service/status', { period, services });
  }

  /** Raises alerts: `POST /api/set/alerts`. */
  async sendAlerts(alerts: AlertReport[]): Promise<unknown> {
    return this.post('api/set/alerts', { alerts });
  }
}
