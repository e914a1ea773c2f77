// OverC-compatible push endpoints (PROTOCOLS.md §1): /api/ping, /api/set/service/status, /api/set/alerts.
// Answers: 200 {"pong":1} / {"ok":1}; 400 and 403 {"error": "..."} (formatted by the app's error handler).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Flip } from '../domain/types.js';
import { OverseeError } from '../errors.js';
import { OvercProtocolError, parseAlerts, parseServerId, parseStatusReport } from '../protocols/overc.js';
import type { SelfMetrics } from '../server/self-metrics.js';
import type { Store } from '../store/types.js';
import type { Clock } from '../util/clock.js';
import { HostAuthenticator } from './host-auth.js';

/** What the OverC routes need. */
export interface OvercRoutesOptions {
  store: Store;
  clock: Clock;
  metrics: SelfMetrics;
  /** Project that OverC hosts belong to (the default project). */
  projectId: number;
  /**
   * Called after state reports are durably stored (metrics from perfdata, live events); the answer
   * waits for a returned promise, so samples it stores are durable before the client gets 200.
   */
  onReport?: (event: OvercReportEvent) => void | Promise<void>;
}

/** A stored OverC status report, with the check ids assigned. */
export interface OvercReportEvent {
  hostId: number;
  hostName: string;
  at: number;
  /** Each service with its check id and the flip its report wrote (null when the state did not change). */
  services: { checkId: number; name: string; flip: Flip | null; metrics: import('../protocols/overc.js').OvercMetric[] }[];
}

/** Registers the OverC routes on `app`. */
export async function overcRoutes(app: FastifyInstance, opts: OvercRoutesOptions): Promise<void> {
  const { store, clock, metrics, projectId } = opts;
  const auth = new HostAuthenticator(store, clock);

  /** Parses with `parse`, counting and converting protocol errors to 400s. */
  const parseOr400 = <T>(kind: string, req: FastifyRequest, parse: (b: unknown) => T): T => {
    if (typeof req.body === 'string') {
      // Fastify's built-in text/plain parser hands over the raw text; OverC bodies are JSON only.
      throw new OverseeError('OVS_ERR_UNSUPPORTED_MEDIA_TYPE',
        `unsupported Content-Type: ${String(req.headers['content-type'] ?? '')}: send the body as application/json`, { kind });
    }
    try {
      return parse(req.body);
    } catch (err) {
      if (err instanceof OvercProtocolError) {
        metrics.reportsRejected.inc({ protocol: 'overc', reason: 'invalid' });
        throw new OverseeError('OVS_ERR_BAD_REQUEST', err.message, { kind });
      }
      throw err;
    }
  };

  const authenticate = async (name: string, key: string): Promise<number> => {
    try {
      return await auth.authenticate(projectId, name, key);
    } catch (err) {
      if (err instanceof OverseeError && err.code === 'OVS_ERR_BAD_SERVER_KEY') {
        metrics.reportsRejected.inc({ protocol: 'overc', reason: 'bad_key' });
      }
      throw err;
    }
  };

  /** Runs a write for a host, re-authenticating once if the host was deleted meanwhile. */
  const withHost = async <T>(name: string, key: string, fn: (hostId: number) => Promise<T>): Promise<T> => {
    const hostId = await authenticate(name, key);
    try {
      return await fn(hostId);
    } catch (err) {
      if (!(err instanceof OverseeError && err.code === 'OVS_ERR_NOT_FOUND')) throw err;
      auth.forget(projectId, name);
      return fn(await authenticate(name, key));
    }
  };

  app.post('/api/ping', async (req) => {
    const server = parseOr400('ping', req, parseServerId);
    await authenticate(server.name, server.key);
    return { pong: 1 };
  });

  app.post('/api/set/service/status', async (req) => {
    const report = parseOr400('status', req, parseStatusReport);
    const at = clock.now();
    const outcomes = await withHost(report.server.name, report.server.key, (hostId) => store.ingest.reportStates({
      hostId, at, address: req.ip, source: 'overc',
      services: report.services.map(({ name, state, info, periodS }) => ({ name, state, info, periodS })),
    }).then((o) => ({ hostId, o })));
    metrics.reportsAccepted.inc({ protocol: 'overc' }, report.services.length);
    await opts.onReport?.({
      hostId: outcomes.hostId, hostName: report.server.name, at,
      services: report.services.map((s, i) => ({ checkId: outcomes.o[i]?.checkId ?? 0, name: s.name, flip: outcomes.o[i]?.flip ?? null, metrics: s.metrics })),
    });
    return { ok: 1 };
  });

  app.post('/api/set/alerts', async (req) => {
    const body = parseOr400('alerts', req, parseAlerts);
    const at = clock.now();
    await withHost(body.server.name, body.server.key, (hostId) => store.ingest.raiseAlerts(body.alerts.map((a) => ({
      projectId, hostId, checkName: a.service, at, title: a.title ?? (a.service ? `Alert: ${a.service}` : 'Alert'),
      message: a.message, source: 'overc',
    }))));
    metrics.reportsAccepted.inc({ protocol: 'overc_alert' }, body.alerts.length);
    return { ok: 1 };
  });
}
