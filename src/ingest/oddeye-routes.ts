// OddEye-compatible metric endpoint (PROTOCOLS.md §2): `POST /oddeye-barlus/put/tsdb` with the raw
// body `UUID=<token>&data=<json>` (and GET with the same as query string). The UUID is a project's
// ingest token. Status codes are the contract: 200 · 406 EMPTY UUID · 424 NOT VALID UUID / Empty Data ·
// 411 no valid element · 415 bad JSON · 402 Payment Required when every element was refused because
// the project is at its series limit (quota.ts). Bad elements are dropped and listed in the answer.
// Special elements become checks (source 'oddeye') under the host named by `tags.host` (or `oddeye`):
// OK → OK, ELEVATED/WARNING → WARN, ERROR → ERR, with the message as info; `reaction > 0` makes the
// check a heartbeat of that many minutes, and `reaction < 0` clears a non-OK Special back to OK after
// |reaction| minutes without a newer one (oddeye-autoclear.ts). Other elements are samples for the
// time-series store, scored for anomalies by their reaction (oddeye-anomaly.ts); a host whose ordinary
// series stay silent for `silent_after` (3 min) gets the ERR check `silent metrics` (oddeye-silence.ts).
// `sandbox=…` requests are validated and answered but not stored (the agent's test mode).
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ReportedState } from '../domain/check-state.js';
import { OverseeError } from '../errors.js';
import {
  decideOddEye, oddEyeStatusToState, oddEyeTypeToMetricType, splitOddEyeBody, type OddEyeElement, type OddEyeRejected,
} from '../protocols/oddeye.js';
import type { SelfMetrics } from '../server/self-metrics.js';
import type { StateReportOutcome, Store } from '../store/types.js';
import type { Clock } from '../util/clock.js';
import { seriesProblem } from '../tsdb/series.js';
import { OddEyeAnomalies, type AnomalyChange } from './oddeye-anomaly.js';
import { autoClearRepoFor, sweepAutoClear, type AutoClearRepo } from './oddeye-autoclear.js';
import { DEFAULT_SILENT_AFTER_MS, OddEyeSilence, silenceRepoFor } from './oddeye-silence.js';
import { appendAdmitted, type SeriesQuota } from './quota.js';
import type { SampleSink } from './samples.js';

/** Host of Special elements that carry no `host` tag. */
export const ODDEYE_DEFAULT_HOST = 'oddeye';

/** Longest host or check name accepted (as for OverC). */
const MAX_NAME = 255;

/** What the OddEye route needs. */
export interface OddEyeRoutesOptions {
  store: Store;
  clock: Clock;
  metrics: SelfMetrics;
  /** Where ordinary metrics go; without one they are refused element by element. */
  samples: SampleSink | null;
  /** Auto-clear times of Specials with reaction < 0 (default: the store's table; null: no auto-clear). */
  autoClear?: AutoClearRepo | null;
  /** How often due auto-clears are applied (default 15 s). */
  autoClearIntervalMs?: number;
  /** Dynamic alerting on ordinary series (default: a new tracker; null: off). */
  anomalies?: OddEyeAnomalies | null;
  /** Silence before a host's ordinary series count as silent, ms (default 3 min; 0: not watched). */
  silentAfterMs?: number;
  /** Silent-series tracking (default: one on the store's tables with silentAfterMs; null: off). */
  silence?: OddEyeSilence | null;
  /** How often silent series are looked for (default 15 s). */
  silenceIntervalMs?: number;
  /** Series limits per project (default: none). */
  quota?: SeriesQuota | null;
}

/** The check report of one Special element. */
export function specialReport(el: OddEyeElement): ReportedState {
  const heartbeat = el.reaction > 0;
  return {
    name: el.metric,
    state: oddEyeStatusToState(el.status ?? 'OK'),
    info: el.message,
    periodS: heartbeat ? Math.round(el.reaction * 60) : null,
    ...(heartbeat ? { patienceS: 0 } : {}),
  };
}

/** Registers the OddEye route on `app` (own raw form parser, encapsulated). */
export async function oddEyeRoutes(app: FastifyInstance, opts: OddEyeRoutesOptions): Promise<void> {
  const { store, clock, metrics, samples } = opts;
  const autoClear = opts.autoClear === undefined ? autoClearRepoFor(store) : opts.autoClear;
  const anomalies = opts.anomalies === undefined ? new OddEyeAnomalies() : opts.anomalies;
  const silence = opts.silence !== undefined ? opts.silence : defaultSilence(store, clock, opts.silentAfterMs ?? DEFAULT_SILENT_AFTER_MS);
  if (silence !== null) {
    let timer: NodeJS.Timeout | null = null;
    let sweeping: Promise<unknown> = Promise.resolve();
    app.addHook('onReady', async () => {
      timer = setInterval(() => {
        sweeping = silence.sweep().catch((err: unknown) => app.log.error({ err }, 'oddeye: silent-series sweep failed'));
      }, opts.silenceIntervalMs ?? 15_000);
      timer.unref();
    });
    app.addHook('onClose', async () => {
      if (timer !== null) clearInterval(timer);
      await sweeping;
    });
  }
  if (autoClear !== null) {
    let timer: NodeJS.Timeout | null = null;
    let sweeping: Promise<unknown> = Promise.resolve();
    app.addHook('onReady', async () => {
      timer = setInterval(() => {
        sweeping = sweepAutoClear(store, autoClear, clock).catch((err: unknown) => app.log.error({ err }, 'oddeye: auto-clear failed'));
      }, opts.autoClearIntervalMs ?? 15_000);
      timer.unref();
    });
    app.addHook('onClose', async () => {
      if (timer !== null) clearInterval(timer);
      await sweeping;
    });
  }

  if (app.hasContentTypeParser('application/x-www-form-urlencoded')) app.removeContentTypeParser('application/x-www-form-urlencoded');
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => { done(null, body); });
  // Agents that post without a form content type still send the same text.
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => { done(null, body); });

  const hostIds = async (projectId: number, name: string): Promise<number> =>
    (await store.hosts.getWithKey(projectId, name))?.id ?? (await store.hosts.register(projectId, name, null, clock.now())).id;

  /** Stores the Specials, one atomic report per host; retries a host deleted meanwhile once. */
  const storeSpecials = async (projectId: number, address: string, specials: OddEyeElement[]): Promise<void> => {
    const byHost = new Map<string, OddEyeElement[]>();
    for (const el of specials) {
      const host = el.tags.host ?? ODDEYE_DEFAULT_HOST;
      const list = byHost.get(host) ?? [];
      list.push(el);
      byHost.set(host, list);
    }
    const at = clock.now();
    await Promise.all([...byHost].map(async ([host, els]) => {
      const services = els.map(specialReport);
      const report = async (): Promise<StateReportOutcome[]> =>
        store.ingest.reportStates({ hostId: await hostIds(projectId, host), at, address, source: 'oddeye', services });
      let outcomes: StateReportOutcome[];
      try {
        outcomes = await report();
      } catch (err) {
        if (!(err instanceof OverseeError && err.code === 'OVS_ERR_NOT_FOUND')) throw err;
        outcomes = await report();
      }
      if (autoClear === null) return;
      // reaction < 0 on a non-OK Special: back to OK after |reaction| minutes without a newer one.
      await Promise.all(els.map((el, i) => {
        const checkId = outcomes[i]?.checkId;
        if (checkId === undefined) return undefined;
        const minutes = -el.reaction;
        return autoClear.set(checkId, el.reaction < 0 && el.status !== 'OK' ? at + minutes * 60_000 : null, minutes);
      }));
    }));
  };

  /** Stores the anomaly state changes of a request, one atomic report per host. */
  const reportAnomalies = async (projectId: number, address: string, changes: (AnomalyChange | null)[]): Promise<void> => {
    const byHost = new Map<string, ReportedState[]>();
    for (const c of changes) {
      if (c === null) continue;
      const list = byHost.get(c.host) ?? [];
      list.push(c.report);
      byHost.set(c.host, list);
    }
    const at = clock.now();
    for (const [host, services] of byHost) {
      await store.ingest.reportStates({ hostId: await hostIds(projectId, host), at, address, source: 'oddeye', reason: 'anomaly', services });
    }
  };

  /**
   * Handles one request:
   * 1. split the raw form and decide the status (406/424/415/411);
   * 2. resolve the UUID to a project (424 when unknown);
   * 3. append the samples, dropping elements the store refuses; 411 when none is left;
   * 4. store Specials as check states and commit the samples (durable); score the samples for
   *    anomalies and store the state changes; then answer 200 with what was dropped.
   */
  const handle = async (raw: string, address: string, reply: FastifyReply): Promise<FastifyReply> => {
    const decision = decideOddEye(splitOddEyeBody(raw));
    const fail = (status: number, message: string, reason: string): FastifyReply => {
      metrics.reportsRejected.inc({ protocol: 'oddeye', reason });
      return reply.code(status).send({ state: 'FAILURE', message });
    };
    if (decision.status !== 200) return fail(decision.status, decision.message, 'invalid');
    const project = await store.projects.getByIngestToken(decision.uuid);
    if (project === null) return fail(424, 'NOT VALID UUID', 'bad_key');

    const rejected: OddEyeRejected[] = [...decision.rejected];
    const validIndexes = elementIndexes(decision.elements.length, decision.rejected);
    const specials: OddEyeElement[] = [];
    const pointEls: OddEyeElement[] = [];
    const admission = opts.quota && samples !== null && !decision.sandbox ? await opts.quota.begin(project) : null;
    let overQuota = 0;
    const storePoint = (el: OddEyeElement, sink: SampleSink): string | null => {
      const refusal = appendAdmitted(admission, sink, project.id, el.metric, el.tags, el.timestampMs, el.value, oddEyeTypeToMetricType(el.type));
      if (refusal === null) return null;
      if (!refusal.quota) return refusal.problem;
      overQuota++;
      return `Payment Required: ${refusal.problem}`;
    };
    decision.elements.forEach((el, i) => {
      const problem = el.type === 'special' ? specialProblem(el)
        : samples === null ? 'metrics are not stored by this server (no time-series store)'
          : decision.sandbox ? seriesProblem(el.metric, el.tags)
            : storePoint(el, samples);
      if (problem !== null) rejected.push({ index: validIndexes[i] ?? i, error: problem });
      else if (el.type === 'special') specials.push(el);
      else pointEls.push(el);
    });
    if (specials.length + pointEls.length === 0) {
      return overQuota > 0 ? fail(402, 'Payment Required', 'quota') : fail(411, 'Not valid data', 'invalid');
    }
    if (!decision.sandbox) {
      await Promise.all([
        specials.length > 0 ? storeSpecials(project.id, address, specials) : undefined,
        pointEls.length > 0 && samples !== null ? samples.commit() : undefined,
      ]);
      if (anomalies !== null) await reportAnomalies(project.id, address, pointEls.map((el) => anomalies.observe(project.id, el)));
      if (silence !== null && pointEls.length > 0) {
        // Only a last-seen time per sample; a host flagged silent is re-examined at once.
        const now = clock.now();
        let flagged = false;
        for (const el of pointEls) flagged = silence.touch(project.id, el.tags.host ?? ODDEYE_DEFAULT_HOST, el.metric, el.tags, now) || flagged;
        if (flagged) await silence.sweep();
      }
    }
    const accepted = specials.length + pointEls.length;
    metrics.reportsAccepted.inc({ protocol: 'oddeye' }, accepted);
    if (rejected.length === 0) return reply.code(200).send({ state: 'OK' });
    metrics.reportsRejected.inc({ protocol: 'oddeye', reason: 'invalid_element' }, rejected.length);
    rejected.sort((a, b) => a.index - b.index);
    return reply.code(200).send({ state: 'OK', accepted, rejected });
  };

  app.post('/oddeye-barlus/put/tsdb', async (req, reply) => {
    const raw = typeof req.body === 'string' ? req.body : '';
    return handle(raw, req.ip, reply);
  });
  app.get('/oddeye-barlus/put/tsdb', async (req, reply) => {
    const q = req.url.indexOf('?');
    return handle(q < 0 ? '' : req.url.slice(q + 1), req.ip, reply);
  });
}

/** The silent-series tracker on the store's tables, or null when disabled (0) or the store has no tables. */
function defaultSilence(store: Store, clock: Clock, afterMs: number): OddEyeSilence | null {
  if (afterMs <= 0) return null;
  const repo = silenceRepoFor(store);
  return repo === null ? null : new OddEyeSilence(store, repo, clock, afterMs);
}

/** Request indexes of the valid elements: those not among the rejected ones, in order. */
function elementIndexes(valid: number, rejected: readonly OddEyeRejected[]): number[] {
  const skip = new Set(rejected.map((r) => r.index));
  const out: number[] = [];
  for (let i = 0; out.length < valid; i++) if (!skip.has(i)) out.push(i);
  return out;
}

/** Why a Special element cannot become a check, or null. */
function specialProblem(el: OddEyeElement): string | null {
  if (el.metric.length > MAX_NAME) return `metric: longer than ${MAX_NAME} characters`;
  const host = el.tags.host;
  if (host !== undefined && (host.trim() === '' || host.length > MAX_NAME)) return `tags.host: must be 1 to ${MAX_NAME} characters`;
  return null;
}
