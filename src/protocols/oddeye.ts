// OddEye `POST /oddeye-barlus/put/tsdb` (PROTOCOLS.md §2): pure parsing and the status-code
// decision table, no imports but NUMBER_RE. Real agents send `UUID=<uuid>&data=<json>` with the JSON NOT
// URL-encoded; standard form decoding would break it, so the raw text after `data=` wins when it
// parses as JSON, and form decoding is the fallback.
import { NUMBER_RE } from './number-text.js';

/** OddEye's metric types, lower-cased; unknown names mean 'none'. */
export type OddEyeType = 'none' | 'rate' | 'percent' | 'counter' | 'special';

/** Status of a Special element. */
export type OddEyeStatus = 'OK' | 'ELEVATED' | 'WARNING' | 'ERROR';

/** One valid element; never partial. */
export interface OddEyeElement {
  metric: string;
  /** Milliseconds (OddEye sends seconds, possibly fractional). */
  timestampMs: number;
  value: number;
  tags: Record<string, string>;
  type: OddEyeType;
  /** 0 learn + alert; -1 ignore lower; -2 ignore higher; -3 no learning; > 0 on Special: heartbeat minutes. */
  reaction: number;
  /** Set on Special elements only. */
  status: OddEyeStatus | null;
  message: string;
}

/** The form fields of a request. */
export interface OddEyeFields {
  uuid: string | null;
  data: string | null;
  sandbox: string | null;
}

/** A rejected element and why. */
export interface OddEyeRejected {
  index: number;
  error: string;
}

/** The decision for one request: the status code is the contract. */
export type OddEyeDecision =
  | { status: 200; uuid: string; elements: OddEyeElement[]; rejected: OddEyeRejected[]; sandbox: boolean }
  | { status: 406 | 424 | 411 | 415; message: string };

const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
// A null-prototype table: a type such as `constructor` must mean None, not find Object's members.
const TYPES: Readonly<Record<string, OddEyeType>> = Object.assign(Object.create(null) as Record<string, OddEyeType>, { none: 'none', rate: 'rate', percent: 'percent', counter: 'counter', special: 'special' } as const);
const STATUSES: readonly OddEyeStatus[] = ['OK', 'ELEVATED', 'WARNING', 'ERROR'];

function formValue(params: URLSearchParams, key: string): string | null {
  const v = params.get(key);
  return v === null ? null : v;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Splits a raw form body into fields. Steps: 1. find the first `data=` at a field start; 2. take the
 * rest as JSON if it parses, else try cutting at each later `&name=` from the end; 3. otherwise form-decode.
 */
export function splitOddEyeBody(raw: string): OddEyeFields {
  const at = raw.startsWith('data=') ? 0 : raw.indexOf('&data=') + 1;
  if (at > 0 || raw.startsWith('data=')) {
    const start = at + 5;
    const rest = raw.slice(start);
    const cuts: number[] = [rest.length];
    const re = /&[A-Za-z_]+=/g;
    for (let m = re.exec(rest); m !== null; m = re.exec(rest)) cuts.push(m.index);
    cuts.sort((a, b) => b - a);
    for (const cut of cuts) {
      const json = rest.slice(0, cut);
      if (json.trim() !== '' && isJson(json)) {
        const others = new URLSearchParams(raw.slice(0, Math.max(0, at - 1)) + '&' + rest.slice(cut + 1));
        return { uuid: formValue(others, 'UUID'), data: json, sandbox: formValue(others, 'sandbox') };
      }
    }
  }
  const params = new URLSearchParams(raw);
  return { uuid: formValue(params, 'UUID'), data: formValue(params, 'data'), sandbox: formValue(params, 'sandbox') };
}

function num(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && NUMBER_RE.test(v.trim())) { // blanks around the number are allowed
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validates one element: the element or the reason it is dropped. */
export function parseOddEyeElement(el: unknown): OddEyeElement | string {
  if (!isRecord(el)) return 'element is not an object';
  const metric = el.metric;
  if (typeof metric !== 'string' || metric.trim() === '') return 'metric: required non-empty string';
  const ts = num(el.timestamp);
  if (ts === null || ts <= 0 || ts > 1e11) return 'timestamp: required number of seconds';
  const value = num(el.value);
  if (value === null) return 'value: required number or numeric string';
  if (!isRecord(el.tags)) return 'tags: required object';
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(el.tags)) {
    if (k === '' || k === '__proto__') return 'tags: empty or reserved tag name';
    if (typeof v === 'string') tags[k] = v;
    else if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean') tags[k] = String(v);
    else return `tags.${k}: must be a string`;
  }
  const type = typeof el.type === 'string' ? TYPES[el.type.toLowerCase()] ?? 'none' : 'none';
  let reaction = 0;
  if (el.reaction !== undefined && el.reaction !== null) {
    const r = num(el.reaction);
    if (r === null) return 'reaction: must be a number';
    reaction = r;
  }
  let status: OddEyeStatus | null = null;
  if (type === 'special') {
    const s = typeof el.status === 'string' ? el.status.toUpperCase() : '';
    if (!(STATUSES as readonly string[]).includes(s)) return 'status: Special needs OK, ELEVATED, WARNING or ERROR';
    status = s as OddEyeStatus;
  }
  const message = typeof el.message === 'string' ? el.message : '';
  return { metric, timestampMs: Math.round(ts * 1000), value, tags, type, reaction, status, message };
}

/** The decision table: 406 EMPTY UUID · 424 NOT VALID UUID · 424 Empty Data · 415 bad JSON · 411 no valid element · 200. */
export function decideOddEye(fields: OddEyeFields): OddEyeDecision {
  const uuid = (fields.uuid ?? '').trim();
  if (uuid === '') return { status: 406, message: 'EMPTY UUID' };
  if (!UUID_RE.test(uuid)) return { status: 424, message: 'NOT VALID UUID' };
  const data = fields.data ?? '';
  if (data.trim() === '') return { status: 424, message: 'Empty Data' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return { status: 415, message: 'Unknown error' };
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  const elements: OddEyeElement[] = [];
  const rejected: OddEyeRejected[] = [];
  list.forEach((el, index) => {
    const r = parseOddEyeElement(el);
    if (typeof r === 'string') rejected.push({ index, error: r });
    else elements.push(r);
  });
  if (elements.length === 0) return { status: 411, message: 'Not valid data' };
  return { status: 200, uuid: uuid.toLowerCase(), elements, rejected, sandbox: fields.sandbox !== null && fields.sandbox !== '' };
}

/** The JSON body for a decision (valid JSON, unlike the original server's). */
export function oddEyeAnswerBody(d: OddEyeDecision): Record<string, unknown> {
  if (d.status !== 200) return { state: 'FAILURE', message: d.message };
  return d.rejected.length === 0 ? { state: 'OK' } : { state: 'OK', accepted: d.elements.length, rejected: d.rejected };
}

/** A Special status as a check state: ELEVATED and WARNING are WARN, ERROR is ERR. */
export function oddEyeStatusToState(s: OddEyeStatus): 'OK' | 'WARN' | 'ERR' {
  return s === 'OK' ? 'OK' : s === 'ERROR' ? 'ERR' : 'WARN';
}

/** OddEye type → tsdb metric type (Special carries no series type of its own: gauge). */
export function oddEyeTypeToMetricType(t: OddEyeType): 'gauge' | 'counter' | 'rate' | 'percent' {
  return t === 'counter' ? 'counter' : t === 'rate' ? 'rate' : t === 'percent' ? 'percent' : 'gauge';
}

/** What a Special element means for its check (PROTOCOLS.md §2). */
export interface OddEyeSpecialReport {
  state: 'OK' | 'WARN' | 'ERR';
  info: string;
  /** Severe banner: shown while the status is ERROR; removed 2 minutes after the status changes. */
  severe: boolean;
  /** reaction > 0: a heartbeat — the check goes ERR when no newer Special arrives within this many seconds. */
  heartbeatS: number | null;
  /** reaction < 0: the check clears to OK after this many seconds without an update. */
  autoClearS: number | null;
}

/** Seconds a Severe banner stays after the status changed away from ERROR. */
export const ODDEYE_SEVERE_LINGER_S = 120;

/** The meaning of a Special element (null for other types). */
export function oddEyeSpecialReport(el: OddEyeElement): OddEyeSpecialReport | null {
  if (el.type !== 'special' || el.status === null) return null;
  return {
    state: oddEyeStatusToState(el.status),
    info: el.message,
    severe: el.status === 'ERROR',
    heartbeatS: el.reaction > 0 ? el.reaction * 60 : null,
    autoClearS: el.reaction < 0 ? -el.reaction * 60 : null,
  };
}
