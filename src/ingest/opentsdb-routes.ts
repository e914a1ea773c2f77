// OpenTSDB-compatible `POST /api/put` (2.x): one data point or an array, optionally gzip-compressed;
// answers exactly as OpenTSDB does (204; with `?summary` / `?details` the counts and errors; 400 when
// a point failed). Points go to the project given at registration (the default project): OpenTSDB
// clients carry no credentials. Acknowledged only once every accepted point is durable.
// Without ?details, a body of plainly valid points takes the byte-level fast path (opentsdb-fast.ts:
// columns, series known by their raw bytes, Tsdb.appendKeyed); anything else takes the reference
// path — large bodies in parser threads when a pool is configured (Tsdb.appendColumns), else inline.
import { availableParallelism } from 'node:os';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { openTsdbBadJson, openTsdbPutAnswer, parseOpenTsdbBody, putOpenTsdbPoints, type OpenTsdbPutResult } from '../protocols/opentsdb.js';
import { OpenTsdbKeyTable, parseOpenTsdbFast, type OpenTsdbFastBatch } from '../protocols/opentsdb-fast.js';
import type { SelfMetrics } from '../server/self-metrics.js';
import type { QuotaProject, SeriesQuota } from './quota.js';
import type { MetricType } from '../tsdb/types.js';
import type { SampleColumns } from '../tsdb/columns.js';
import type { ParseResponse } from './opentsdb-parse-worker.js';
import { OpenTsdbParserPool } from './opentsdb-parser-pool.js';
import type { SampleSink } from './samples.js';

/** A sink that also takes columnar batches (Tsdb does). */
export interface ColumnSink {
  appendColumns(projectId: number, cols: SampleColumns, type?: MetricType): { accepted: number; rejected: { index: number; error: string }[] };
}

/** A sink that appends samples by key with cached series handles (Tsdb does). */
export interface KeyedSink {
  appendKeyed(projectId: number, keyed: OpenTsdbKeyTable, batch: OpenTsdbFastBatch): { accepted: number; rejected: number };
}

/**
 * Fewest CPUs for parser threads by default. Measured on a 2-CPU machine (sender on the same
 * machine): threads were no faster than inline parsing (copying the text to a thread and the
 * contention ate the gain), so small machines parse inline. Measured again with the byte-level
 * fast path (bench/tsdb-micro.mjs): inline fast path 0.85 M samples per CPU-second, two JSON.parse
 * threads 0.17 M — still inline. With a pool, plain bodies take the inline fast path anyway.
 */
export const PARSER_THREADS_MIN_CPUS = 4;

/** Bodies at least this large go to a parser thread (smaller ones are parsed inline: lower latency). */
export const OPENTSDB_WORKER_MIN_BYTES = 32 * 1024;

const gunzipAsync = promisify(gunzip);

/** What the OpenTSDB route needs. */
export interface OpenTsdbRoutesOptions {
  metrics: SelfMetrics;
  samples: SampleSink & Partial<ColumnSink> & Partial<KeyedSink>;
  /** Parser threads for large bodies (default: a pool on machines with 4+ CPUs when the sink takes columns; null: always inline). */
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
  const pool = opts.parsers !== undefined ? opts.parsers : appendColumns && availableParallelism() >= PARSER_THREADS_MIN_CPUS
    ? new OpenTsdbParserPool(Math.min(4, availableParallelism() - 1)) : null;
  if (pool) app.addHook('onClose', async () => { await pool.close(); });

  /** Parses in a thread; null when no thread is available or it failed (then nothing was appended). */
  const parseInThread = async (text: string): Promise<OpenTsdbPutResult | 'badJson' | null> => {
    if (!pool?.available || !appendColumns) return null;
    let res: ParseResponse;
    try {
      res = await pool.parse(text);
    } catch {
      return null;
    }
    if (res.badJson) return 'badJson';
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
    if (!details && admission === null && keys !== null && appendKeyed) {
      const batch = parseOpenTsdbFast(raw, keys);
      if (batch !== null) {
        const r = appendKeyed(projectId, keys, batch);
        result = { success: r.accepted, failed: r.rejected, errors: [] };
      }
    }
    const text = result === null ? raw.toString('utf8') : '';
    if (result === null && !details && admission === null && text.length >= OPENTSDB_WORKER_MIN_BYTES) result = await parseInThread(text);
    if (result === null) {
      const parsed = parseOpenTsdbBody(text);
      result = parsed === null ? 'badJson'
        : putOpenTsdbPoints(parsed.body, (name, tags, timestampMs, value) => {
          const refused = admission?.admit(name, tags) ?? null;
          if (refused !== null) return refused;
          const problem = samples.append(projectId, name, tags, timestampMs, value);
          if (problem !== null) admission?.release(name, tags);
          return problem ?? undefined;
        });
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
