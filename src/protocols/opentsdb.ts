// OpenTSDB HTTP `/api/put` (2.x): pure validation and answers, no imports but NUMBER_RE. The body is one
// data point or an array; each point is checked alone and reported the way OpenTSDB reports it
// (`?summary` → counts, `?details` → counts plus one error per failed point).
import { NUMBER_RE } from './number-text.js';

/** Receives each valid point; returns an error message to count the point as failed, else nothing. */
export type OpenTsdbSink = (metric: string, tags: Record<string, string>, timestampMs: number, value: number) => string | void;

/** One failed point as `?details` lists it. */
export interface OpenTsdbError {
  datapoint: unknown;
  error: string;
}

/** Counts and errors of one put. */
export interface OpenTsdbPutResult {
  success: number;
  failed: number;
  errors: OpenTsdbError[];
}

/** An HTTP answer: status and JSON body (null = no body). */
export interface OpenTsdbAnswer {
  status: number;
  body: unknown;
}

const NAME_RE = /^[-\w./\p{L}]+$/u;
const ILLEGAL_RE = /[^-\w./\p{L}]/u;

function checkName(what: string, s: string): string | null {
  if (s === '') return `Invalid ${what}: empty string`;
  if (NAME_RE.test(s)) return null;
  const bad = ILLEGAL_RE.exec(s);
  return `Invalid ${what} ("${s}"): illegal character: ${bad === null ? '?' : bad[0]}`;
}

/** Seconds (≤ 10 digits) or milliseconds (13 digits) → ms, or null when OpenTSDB would refuse it. */
export function openTsdbTimestampMs(raw: unknown): number | null {
  let t: number;
  if (typeof raw === 'number') t = raw;
  else if (typeof raw === 'string' && NUMBER_RE.test(raw)) t = Number(raw);
  else return null;
  if (!Number.isFinite(t) || t <= 0) return null;
  if (t < 1e10) {
    const ms = Math.round(t * 1000);
    return ms > 0 ? ms : null;
  }
  if (t < 1e13 && Number.isInteger(t)) return t;
  return null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validates one point; returns the error message OpenTSDB would give, or calls the sink. */
function putOne(dp: unknown, sink: OpenTsdbSink, valid: Set<string>): string | null {
  if (!isRecord(dp)) return 'Unable to parse the data point';
  const metric = dp.metric;
  if (typeof metric !== 'string' || metric === '') return 'Metric name was empty';
  const ts = openTsdbTimestampMs(dp.timestamp);
  if (ts === null) return 'Invalid timestamp';
  const rawValue = dp.value;
  if (rawValue === null || rawValue === undefined || rawValue === '') return 'Empty value';
  let value: number;
  if (typeof rawValue === 'number') value = rawValue;
  else if (typeof rawValue === 'string' && NUMBER_RE.test(rawValue.trim())) value = Number(rawValue);
  else return 'Unable to parse value to a number';
  if (!Number.isFinite(value)) return 'Unable to parse value to a number';
  const rawTags = dp.tags === undefined || dp.tags === null ? {} : dp.tags;
  if (!isRecord(rawTags)) return 'Missing tags';
  if (!valid.has(metric)) {
    const bad = checkName('metric name', metric);
    if (bad !== null) return bad;
    valid.add(metric); // names repeat a lot within a put: check each distinct string once
  }
  const tags: Record<string, string> = {};
  for (const k of Object.keys(rawTags)) {
    const v = rawTags[k];
    const sv = typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : null;
    if (sv === null) return `Invalid tag value for "${k}"`;
    if (k === '__proto__') return 'Invalid tag name ("__proto__"): reserved';
    if (!valid.has(k)) {
      const e = checkName('tag name', k);
      if (e !== null) return e;
      valid.add(k);
    }
    if (!valid.has(sv)) {
      const e = checkName('tag value', sv);
      if (e !== null) return e;
      valid.add(sv);
    }
    tags[k] = sv;
  }
  const err = sink(metric, tags, ts, value);
  return typeof err === 'string' ? err : null;
}

/** Validates an already-parsed body (object or array) point by point, feeding the good ones to `sink`. */
export function putOpenTsdbPoints(body: unknown, sink: OpenTsdbSink): OpenTsdbPutResult {
  const points = Array.isArray(body) ? body : [body];
  const result: OpenTsdbPutResult = { success: 0, failed: 0, errors: [] };
  const valid = new Set<string>();
  for (const dp of points) {
    const err = putOne(dp, sink, valid);
    if (err === null) result.success++;
    else {
      result.failed++;
      result.errors.push({ datapoint: dp, error: err });
    }
  }
  return result;
}

/** Parses the JSON text of a put; `null` when it is not JSON (answer with openTsdbBadJson()). */
export function parseOpenTsdbBody(text: string): { body: unknown } | null {
  try {
    return { body: JSON.parse(text) as unknown };
  } catch {
    return null;
  }
}

/** OpenTSDB's answer to a body that is not JSON. */
export function openTsdbBadJson(): OpenTsdbAnswer {
  return { status: 400, body: { error: { code: 400, message: 'Unable to parse the given JSON' } } };
}

/** The answer OpenTSDB gives: 204 when all stored; with ?summary/?details 200 or 400 and the counts. */
export function openTsdbPutAnswer(r: OpenTsdbPutResult, opts: { summary?: boolean; details?: boolean }): OpenTsdbAnswer {
  const status = r.failed > 0 ? 400 : 200;
  if (opts.details) return { status, body: { errors: r.errors, failed: r.failed, success: r.success } };
  if (opts.summary) return { status, body: { failed: r.failed, success: r.success } };
  if (r.failed === 0) return { status: 204, body: null };
  return {
    status: 400,
    body: { error: { code: 400, message: 'One or more data points had errors', details: 'Please see the TSD logs or append "details" to the put request' } },
  };
}

/**
 * Puts the points of a JSON text: JSON.parse then putOpenTsdbPoints. Null when the text is not JSON.
 * (A hand-written scanner for the common shape was measured slower than V8's JSON.parse here.)
 */
export function putOpenTsdbText(text: string, sink: OpenTsdbSink): OpenTsdbPutResult | null {
  const parsed = parseOpenTsdbBody(text);
  return parsed === null ? null : putOpenTsdbPoints(parsed.body, sink);
}
