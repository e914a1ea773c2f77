// The server settings table: one row per setting with its TOML key, environment variable, flag,
// default and parser. docs/configuration.md lists exactly these rows (settings.test.ts checks it).
import { parseBytes, parseChoice, parseHost, parseIntInRange, parsePath, parseStore } from './values.js';
import type { StoreLocation } from './values.js';

/** pino log levels accepted by logLevel. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A pino log level. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The values of all `[server]` settings after parsing. */
export interface ServerSettings {
  host: string;
  port: number;
  data: string;
  /** null until resolved: the default is `<data>/oversee.db`, which depends on `data`. */
  store: StoreLocation | null;
  bodyLimit: number;
  logLevel: LogLevel;
  historyRetentionDays: number;
  statsdPort: number;
  graphitePort: number;
  /** Behind a reverse proxy: take the client's protocol and address from X-Forwarded-* headers. */
  trustProxy: boolean;
}

/** The name of one server setting (also the commander option key of its flag). */
export type SettingName = keyof ServerSettings;

/** One setting: where it can come from, its default and how its input is parsed. */
export interface SettingSpec<T> {
  /** Key inside the `[server]` table of the TOML file. */
  toml: string;
  env: string;
  /** Long flag of `oversee serve`, with its value placeholder. */
  flag: string;
  /** The default, as shown in the docs. */
  defaultText: string;
  default: T;
  description: string;
  /** Parses an input; relative paths resolve against `baseDir`. Throws BadValue. */
  parse(input: unknown, baseDir: string): T;
}

/** Every server setting, in documentation order. */
export const SETTINGS: { readonly [K in SettingName]: SettingSpec<ServerSettings[K]> } = {
  host: {
    toml: 'host', env: 'OVERSEE_HOST', flag: '--host <host>', defaultText: '127.0.0.1', default: '127.0.0.1',
    description: 'Address the HTTP server listens on (0.0.0.0 or :: for every interface).',
    parse: (v) => parseHost(v),
  },
  port: {
    toml: 'port', env: 'OVERSEE_PORT', flag: '--port <port>', defaultText: '5000', default: 5000,
    description: 'HTTP port (0 picks a free port; the listening line shows which).',
    parse: (v) => parseIntInRange(v, 0, 65535),
  },
  data: {
    toml: 'data', env: 'OVERSEE_DATA', flag: '--data <dir>', defaultText: './data', default: 'data',
    description: 'Data directory, created if missing. Relative paths in the file resolve against the file\'s directory.',
    parse: (v, base) => parsePath(v, base),
  },
  store: {
    toml: 'store', env: 'OVERSEE_STORE', flag: '--store <path>', defaultText: '<data>/oversee.db', default: null,
    description: 'Store location: a SQLite file path (`sqlite:` prefix optional), or a PostgreSQL URL `postgres://user@host:5432/db` with optional `?schema=name` (default `public`) and `?pool=N` connections per node (default 16), for several nodes.',
    parse: (v, base) => parseStore(v, base),
  },
  bodyLimit: {
    toml: 'body_limit', env: 'OVERSEE_BODY_LIMIT', flag: '--body-limit <size>', defaultText: '1MiB (1048576)', default: 1024 * 1024,
    description: 'Largest request body accepted, in bytes or with a unit (KiB/MiB/GiB, also K/KB, M/MB, G/GB, all ×1024); larger bodies get 413.',
    parse: (v) => parseBytes(v, 1024, 1024 ** 3),
  },
  logLevel: {
    toml: 'log_level', env: 'OVERSEE_LOG_LEVEL', flag: '--log-level <level>', defaultText: 'info', default: 'info',
    description: `Log level of the JSON log on stderr: ${LOG_LEVELS.join(', ')}.`,
    parse: (v) => parseChoice(v, LOG_LEVELS),
  },
  historyRetentionDays: {
    toml: 'history_retention_days', env: 'OVERSEE_HISTORY_RETENTION_DAYS', flag: '--history-retention-days <days>',
    defaultText: '30', default: 30,
    description: 'Days of state report history kept (pruned hourly); 0 keeps it forever. Flips and alerts are always kept.',
    parse: (v) => parseIntInRange(v, 0, 36500),
  },
  statsdPort: {
    toml: 'statsd_port', env: 'OVERSEE_STATSD_PORT', flag: '--statsd-port <port>', defaultText: '8125', default: 8125,
    description: 'UDP port of the statsd listener; 0 disables it.',
    parse: (v) => parseIntInRange(v, 0, 65535),
  },
  graphitePort: {
    toml: 'graphite_port', env: 'OVERSEE_GRAPHITE_PORT', flag: '--graphite-port <port>', defaultText: '2003', default: 2003,
    description: 'TCP port of the Graphite plaintext listener; 0 disables it.',
    parse: (v) => parseIntInRange(v, 0, 65535),
  },
  trustProxy: {
    toml: 'trust_proxy', env: 'OVERSEE_TRUST_PROXY', flag: '--trust-proxy <bool>', defaultText: 'false', default: false,
    description: 'Trust X-Forwarded-Proto/-For from a reverse proxy (session cookie Secure behind TLS); only when every request comes through it.',
    parse: (v) => typeof v === 'boolean' ? v : parseChoice(v, ['true', 'false'] as const) === 'true',
  },
};

/** Setting names in documentation order. */
export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];

/** The long flag name without placeholder, e.g. `--body-limit`. */
export function flagName(name: SettingName): string {
  return SETTINGS[name].flag.split(' ')[0] ?? '';
}
