// OpenTSDB-compatible `POST /api/put` (2.x): one data point or an array, optionally gzip-compressed;
// answers exactly as OpenTSDB does (204; with `?summary` / `?details` the counts and errors; 400 when
// a point failed). Points go to the project given at registration (the default project): OpenTSDB
// clients carry no credentials. Acknowledged only once every accepted point is durable.
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { openTsdbBadJson, openTsdbPutAnswer, parseOpenTsdbBody, putOpenTsdbPoints } from '../protocols/opentsdb.js';
import type { SelfMetrics } from '../server/self-metrics.js';
import type { SampleSink } from './samples.js';

const gunzipAsync = promisify(gunzip);

/** What the OpenTSDB route needs. */
export interface OpenTsdbRoutesOptions {
  metrics: SelfMetrics;
  samples: SampleSink;
  /** Project the points are stored in. */
  projectId: number;
  /** Largest decompressed body accepted (bytes). */
  maxInflatedBytes: number;
}

/** Registers POST /api/put on `app` (own body parser: any content type, gzip or not). */
export async function openTsdbRoutes(app: FastifyInstance, opts: OpenTsdbRoutesOptions): Promise<void> {
  const { metrics, samples, projectId } = opts;
  for (const type of ['application/json', '*']) {
    if (app.hasContentTypeParser(type)) app.removeContentTypeParser(type);
    app.addContentTypeParser(type, { parseAs: 'buffer' }, (_req, body, done) => { done(null, body); });
  }

  app.post<{ Querystring: Record<string, string | undefined> }>('/api/put', async (req, reply) => {
    let raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (/\bgzip\b/i.test(req.headers['content-encoding'] ?? '')) {
      try {
        raw = await gunzipAsync(raw, { maxOutputLength: opts.maxInflatedBytes });
      } catch {
        metrics.reportsRejected.inc({ protocol: 'opentsdb', reason: 'invalid' });
        return reply.code(400).send({ error: { code: 400, message: 'Unable to decompress the gzip body (or it is too large)' } });
      }
    }
    const parsed = parseOpenTsdbBody(raw.toString('utf8'));
    if (parsed === null) {
      metrics.reportsRejected.inc({ protocol: 'opentsdb', reason: 'invalid' });
      const a = openTsdbBadJson();
      return reply.code(a.status).send(a.body);
    }
    const result = putOpenTsdbPoints(parsed.body, (name, tags, timestampMs, value) => samples.append(projectId, name, tags, timestampMs, value) ?? undefined);
    if (result.success > 0) await samples.commit();
    metrics.reportsAccepted.inc({ protocol: 'opentsdb' }, result.success);
    if (result.failed > 0) metrics.reportsRejected.inc({ protocol: 'opentsdb', reason: 'invalid_point' }, result.failed);
    const a = openTsdbPutAnswer(result, { summary: req.query.summary !== undefined, details: req.query.details !== undefined });
    return a.body === null ? reply.code(a.status).send() : reply.code(a.status).send(a.body);
  });
}
