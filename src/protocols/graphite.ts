// Graphite plaintext protocol: pure parser, no imports but NUMBER_RE. One metric per line,
// `path value timestamp` (seconds; -1 or missing-as-"N" means "now"), with optional Graphite 1.1
// tags in the path: `path;tag=value;tag2=value2`. A malformed line is counted and skipped.
import { NUMBER_RE } from './number-text.js';

/** One valid line. Never partial: every field is set. */
export interface GraphiteMetric {
  path: string;
  value: number;
  /** Milliseconds since the epoch. */
  timestampMs: number;
  tags: Record<string, string>;
}

/** Outcome of a block of lines. */
export interface GraphiteParseResult {
  metrics: GraphiteMetric[];
  malformed: number;
}

const PATH_RE = /^[^\s;]+$/;
const TAG_RE = /^([^\s;!^=~]+)=([^\s;~][^\s;]*)$/;

/** Parses one line; `nowMs` stands in for a timestamp of -1. Null when malformed (or a NaN value). */
export function parseGraphiteLine(line: string, nowMs: number): GraphiteMetric | null {
  const parts = line.trim().split(/\s+/);
  if (parts.length !== 3) return null;
  const [pathPart, rawValue, rawTs] = parts as [string, string, string];
  const segments = pathPart.split(';');
  const path = segments[0]!;
  if (!PATH_RE.test(path) || path.startsWith('.') || path.endsWith('.') || path.includes('..')) return null;
  const tags: Record<string, string> = {};
  for (let i = 1; i < segments.length; i++) {
    const m = TAG_RE.exec(segments[i]!);
    if (m === null || m[1] === '__proto__') return null;
    tags[m[1]!] = m[2]!;
  }
  if (!NUMBER_RE.test(rawValue)) return null;
  const value = Number(rawValue);
  if (!Number.isFinite(value)) return null;
  let timestampMs: number;
  if (rawTs === '-1' || rawTs === 'N') timestampMs = nowMs;
  else {
    if (!NUMBER_RE.test(rawTs)) return null;
    const s = Number(rawTs);
    if (!Number.isFinite(s) || s < 0 || s > 1e11) return null;
    timestampMs = Math.round(s * 1000);
  }
  return { path, value, timestampMs, tags };
}

/** Parses a block of `\n`-separated lines; empty lines are ignored, bad ones counted. */
export function parseGraphiteLines(text: string, nowMs: number): GraphiteParseResult {
  const metrics: GraphiteMetric[] = [];
  let malformed = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const m = parseGraphiteLine(line, nowMs);
    if (m === null) malformed++;
    else metrics.push(m);
  }
  return { metrics, malformed };
}

/** Splits stream text at its last newline: whole lines to parse now, and the partial rest to keep for the next chunk. */
export function takeCompleteLines(text: string): { complete: string; rest: string } {
  const nl = text.lastIndexOf('\n');
  return nl < 0 ? { complete: '', rest: text } : { complete: text.slice(0, nl + 1), rest: text.slice(nl + 1) };
}
