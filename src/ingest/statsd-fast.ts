// A fast path for the common statsd line `name:value|type[|@rate][|#k:v,…]` with a plain name
// ([A-Za-z0-9_.-]): one scan with indexOf, no regex replaces and no intermediate arrays. Anything
// else goes to parseStatsdLine, and a differential fuzz test holds both equal, so the listener gets
// exactly the protocol module's results, faster.
import { parseStatsdLine, type StatsdKind, type StatsdMetric, type StatsdParseResult } from '../protocols/statsd.js';
import { NUMBER_RE } from '../protocols/number-text.js';


function plainName(s: string, end: number): boolean {
  if (end === 0) return false;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 45)) return false;
  }
  return true;
}

function kindOf(line: string, a: number, b: number): StatsdKind | null {
  const len = b - a;
  const c0 = line.charCodeAt(a);
  if (len === 1) return c0 === 99 ? 'counter' : c0 === 103 ? 'gauge' : c0 === 115 ? 'set' : c0 === 104 || c0 === 100 ? 'timer' : null;
  if (len === 2 && c0 === 109 && line.charCodeAt(a + 1) === 115) return 'timer';
  return null;
}

/** Tags of `#k:v,k2` into `into`; false where parseStatsdLine would refuse them. */
function addTags(field: string, into: Record<string, string>): boolean {
  let start = 0;
  while (start <= field.length) {
    let end = field.indexOf(',', start);
    if (end < 0) end = field.length;
    if (end > start) {
      const colon = field.indexOf(':', start);
      const keyEnd = colon < 0 || colon > end ? end : colon;
      const key = field.slice(start, keyEnd);
      if (key === '' || key === '__proto__') return false;
      into[key] = keyEnd === end ? '' : field.slice(keyEnd + 1, end);
    }
    start = end + 1;
  }
  return true;
}

/** Parses one line like parseStatsdLine, taking the fast path when the line allows it. */
export function parseStatsdLineFast(line: string): StatsdMetric | null {
  const colon = line.indexOf(':');
  if (colon <= 0 || !plainName(line, colon)) return parseStatsdLine(line);
  const bar = line.indexOf('|', colon + 1);
  if (bar < 0 || line.lastIndexOf('|', colon) >= 0) return parseStatsdLine(line);
  let next = line.indexOf('|', bar + 1);
  const kind = kindOf(line, bar + 1, next < 0 ? line.length : next);
  if (kind === null) return parseStatsdLine(line);
  let sampleRate = 1;
  const tags: Record<string, string> = {};
  while (next >= 0) {
    const start = next + 1;
    next = line.indexOf('|', start);
    const field = line.slice(start, next < 0 ? line.length : next);
    const c = field.charCodeAt(0);
    if (c === 64) {
      const r = field.slice(1);
      if (!NUMBER_RE.test(r)) return null;
      sampleRate = Number(r);
      if (!(sampleRate > 0 && sampleRate <= 1)) return null;
    } else if (c === 35) {
      if (!addTags(field.slice(1), tags)) return null;
    } else {
      return parseStatsdLine(line);
    }
  }
  const name = line.slice(0, colon);
  const rawValue = line.slice(colon + 1, bar);
  if (kind === 'set') {
    if (rawValue === '') return null;
    return { name, kind, value: 0, member: rawValue, sampleRate, delta: false, tags };
  }
  if (!NUMBER_RE.test(rawValue)) return null;
  const value = Number(rawValue);
  if (!Number.isFinite(value)) return null;
  const c0 = rawValue.charCodeAt(0);
  return { name, kind, value, member: '', sampleRate, delta: kind === 'gauge' && (c0 === 43 || c0 === 45), tags };
}

/** Parses a datagram like parseStatsdDatagram, line by line through parseStatsdLineFast. */
export function parseStatsdDatagramFast(text: string): StatsdParseResult {
  const metrics: StatsdMetric[] = [];
  let malformed = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let line = text.slice(start, end);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    start = end + 1;
    if (line.trim() === '') continue;
    const m = parseStatsdLineFast(line);
    if (m === null) malformed++;
    else metrics.push(m);
  }
  return { metrics, malformed };
}
