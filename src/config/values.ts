// Value parsers for settings: each takes what a TOML file, an environment variable or a flag gave
// (TOML values are typed; env and flags are strings) and returns the value or throws BadValue.
import { isAbsolute, resolve } from 'node:path';

/** A value a setting cannot take; the message completes "config: <key>: ...". */
export class BadValue extends Error {
  constructor(problem: string) {
    super(problem);
    this.name = 'BadValue';
  }
}

/** Renders an input for an error message: strings quoted, tables and arrays named. */
export function describeInput(input: unknown): string {
  if (typeof input === 'string') return JSON.stringify(input);
  if (Array.isArray(input)) return 'an array';
  if (input instanceof Date) return `a date (${input.toISOString()})`;
  if (input !== null && typeof input === 'object') return 'a table';
  return String(input);
}

/** An integer in [min, max], from a TOML integer or a string of decimal digits. */
export function parseIntInRange(input: unknown, min: number, max: number): number {
  const problem = `must be an integer ${min}-${max}, got ${describeInput(input)}`;
  let n: number;
  if (typeof input === 'number') n = input;
  else if (typeof input === 'string' && /^\s*[+-]?\d+\s*$/.test(input)) n = Number(input);
  else throw new BadValue(problem);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new BadValue(problem);
  return n;
}

const BYTE_UNITS: Readonly<Record<string, number>> = {
  '': 1, b: 1,
  k: 1024, kb: 1024, kib: 1024,
  m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2,
  g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3,
};

/** A size in bytes within [min, max]: an integer, or a string like "512KiB", "1MB", "2m" (units are ×1024). */
export function parseBytes(input: unknown, min: number, max: number): number {
  const problem = `must be a size in bytes from ${min} to ${max} (e.g. 1048576, "512KiB", "1MiB"), got ${describeInput(input)}`;
  let n: number;
  if (typeof input === 'number') {
    n = input;
  } else if (typeof input === 'string') {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(input);
    const unit = m ? BYTE_UNITS[(m[2] ?? '').toLowerCase()] : undefined;
    if (!m || unit === undefined) throw new BadValue(problem);
    n = Math.round(Number(m[1]) * unit);
  } else {
    throw new BadValue(problem);
  }
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new BadValue(problem);
  return n;
}

/** One of `choices` (case-insensitive), returned in the spelling of `choices`. */
export function parseChoice<T extends string>(input: unknown, choices: readonly T[]): T {
  if (typeof input === 'string') {
    const found = choices.find((c) => c === input.trim().toLowerCase());
    if (found !== undefined) return found;
  }
  throw new BadValue(`must be one of ${choices.join(', ')}, got ${describeInput(input)}`);
}

/** A listen address: a host name, an IPv4 or an IPv6 address (brackets optional). */
export function parseHost(input: unknown): string {
  if (typeof input === 'string') {
    const host = input.trim().replace(/^\[(.*)\]$/, '$1');
    if (/^[A-Za-z0-9._:%-]+$/.test(host)) return host;
  }
  throw new BadValue(`must be a host name or IP address (e.g. 127.0.0.1, 0.0.0.0, ::), got ${describeInput(input)}`);
}

/** A non-empty path, made absolute against `baseDir` (the config file's directory, or the working directory). */
export function parsePath(input: unknown, baseDir: string): string {
  if (typeof input !== 'string' || input.trim() === '' || input.includes('\0')) {
    throw new BadValue(`must be a non-empty path, got ${describeInput(input)}`);
  }
  return isAbsolute(input) ? input : resolve(baseDir, input);
}

/**
 * Where the store lives: a SQLite file, or a PostgreSQL database and schema. `path` is what messages
 * show (the file; for PostgreSQL the URL without its password).
 */
export type StoreLocation =
  | { kind: 'sqlite'; path: string }
  | { kind: 'postgres'; url: string; schema: string; poolSize: number; path: string };

/**
 * A store location: a SQLite file path (optionally `sqlite:` prefixed), or a `postgres://` URL whose
 * optional `?schema=` names the schema holding every table (default `public`) and `?pool=` the
 * connections of each node (default 16).
 */
export function parseStore(input: unknown, baseDir: string): StoreLocation {
  if (typeof input === 'string') {
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(input.trim())?.[1]?.toLowerCase();
    if (scheme === 'postgres' || scheme === 'postgresql') return parsePostgresUrl(input.trim());
    if (scheme === 'sqlite') return { kind: 'sqlite', path: parsePath(input.trim().slice('sqlite://'.length), baseDir) };
    if (scheme !== undefined) {
      throw new BadValue(`must be a SQLite file path or a postgres:// URL, got an unsupported URL scheme ${JSON.stringify(scheme)}`);
    }
    if (input.trim().startsWith('sqlite:')) return { kind: 'sqlite', path: parsePath(input.trim().slice('sqlite:'.length), baseDir) };
  }
  return { kind: 'sqlite', path: parsePath(input, baseDir) };
}

function parsePostgresUrl(input: string): StoreLocation {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new BadValue('must be a valid postgres:// URL (postgres://user@host:5432/database)');
  }
  const schema = url.searchParams.get('schema') ?? 'public';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new BadValue(`?schema= must be a lower-case identifier ([a-z_][a-z0-9_]*, at most 63), got ${JSON.stringify(schema)}`);
  }
  const pool = url.searchParams.get('pool') ?? '16';
  if (!/^[0-9]{1,3}$/.test(pool) || Number(pool) < 2 || Number(pool) > 200) {
    throw new BadValue(`?pool= must be a whole number of connections from 2 to 200, got ${JSON.stringify(pool)}`);
  }
  url.searchParams.delete('schema');
  url.searchParams.delete('pool');
  const shown = new URL(url.href);
  if (shown.password !== '') shown.password = '***';
  return { kind: 'postgres', url: url.href, schema, poolSize: Number(pool), path: shown.href };
}
