// statsd line protocol (PROTOCOLS.md §5): pure parser, no imports but NUMBER_RE.
// A datagram holds lines `name:value|type[|@rate][|#tag:v,tag2]`; a malformed line is counted and
// skipped, the other lines of the datagram are kept.
import { NUMBER_RE } from './number-text.js';

/** What a statsd line measures. `h` (histogram) and DogStatsD `d` (distribution) are timers. */
export type StatsdKind = 'counter' | 'timer' | 'gauge' | 'set';

/** One valid statsd line. Every field is always set: a record is never partial. */
export interface StatsdMetric {
  /** Sanitised as the etsy daemon does: whitespace → `_`, `/` → `-`, other odd characters dropped. */
  name: string;
  kind: StatsdKind;
  /** Counter increment, timer value or gauge value; for a set, 0 (the member is in `member`). */
  value: number;
  /** Set member (empty for other kinds). */
  member: string;
  /** Sample rate in (0, 1]; 1 when absent. */
  sampleRate: number;
  /** Gauge only: value is an adjustment (`+N`/`-N`) rather than a new value. */
  delta: boolean;
  /** DogStatsD tags (a bare tag has the value ''). */
  tags: Record<string, string>;
}

/** The outcome of one datagram. */
export interface StatsdParseResult {
  metrics: StatsdMetric[];
  /** Lines that were not empty and not valid. */
  malformed: number;
}

// A null-prototype table: a type such as `constructor` or `toString` must not find Object's members.
const TYPES: Readonly<Record<string, StatsdKind>> = Object.assign(Object.create(null) as Record<string, StatsdKind>, { c: 'counter', ms: 'timer', h: 'timer', d: 'timer', g: 'gauge', s: 'set' } as const);

/** Sanitises a metric name the way the etsy statsd daemon does; may return ''. */
export function sanitizeStatsdName(raw: string): string {
  return raw.replace(/\s+/g, '_').replace(/\//g, '-').replace(/[^a-zA-Z_\-0-9.]/g, '');
}

function parseTags(field: string, into: Record<string, string>): boolean {
  for (const part of field.split(',')) {
    if (part === '') continue;
    const colon = part.indexOf(':');
    const key = colon < 0 ? part : part.slice(0, colon);
    if (key === '' || key === '__proto__') return false;
    into[key] = colon < 0 ? '' : part.slice(colon + 1);
  }
  return true;
}

/** Parses one line; null when it is malformed. */
export function parseStatsdLine(line: string): StatsdMetric | null {
  const colon = line.indexOf(':');
  const firstBar = line.indexOf('|');
  if (colon <= 0 || firstBar < colon) return null;
  const name = sanitizeStatsdName(line.slice(0, colon));
  if (name === '') return null;
  const fields = line.slice(colon + 1).split('|');
  const rawValue = fields[0]!;
  const kind = TYPES[fields[1] ?? ''];
  if (kind === undefined) return null;
  let sampleRate = 1;
  const tags: Record<string, string> = {};
  for (let i = 2; i < fields.length; i++) {
    const f = fields[i]!;
    if (f.startsWith('@')) {
      const r = f.slice(1);
      if (!NUMBER_RE.test(r)) return null;
      sampleRate = Number(r);
      if (!(sampleRate > 0 && sampleRate <= 1)) return null;
    } else if (f.startsWith('#')) {
      if (!parseTags(f.slice(1), tags)) return null;
    } else if (f.startsWith('c:') || f.startsWith('T')) {
      // DogStatsD container id and client timestamp: accepted and ignored.
    } else {
      return null;
    }
  }
  if (kind === 'set') {
    if (rawValue === '') return null;
    return { name, kind, value: 0, member: rawValue, sampleRate, delta: false, tags };
  }
  if (!NUMBER_RE.test(rawValue)) return null;
  const value = Number(rawValue);
  if (!Number.isFinite(value)) return null;
  const delta = kind === 'gauge' && (rawValue.startsWith('+') || rawValue.startsWith('-'));
  return { name, kind, value, member: '', sampleRate, delta, tags };
}

/** Parses a datagram (one or more `\n`-separated lines); empty lines are ignored, bad ones counted. */
export function parseStatsdDatagram(text: string): StatsdParseResult {
  const metrics: StatsdMetric[] = [];
  let malformed = 0;
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') continue;
    const m = parseStatsdLine(line);
    if (m === null) malformed++;
    else metrics.push(m);
  }
  return { metrics, malformed };
}
