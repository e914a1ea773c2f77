// Resolves the server configuration from flags, OVERSEE_* environment variables, a TOML file and
// defaults (flag > env > file > default). Sections of the file owned by other modules are passed
// through untouched in `raw`; anything else unknown stops start-up with a ConfigError naming the key.
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { ConfigError } from '../errors.js';
import { resolveMetricsSettings, type MetricsSettings } from './metrics.js';
import { SETTINGS, SETTING_NAMES, flagName } from './settings.js';
import type { ServerSettings, SettingName } from './settings.js';
import { BadValue, describeInput } from './values.js';
import type { StoreLocation } from './values.js';

/**
 * Top-level sections of the config file that other modules parse (the alerting module's
 * parseAlertingConfig(config.raw) reads [alerting], [[channels]], [[routes]], [[silences]]; the OddEye
 * route's parseOddEyeConfig reads [oddeye], the series quota's parseLimitsConfig [limits]). A module
 * that owns a new section adds its name here; every other unknown section is an error.
 */
export const FOREIGN_SECTIONS = ['alerting', 'channels', 'routes', 'silences', 'oddeye', 'limits'] as const;

/** The name of a section another module owns. */
export type ForeignSection = (typeof FOREIGN_SECTIONS)[number];

/** Where a setting's value came from. */
export type SettingOrigin = 'flag' | 'env' | 'file' | 'default';

/** The resolved configuration the server starts with. */
export interface ServerConfig extends Omit<ServerSettings, 'store'> {
  store: StoreLocation;
  /** Absolute path of the config file that was read, or null. */
  configFile: string | null;
  /** Which source each setting came from (for the start-up log and tests). */
  origins: Record<SettingName, SettingOrigin>;
  /** Sections owned by other modules, exactly as parsed from the TOML file (absent when missing). */
  raw: Partial<Record<ForeignSection, unknown>>;
  /** The `[metrics]` section (tsdb tiers), see metrics.ts. */
  metrics: MetricsSettings;
}

/** Inputs of resolveConfig: everything already read, so resolution is pure. */
export interface ConfigInput {
  /** Flag values by setting name (commander's option keys); undefined = not given. */
  flags?: Partial<Record<SettingName, unknown>>;
  env?: Readonly<Record<string, string | undefined>>;
  /** The config file's path and text, or null when there is none. */
  file?: { path: string; text: string } | null;
  /** Base for relative paths from flags and env (the file's relative paths use its directory). */
  cwd: string;
}

/** Resolves the configuration from already-read inputs; throws ConfigError naming the offending key. */
export function resolveConfig(input: ConfigInput): ServerConfig {
  const env = input.env ?? {};
  const flags = input.flags ?? {};
  const fileTable = input.file ? parseConfigText(input.file.path, input.file.text) : null;
  const serverTable = fileTable ? serverSection(fileTable) : {};
  const fileDir = input.file ? dirname(resolve(input.cwd, input.file.path)) : input.cwd;

  // 1. Every setting from the highest-precedence source that has it.
  const values: Partial<Record<SettingName, unknown>> = {};
  const origins = {} as Record<SettingName, SettingOrigin>;
  for (const name of SETTING_NAMES) {
    const spec = SETTINGS[name];
    const flag = flags[name];
    const envValue = env[spec.env];
    let raw: unknown;
    let key: string;
    let base = input.cwd;
    if (flag !== undefined) {
      [raw, key, origins[name]] = [flag, flagName(name), 'flag'];
    } else if (envValue !== undefined && envValue !== '') {
      [raw, key, origins[name]] = [envValue, spec.env, 'env'];
    } else if (Object.hasOwn(serverTable, spec.toml)) {
      [raw, key, origins[name], base] = [serverTable[spec.toml], `server.${spec.toml}`, 'file', fileDir];
    } else {
      values[name] = spec.default;
      origins[name] = 'default';
      continue;
    }
    try {
      values[name] = spec.parse(raw, base);
    } catch (err) {
      if (err instanceof BadValue) throw new ConfigError(key, err.message);
      throw err;
    }
  }
  const settings = values as ServerSettings;

  // 2. Derived defaults.
  const store = settings.store ?? { kind: 'sqlite', path: join(resolve(input.cwd, settings.data), 'oversee.db') };
  const data = resolve(input.cwd, settings.data);

  // 3. The [metrics] section.
  const metrics = resolveMetricsSettings(fileTable?.metrics, env);

  // 4. Sections other modules own.
  const raw: Partial<Record<ForeignSection, unknown>> = {};
  for (const section of FOREIGN_SECTIONS) {
    if (fileTable && Object.hasOwn(fileTable, section)) raw[section] = fileTable[section];
  }
  return {
    ...settings, data, store,
    configFile: input.file ? resolve(input.cwd, input.file.path) : null,
    origins, raw, metrics,
  };
}

/** Where the config file comes from: `--config` beats OVERSEE_CONFIG; null when neither is set. */
export function configFileSource(flag: string | undefined, env: Readonly<Record<string, string | undefined>>): { path: string; key: string } | null {
  if (flag !== undefined && flag !== '') return { path: flag, key: '--config' };
  const fromEnv = env.OVERSEE_CONFIG;
  if (fromEnv !== undefined && fromEnv !== '') return { path: fromEnv, key: 'OVERSEE_CONFIG' };
  return null;
}

/** Reads the config file (if any) and resolves the configuration; throws ConfigError naming the key. */
export async function loadConfig(opts: {
  flags?: Partial<Record<SettingName, unknown>>;
  configFlag?: string;
  env?: Readonly<Record<string, string | undefined>>;
  cwd?: string;
}): Promise<ServerConfig> {
  const env = opts.env ?? {};
  const cwd = opts.cwd ?? process.cwd();
  const source = configFileSource(opts.configFlag, env);
  let file: { path: string; text: string } | null = null;
  if (source) {
    const path = resolve(cwd, source.path);
    try {
      file = { path, text: await readFile(path, 'utf8') };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
      throw new ConfigError(source.key, `cannot read config file ${JSON.stringify(path)} (${code})`);
    }
  }
  return resolveConfig({ flags: opts.flags ?? {}, env, file, cwd });
}

/** Parses the TOML text and checks its top-level sections. */
function parseConfigText(path: string, text: string): Record<string, unknown> {
  let table: Record<string, unknown>;
  try {
    table = parseToml(text, { unsafeKeyBehaviour: 'throw' });
  } catch (err) {
    if (err instanceof TomlError) {
      throw new ConfigError(path, `not valid TOML at line ${err.line}, column ${err.column}: ${err.message.split('\n')[0] ?? ''}`);
    }
    throw err;
  }
  const known = ['server', 'metrics', ...FOREIGN_SECTIONS];
  for (const key of Object.keys(table)) {
    if (!known.includes(key)) throw new ConfigError(key, `unknown section or key at the top level (known: ${known.join(', ')})`);
  }
  return table;
}

/** The `[server]` table, with every key checked against the settings table. */
function serverSection(table: Record<string, unknown>): Record<string, unknown> {
  const server = table.server;
  if (server === undefined) return {};
  if (server === null || typeof server !== 'object' || Array.isArray(server) || server instanceof Date) {
    throw new ConfigError('server', `must be a table ([server]), got ${describeInput(server)}`);
  }
  const section = server as Record<string, unknown>;
  const tomlKeys = SETTING_NAMES.map((n) => SETTINGS[n].toml);
  for (const key of Object.keys(section)) {
    if (tomlKeys.includes(key)) continue;
    const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`).replace(/-/g, '_');
    const hint = tomlKeys.includes(snake) ? `; did you mean "${snake}"?` : ` (known: ${tomlKeys.join(', ')})`;
    throw new ConfigError(`server.${key}`, `unknown setting${hint}`);
  }
  return section;
}
