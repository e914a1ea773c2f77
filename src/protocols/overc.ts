// OverC push API (PROTOCOLS.md §1): pure validation of request bodies into domain input.
// Every error message names the offending field, e.g. `services[2].name: must be a non-empty string`.
import type { ReportedState } from '../domain/check-state.js';
import type { CheckState } from '../domain/types.js';

/** Longest accepted host or check name, in characters. */
export const MAX_NAME_LENGTH = 255;
/** Longest accepted info or alert message, in characters. */
export const MAX_TEXT_LENGTH = 65_536;
/** Most services or alerts accepted in one request. */
export const MAX_ITEMS = 10_000;
/** Longest accepted period: one year, in seconds. */
export const MAX_PERIOD_S = 366 * 86_400;

/** A request body that does not follow the protocol; `message` names the field. */
export class OvercProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OvercProtocolError';
  }
}

/** The `server` object of every OverC request. */
export interface OvercServerId {
  name: string;
  key: string;
}

/** A parsed `/api/set/service/status` body. */
export interface OvercStatusReport {
  server: OvercServerId;
  services: (ReportedState & { metrics: OvercMetric[] })[];
}

/** A perfdata metric attached to a service (Oversee extension, ignored by original OverC servers). */
export interface OvercMetric {
  name: string;
  value: number;
  unit: string | null;
  warn: string | null;
  crit: string | null;
  min: number | null;
  max: number | null;
}

/** A parsed `/api/set/alerts` body. */
export interface OvercAlerts {
  server: OvercServerId;
  alerts: { message: string; service: string | null; title: string | null }[];
}

const STATE_MAP: Readonly<Record<string, CheckState>> = { OK: 'OK', WARN: 'WARN', ERR: 'ERR', FAIL: 'ERR', UNK: 'UNK' };

/** Parses the `server` identification shared by all OverC requests. */
export function parseServerId(body: unknown): OvercServerId {
  const obj = requireObject(body, 'body');
  if (!('server' in obj) || obj.server === undefined || obj.server === null) throw new OvercProtocolError('server: required');
  const server = requireObject(obj.server, 'server');
  return { name: requireName(server.name, 'server.name'), key: requireString(server.key, 'server.key', MAX_NAME_LENGTH) };
}

/** Parses a `/api/set/service/status` body. */
export function parseStatusReport(body: unknown): OvercStatusReport {
  const server = parseServerId(body);
  const obj = body as Record<string, unknown>;
  const topPeriod = obj.period === undefined || obj.period === null ? null : parsePeriod(obj.period, 'period');
  const list = requireArray(obj.services, 'services');
  const services = list.map((raw, i) => {
    const field = `services[${i}]`;
    const s = requireObject(raw, field);
    const name = requireName(s.name, `${field}.name`);
    const rawState = requireString(s.state, `${field}.state`, 64);
    let info = s.info === undefined || s.info === null ? '' : requireString(s.info, `${field}.info`, MAX_TEXT_LENGTH);
    let state = STATE_MAP[rawState];
    if (state === undefined) {
      state = 'UNK';
      info = `${info} (sent unsupported state: ${JSON.stringify(rawState)})`.trimStart();
    }
    const periodS = s.period === undefined || s.period === null ? topPeriod : parsePeriod(s.period, `${field}.period`);
    if (periodS === null) throw new OvercProtocolError(`${field}.period: required (give "period" at the top level or per service)`);
    const metrics = s.metrics === undefined || s.metrics === null ? [] : parseMetrics(s.metrics, `${field}.metrics`);
    return { name, state, info, periodS, metrics };
  });
  return { server, services };
}

/** Parses a `/api/set/alerts` body. */
export function parseAlerts(body: unknown): OvercAlerts {
  const server = parseServerId(body);
  const list = requireArray((body as Record<string, unknown>).alerts, 'alerts');
  const alerts = list.map((raw, i) => {
    const field = `alerts[${i}]`;
    const a = requireObject(raw, field);
    const message = requireString(a.message, `${field}.message`, MAX_TEXT_LENGTH);
    if (message.trim() === '') throw new OvercProtocolError(`${field}.message: must not be empty`);
    const service = a.service === undefined || a.service === null ? null : requireName(a.service, `${field}.service`);
    const title = a.title === undefined || a.title === null ? null : requireString(a.title, `${field}.title`, MAX_NAME_LENGTH);
    return { message, service, title };
  });
  return { server, alerts };
}

function parseMetrics(raw: unknown, field: string): OvercMetric[] {
  return requireArray(raw, field).map((m, i) => {
    const f = `${field}[${i}]`;
    const o = requireObject(m, f);
    const value = requireNumber(o.value, `${f}.value`);
    const optNum = (v: unknown, k: string) => (v === undefined || v === null ? null : requireNumber(v, `${f}.${k}`));
    const optStr = (v: unknown, k: string) => (v === undefined || v === null ? null : requireString(v, `${f}.${k}`, 64));
    return {
      name: requireName(o.name, `${f}.name`), value, unit: optStr(o.unit, 'unit'), warn: optStr(o.warn, 'warn'),
      crit: optStr(o.crit, 'crit'), min: optNum(o.min, 'min'), max: optNum(o.max, 'max'),
    };
  });
}

/** Accepts a positive integer or an integer-valued string ("60"), as real OverC clients send both. */
function parsePeriod(v: unknown, field: string): number {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && /^\s*\d+\s*$/.test(v)) n = Number(v);
  else throw new OvercProtocolError(`${field}: must be a positive integer number of seconds, got ${describe(v)}`);
  if (!Number.isInteger(n) || n < 1 || n > MAX_PERIOD_S) {
    throw new OvercProtocolError(`${field}: must be an integer from 1 to ${MAX_PERIOD_S} seconds, got ${describe(v)}`);
  }
  return n;
}

function requireObject(v: unknown, field: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new OvercProtocolError(`${field}: must be an object, got ${describe(v)}`);
  return v as Record<string, unknown>;
}

function requireArray(v: unknown, field: string): unknown[] {
  if (v === undefined || v === null) throw new OvercProtocolError(`${field}: required`);
  if (!Array.isArray(v)) throw new OvercProtocolError(`${field}: must be an array, got ${describe(v)}`);
  if (v.length > MAX_ITEMS) throw new OvercProtocolError(`${field}: at most ${MAX_ITEMS} items per request, got ${v.length}`);
  return v;
}

function requireString(v: unknown, field: string, max: number): string {
  if (v === undefined || v === null) throw new OvercProtocolError(`${field}: required`);
  if (typeof v !== 'string') throw new OvercProtocolError(`${field}: must be a string, got ${describe(v)}`);
  if (v.length > max) throw new OvercProtocolError(`${field}: longer than ${max} characters (${v.length})`);
  return v;
}

function requireName(v: unknown, field: string): string {
  const s = requireString(v, field, MAX_NAME_LENGTH);
  if (s.trim() === '') throw new OvercProtocolError(`${field}: must be a non-empty string`);
  // eslint-disable-next-line no-control-regex -- rejecting control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(s)) throw new OvercProtocolError(`${field}: must not contain control characters`);
  return s;
}

function requireNumber(v: unknown, field: string): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  throw new OvercProtocolError(`${field}: must be a finite number, got ${describe(v)}`);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}
