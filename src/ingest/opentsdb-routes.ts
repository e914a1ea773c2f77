// OpenTSDB-compatible `POST /api/put` (2.x): one data point or an array, optionally gzip-compressed;
// answers exactly as OpenTSDB does (204; with `?summary` / `?details` the counts and errors; 400 when
// a point failed). Points go to the project given at registration (the default project): OpenTSDB
// clients carry no credentials. Acknowledged only once every accepted point is durable.
// Without ?details and a series limit, a large body is parsed in a parser thread (the byte-level
// fast path, opentsdb-fast.ts, or the reference parser for bodies it leaves) and the writer thread
// only appends the columns (Tsdb.appendKeyed / appendColumns); a small one takes the fast path
// inline. Anything else — ?details, a project with a series limit, no threads — takes the reference
// path inline, so bad points, odd bodies and ?details answers are always the reference's.
import { availableParallelism } from 'node:os';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { openTsdbBadJson, openTsdbPutAnswer, parseOpenTsdbBody, putOpenTsdbPoints, type OpenTsdbPutResult } from '../protocols/opentsdb.js';
import { OpenTsdbKeyTable, parseOpenTsdbFast } from '../protocols/opentsdb-fast.js';
import { metricsThreads } from '../config/metrics.js';
import type { SelfMetrics } from '../server/self-metrics.js';
import { appendAdmitted, type QuotaProject, type SeriesQuota } from './quota.js';
import type { MetricType } from '../tsdb/types.js';
import type { SampleColumns } from '../tsdb/columns.js';
import type { KeyedSamples, KeyedSeries } from '../tsdb/index.js';
import { OpenTsdbParserPool } from './opentsdb-parser-pool.js';
import type { SampleSink } from './samples.js';

/** A sink that also takes columnar batches (Tsdb does). */
export interface ColumnSink {
  appendColumns(projectId: number, cols: SampleColumns, type?: MetricType): { accepted: number; rejected: { index: number; error: string }[] };
}

/** A sink that appends samples by key with cached series handles (Tsdb does). */
export interface KeyedSink {
  appendKeyed(projectId: number, keyed: KeyedSeries, batch: KeyedSamples): { accepted: number; rejected: number };
}

/** Bodies at least this large go to a parser thread (smaller ones are parsed inline: lower latency). */
export const OPENTSDB_WORKER_MIN_BYTES = 32 * 1024;

const gunzipAsync = promisify(gunzip);

/** What the OpenTSDB route needs. */
export interface OpenTsdbRoutesOptions {
  metrics: SelfMetrics;
  samples: SampleSink & Partial<ColumnSink> & Partial<KeyedSink>;
  /** Parser threads for large bodies (default: as `[metrics] threads = "auto"` when the sink takes keyed and columnar batches; null: always inline). */
  parsers?: OpenTsdbParserPool | null;
  /** Series limit of the project (quota.ts): when it has one, puts take the reference path and new series over it fail like bad points. */
  quota?: { quota: SeriesQuota; project: QuotaProject } | null;
  /** Project the points are stored in. */
  projectId: number;
  /** Largest decompressed body accepted (bytes). */
  maxInflatedBytes: number;
}

/** Registers POST /api/put on `app` (own body parser: any content type, gzip or not). */
export async function openTsdbRoutes(app: FastifyInstance, opts: OpenTsdbRoutesOptions): Promise<void> {
  const { metrics, samples, projectId } = opts;
  const appendColumns = samples.appendColumns?.bind(samples);
  const appendKeyed = samples.appendKeyed?.bind(samples);
  const keys = appendKeyed ? new OpenTsdbKeyTable() : null;
  const auto = metricsThreads('auto', availableParallelism()).parsers;
  const pool = opts.parsers !== undefined ? opts.parsers : appendColumns && appendKeyed && auto > 0 ? new OpenTsdbParserPool(auto) : null;
  if (pool) app.addHook('onClose', async () => { await pool.close(); });

  /** Parses and appends in a thread; null when no thread is available or it failed (then nothing was appended). */
  const parseInThread = async (body: Buffer): Promise<OpenTsdbPutResult | 'badJson' | null> => {
    if (!pool?.available || !appendColumns || !appendKeyed) return null;
    let parsed;
    try {
      parsed = await pool.parse(body);
    } catch {
      return null;
    }
    const { res, keys: mirror } = parsed;
    if (res.kind === 'badJson') return 'badJson';
    if (res.kind === 'keyed') {
      const r = appendKeyed(projectId, mirror, { count: res.count, keys: res.series, timestamps: res.timestamps, values: res.values });
      return { success: r.accepted, failed: r.rejected, errors: [] };
    }
    const r = appendColumns(projectId, res.cols);
    return { success: r.accepted, failed: res.failed + r.rejected.length, errors: [] };
  };
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
    const details = req.query.details !== undefined;
    const admission = opts.quota && opts.quota.quota.limitOf(opts.quota.project) !== null ? await opts.quota.quota.begin(opts.quota.project) : null;
    let result: OpenTsdbPutResult | 'badJson' | null = null;
    if (!details && admission === null) {
      if (raw.length >= OPENTSDB_WORKER_MIN_BYTES) result = await parseInThread(raw);
      if (result === null && keys !== null && appendKeyed) {
        const batch = parseOpenTsdbFast(raw, keys);
        if (batch !== null) {
          const r = appendKeyed(projectId, keys, batch);
          result = { success: r.accepted, failed: r.rejected, errors: [] };
        }
      }
    }
    const text = result === null ? raw.toString('utf8') : '';
    if (result === null) {
      const parsed = parseOpenTsdbBody(text);
      result = parsed === null ? 'badJson'
        : putOpenTsdbPoints(parsed.body, (name, tags, timestampMs, value) => appendAdmitted(admission, samples, projectId, name, tags, timestampMs, value)?.problem);
    }
    if (result === 'badJson') {
      metrics.reportsRejected.inc({ protocol: 'opentsdb', reason: 'invalid' });
      const a = openTsdbBadJson();
      return reply.code(a.status).send(a.body);
    }
    if (result.success > 0) await samples.commit();
    metrics.reportsAccepted.inc({ protocol: 'opentsdb' }, result.success);
    if (result.failed > 0) metrics.reportsRejected.inc({ protocol: 'opentsdb', reason: 'invalid_point' }, result.failed);
    const a = openTsdbPutAnswer(result, { summary: req.query.summary !== undefined, details });
    return a.body === null ? reply.code(a.status).send() : reply.code(a.status).send(a.body);
  });
}
