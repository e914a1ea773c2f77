// Small validators for channel configs: each throws OVS_ERR_VALIDATION naming the offending field.
import { invalid } from '../errors.js';

/** A required non-empty string. */
export function reqString(raw: Record<string, unknown>, field: string): string {
  const v = raw[field];
  if (typeof v !== 'string' || v.trim() === '') throw invalid(field, 'required, a non-empty string');
  return v;
}

/** An optional string (undefined when absent). */
export function optString(raw: Record<string, unknown>, field: string): string | undefined {
  const v = raw[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalid(field, 'must be a string');
  return v;
}

/** An optional boolean. */
export function optBool(raw: Record<string, unknown>, field: string): boolean | undefined {
  const v = raw[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw invalid(field, 'must be true or false');
  return v;
}

/** An optional integer within [min, max]. */
export function optInt(raw: Record<string, unknown>, field: string, min: number, max: number): number | undefined {
  const v = raw[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw invalid(field, `must be an integer from ${min} to ${max}`);
  }
  return v;
}

/** An optional list of non-empty strings (a single string is accepted as a list of one). */
export function optStringList(raw: Record<string, unknown>, field: string): string[] | undefined {
  const v = raw[field];
  if (v === undefined || v === null) return undefined;
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.some((s) => typeof s !== 'string' || s.trim() === '')) {
    throw invalid(field, 'must be a list of non-empty strings');
  }
  return list as string[];
}

/** An optional table of string values (e.g. HTTP headers or environment variables). */
export function optStringMap(raw: Record<string, unknown>, field: string): Record<string, string> | undefined {
  const v = raw[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw invalid(field, 'must be a table of strings');
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    if (typeof val !== 'string') throw invalid(`${field}.${k}`, 'must be a string');
    out[k] = val;
  }
  return out;
}

/** A required http(s) URL. */
export function reqHttpUrl(raw: Record<string, unknown>, field: string): string {
  const s = reqString(raw, field);
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw invalid(field, 'must be an absolute URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw invalid(field, 'must be an http:// or https:// URL');
  return s;
}

/** Rejects fields the channel type does not know (typos should not pass silently). */
export function rejectUnknown(raw: Record<string, unknown>, known: readonly string[]): void {
  for (const k of Object.keys(raw)) if (!known.includes(k)) throw invalid(k, 'unknown field');
}
