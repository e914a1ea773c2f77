// Native POST /api/v1/samples (JSON, API token with the editor role) for the client library and
// scripts. Body: an array of samples, or {"samples": [...]}; a sample is
// {"metric"|"name": S, "value": N, "timestamp"?: ms (or s), "tags"?: {…}, "type"?: gauge|counter|rate|percent}.
// Each sample is checked alone; the answer lists the refused ones by index. Acknowledged once durable.
// A sample that would create a series beyond the project's `[limits]` is refused too (quota.ts); when
// that leaves nothing stored the answer is 402 OVS_ERR_QUOTA_EXCEEDED.
import type { FastifyInstance } from 'fastify';
import { demandRole } from '../api/v1/context.js';
import type { ApiContext } from '../api/v1/context.js';
import { metricsProject } from '../api/v1/metrics-query.js';
import { invalid, OverseeError } from '../errors.js';
import { openTsdbTimestampMs } from '../protocols/opentsdb.js';
import { METRIC_TYPES, type MetricType } from '../tsdb/types.js';
import { appendAdmitted, type SeriesQuota } from './quota.js';
import type { SampleSink } from './samples.js';

/** Most samples in one request. */
export const MAX_SAMPLES_PER_REQUEST = 100_000;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Why a sample is not well-formed, or its fields. `now` stands in for a missing timestamp. */
export function parseNativeSample(raw: unknown, now: number): string | { name: string; value: number; timestampMs: number; tags: Record<string, string>; type: MetricType | undefined } {
  if (!isRecord(raw)) return 'must be an object';
  const name = raw.metric ?? raw.name;
  if (typeof name !== 'string' || name === '') return 'metric: required non-empty string';
  if (typeof raw.value !== 'number' || !Number.isFinite(raw.value)) return 'value: required finite number';
  const timestampMs = raw.timestamp === undefined || raw.timestamp === null ? now : openTsdbTimestampMs(raw.timestamp);
  if (timestampMs === null) return 'timestamp: must be ms (or s) since the epoch';
  const tags: Record<string, string> = {};
  if (raw.tags !== undefined && raw.tags !== null) {
    if (!isRecord(raw.tags)) return 'tags: must be an object of strings';
    for (const [k, v] of Object.entries(raw.tags)) {
      if (typeof v !== 'string') return `tags.${k}: must be a string`;
      tags[k] = v;
    }
  }
  let type: MetricType | undefined;
  if (raw.type !== undefined && raw.type !== null) {
    if (typeof raw.type !== 'string' || !(METRIC_TYPES as readonly string[]).includes(raw.type)) return `type: one of ${METRIC_TYPES.join(', ')}`;
    type = raw.type as MetricType;
  }
  return { name, value: raw.value, timestampMs, tags, type };
}

/** Registers POST /samples (editor) on the metrics API instance; `quota` limits new series per project. */
export function samplesRoutes(app: FastifyInstance, ctx: ApiContext, sink: SampleSink, quota: SeriesQuota | null = null): void {
  app.post<{ Querystring: { project?: string }; Body: unknown }>('/samples', {
    schema: { querystring: { type: 'object', properties: { project: { type: 'string' } } } },
  }, async (request) => {
    const p = ctx.principal(request);
    demandRole(p, 'editor');
    const projectId = await metricsProject(ctx, p, request.query.project);
    const body = request.body;
    const list = Array.isArray(body) ? body : isRecord(body) && Array.isArray(body.samples) ? body.samples : null;
    if (list === null) throw invalid('body', 'an array of samples or {"samples": [...]}');
    if (list.length > MAX_SAMPLES_PER_REQUEST) throw invalid('samples', `at most ${MAX_SAMPLES_PER_REQUEST} per request`);
    const now = ctx.clock.now();
    const rejected: { index: number; error: string }[] = [];
    let accepted = 0;
    let quotaError: string | null = null;
    const project = quota?.active ? await ctx.store.projects.get(projectId) : null;
    const admission = quota && project ? await quota.begin(project) : null;
    list.forEach((raw, index) => {
      const s = parseNativeSample(raw, now);
      let error: string | null;
      if (typeof s === 'string') error = s;
      else {
        const refusal = appendAdmitted(admission, sink, projectId, s.name, s.tags, s.timestampMs, s.value, s.type);
        error = refusal?.problem ?? null;
        if (refusal?.quota === true) quotaError ??= refusal.problem;
      }
      if (error === null) accepted++;
      else rejected.push({ index, error });
    });
    if (accepted === 0 && quotaError !== null) throw new OverseeError('OVS_ERR_QUOTA_EXCEEDED', `no sample stored: ${quotaError}`, { rejected });
    if (accepted === 0 && rejected.length > 0) throw invalid(`samples[${rejected[0]!.index}]`, rejected[0]!.error);
    if (accepted > 0) await sink.commit();
    return { accepted, rejected };
  });
}
