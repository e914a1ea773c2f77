// goma monitor definitions (PROTOCOLS.md §4): TOML files with `[[monitor]]` tables, or one JSON
// object per `POST /register`. This module checks the monitor's own keys and offers a small
// schema checker that each probe/filter/action uses for its parameters, so every error names the
// file, the line (TOML, where it can be found) and the key path. Any TOML/JSON number is accepted
// where a number is expected (goma rejected integers where it wanted floats).
import { parse as parseToml, TomlError } from 'smol-toml';

/** A plugin table: `type` plus that plugin's parameters. */
export interface GomaPluginDef {
  type: string;
  params: Record<string, unknown>;
}

/** Where a definition came from, so later errors (plugin parameters) can name file and line. */
export interface GomaOrigin {
  file: string;
  /** Index of the `[[monitor]]` table in the file (0-based). */
  index: number;
  /** The TOML source, when the definition came from TOML (used to find lines). */
  text?: string;
}

/** One monitor as goma defines it; times in seconds. */
export interface GomaMonitorDef {
  name: string;
  interval: number;
  timeout: number;
  min: number;
  max: number;
  probe: GomaPluginDef;
  filter: GomaPluginDef | undefined;
  actions: GomaPluginDef[];
  origin: GomaOrigin;
}

/** A definition error naming file, line (when known) and key path. */
export class GomaMonitorError extends Error {
  readonly file: string;
  readonly line: number | undefined;
  readonly key: string | undefined;
  constructor(file: string, line: number | undefined, key: string | undefined, problem: string) {
    super(`${file}${line !== undefined ? `:${line}` : ''}: ${key !== undefined ? `${key}: ` : ''}${problem}`);
    this.name = 'GomaMonitorError';
    this.file = file;
    this.line = line;
    this.key = key;
  }
}

/** Builds an error for `keyPath` (e.g. `monitor[0].probe.command`) of a definition, finding its line. */
export function errorAt(origin: GomaOrigin, keyPath: string, problem: string): GomaMonitorError {
  const line = origin.text !== undefined ? locateKey(origin.text, origin.index, keyPath) : undefined;
  return new GomaMonitorError(origin.file, line, keyPath, problem);
}

/**
 * Best-effort line of `keyPath` in TOML text: finds the index-th `[[monitor]]`, then the
 * sub-table (`[monitor.probe]`, n-th `[[monitor.actions]]`), then a `key =` line inside it.
 */
export function locateKey(text: string, monitorIndex: number, keyPath: string): number | undefined {
  const lines = text.split(/\r?\n/);
  const headerOf = (l: string): string | undefined => /^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$/.exec(l)?.[1];
  // 1. Range of the monitor table.
  let start = -1;
  let seen = -1;
  for (let i = 0; i < lines.length; i++) {
    if (headerOf(lines[i] ?? '') === 'monitor' && ++seen === monitorIndex) { start = i; break; }
  }
  if (start < 0) return undefined;
  let end = lines.length;
  for (let i = start + 1; i < lines.length; i++) if (headerOf(lines[i] ?? '') === 'monitor') { end = i; break; }
  // 2. Sub-table named in the path.
  const parts = keyPath.replace(/^monitor(\[\d+\])?\.?/, '').split('.').filter((p) => p !== '');
  let lo = start;
  let hi = end;
  const first = parts[0];
  const sub = first === undefined ? undefined : /^(probe|filter|actions)(?:\[(\d+)\])?$/.exec(first);
  if (sub && parts.length > 1) {
    const table = `monitor.${sub[1] ?? ''}`;
    const nth = sub[2] === undefined ? 0 : Number(sub[2]);
    let found = -1;
    let count = -1;
    for (let i = start + 1; i < end; i++) if (headerOf(lines[i] ?? '') === table && ++count === nth) { found = i; break; }
    if (found < 0) return start + 1;
    lo = found;
    hi = end;
    for (let i = found + 1; i < end; i++) if (headerOf(lines[i] ?? '') !== undefined) { hi = i; break; }
    parts.shift();
  }
  // 3. The key line, else the table header.
  const key = parts[parts.length - 1];
  if (key !== undefined) {
    const re = new RegExp(`^\\s*"?${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?\\s*=`);
    for (let i = lo; i < hi; i++) if (re.test(lines[i] ?? '')) return i + 1;
  }
  return lo + 1;
}

/** Parameter types a plugin may declare. `number` accepts any JSON/TOML number. */
export type ParamType = 'string' | 'number' | 'boolean' | 'string[]' | 'string-map';

/** One declared parameter. */
export interface ParamSpec {
  type: ParamType;
  required?: boolean;
}

/** A plugin's parameter schema: every key it accepts (others are rejected). */
export type ParamSchema = Record<string, ParamSpec>;

type TypeOf<T extends ParamType> = T extends 'string' ? string
  : T extends 'number' ? number
    : T extends 'boolean' ? boolean
      : T extends 'string[]' ? string[]
        : Record<string, string>;

/** The checked parameters of a schema, typed. */
export type ParamsOf<S extends ParamSchema> = {
  [K in keyof S]: S[K]['required'] extends true ? TypeOf<S[K]['type']> : TypeOf<S[K]['type']> | undefined;
};

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function checkValue(v: unknown, type: ParamType): boolean {
  switch (type) {
    case 'string': return typeof v === 'string';
    case 'number': return typeof v === 'number' && Number.isFinite(v);
    case 'boolean': return typeof v === 'boolean';
    case 'string[]': return Array.isArray(v) && v.every((x) => typeof x === 'string');
    case 'string-map': return isPlainObject(v) && Object.values(v).every((x) => typeof x === 'string');
  }
}

const TYPE_WORDS: Record<ParamType, string> = {
  string: 'a string', number: 'a number', boolean: 'true or false', 'string[]': 'a list of strings', 'string-map': 'a table of strings',
};

/** Checks `params` against `schema`; throws GomaMonitorError naming `${path}.${key}`. */
export function checkParams<S extends ParamSchema>(params: Record<string, unknown>, schema: S, origin: GomaOrigin, path: string): ParamsOf<S> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(params)) {
    if (!(key in schema)) throw errorAt(origin, `${path}.${key}`, `unknown key (expected one of type, ${Object.keys(schema).join(', ')})`);
  }
  for (const [key, spec] of Object.entries(schema)) {
    const v = params[key];
    if (v === undefined) {
      if (spec.required) throw errorAt(origin, `${path}.${key}`, 'missing required key');
      continue;
    }
    if (!checkValue(v, spec.type)) throw errorAt(origin, `${path}.${key}`, `expected ${TYPE_WORDS[spec.type]}, got ${JSON.stringify(v)}`);
    out[key] = v;
  }
  return out as ParamsOf<S>;
}

const MONITOR_KEYS = ['name', 'interval', 'timeout', 'min', 'max', 'probe', 'filter', 'actions'];

function pluginDef(v: unknown, origin: GomaOrigin, path: string): GomaPluginDef {
  if (!isPlainObject(v)) throw errorAt(origin, path, 'expected a table');
  const { type, ...params } = v;
  if (typeof type !== 'string' || type === '') throw errorAt(origin, `${path}.type`, 'missing required key (a string)');
  return { type, params };
}

function numberOr(v: unknown, fallback: number, origin: GomaOrigin, path: string, positive: boolean): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw errorAt(origin, path, `expected a number, got ${JSON.stringify(v)}`);
  if (positive && v <= 0) throw errorAt(origin, path, `must be greater than 0, got ${v}`);
  return v;
}

/** Checks one monitor object (from TOML or JSON) and fills goma's defaults. */
export function parseMonitorObject(obj: unknown, origin: GomaOrigin): GomaMonitorDef {
  const p = `monitor[${origin.index}]`;
  if (!isPlainObject(obj)) throw errorAt(origin, p, 'expected a table/object');
  for (const key of Object.keys(obj)) {
    if (!MONITOR_KEYS.includes(key)) throw errorAt(origin, `${p}.${key}`, `unknown key (expected one of ${MONITOR_KEYS.join(', ')})`);
  }
  const name = obj['name'];
  if (typeof name !== 'string' || name.trim() === '') throw errorAt(origin, `${p}.name`, 'missing required key (a non-empty string)');
  const min = numberOr(obj['min'], 0, origin, `${p}.min`, false);
  const max = numberOr(obj['max'], 0, origin, `${p}.max`, false);
  if (min > max) throw errorAt(origin, `${p}.min`, `min (${min}) is greater than max (${max})`);
  if (obj['probe'] === undefined) throw errorAt(origin, `${p}.probe`, 'missing required key');
  const actions = obj['actions'];
  if (actions === undefined) throw errorAt(origin, `${p}.actions`, 'missing required key');
  if (!Array.isArray(actions)) throw errorAt(origin, `${p}.actions`, 'expected a list of tables');
  return {
    name,
    interval: numberOr(obj['interval'], 60, origin, `${p}.interval`, true),
    timeout: numberOr(obj['timeout'], 59, origin, `${p}.timeout`, true),
    min,
    max,
    probe: pluginDef(obj['probe'], origin, `${p}.probe`),
    filter: obj['filter'] === undefined ? undefined : pluginDef(obj['filter'], origin, `${p}.filter`),
    actions: actions.map((a: unknown, i) => pluginDef(a, origin, `${p}.actions[${i}]`)),
    origin,
  };
}

/** Parses a TOML file with `[[monitor]]` tables; throws GomaMonitorError naming file, line, key. */
export function parseMonitorToml(text: string, file: string): GomaMonitorDef[] {
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof TomlError) throw new GomaMonitorError(file, err.line, undefined, err.message.split('\n')[0] ?? 'invalid TOML');
    throw err;
  }
  for (const key of Object.keys(doc)) {
    if (key !== 'monitor') throw new GomaMonitorError(file, undefined, key, 'unknown top-level key (expected [[monitor]] tables)');
  }
  const monitors = doc['monitor'];
  if (monitors === undefined) return [];
  if (!Array.isArray(monitors)) throw new GomaMonitorError(file, undefined, 'monitor', 'expected [[monitor]] (an array of tables)');
  return monitors.map((m: unknown, index) => parseMonitorObject(m, { file, index, text }));
}

/** Parses a JSON monitor object (the body of `POST /register`). */
export function parseMonitorJson(body: string, file = 'request body'): GomaMonitorDef {
  let obj: unknown;
  try {
    obj = JSON.parse(body);
  } catch (err) {
    throw new GomaMonitorError(file, undefined, undefined, `invalid JSON: ${(err as Error).message}`);
  }
  return parseMonitorObject(obj, { file, index: 0 });
}

/** The JSON object goma's `/register` expects for a definition (inverse of parseMonitorObject). */
export function monitorToJson(def: GomaMonitorDef): Record<string, unknown> {
  const plugin = (p: GomaPluginDef): Record<string, unknown> => ({ type: p.type, ...p.params });
  return {
    name: def.name, interval: def.interval, timeout: def.timeout, min: def.min, max: def.max,
    probe: plugin(def.probe),
    ...(def.filter ? { filter: plugin(def.filter) } : {}),
    actions: def.actions.map(plugin),
  };
}
