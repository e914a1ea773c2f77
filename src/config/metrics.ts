// The `[metrics]` section of the config file: settings of the time-series store. `tiers` (env
// OVERSEE_METRICS_TIERS, which wins over the file): whisper-like archives `raw:7d,1m:90d,1h:2y`;
// `threads` (env OVERSEE_METRICS_THREADS): OpenTSDB parser threads and the chunk encoder thread,
// "auto" or a number. Bad input stops start-up with a ConfigError naming the key.
import { ConfigError } from '../errors.js';
import { DEFAULT_TIER_SPEC, parseTierSpec, type TierConfig } from '../tsdb/tiers.js';
import { describeInput } from './values.js';

/** Environment variable of `[metrics] tiers`. */
export const METRICS_TIERS_ENV = 'OVERSEE_METRICS_TIERS';
/** Environment variable of `[metrics] threads`. */
export const METRICS_THREADS_ENV = 'OVERSEE_METRICS_THREADS';
/** Most parser threads `[metrics] threads` may ask for. */
export const MAX_METRICS_THREADS = 16;

/** The resolved `[metrics]` settings. */
export interface MetricsSettings {
  /** Storage tiers of the tsdb (raw first). */
  tiers: TierConfig[];
  /** The spec they were parsed from (for the start-up log). */
  tiersSpec: string;
  tiersOrigin: 'env' | 'file' | 'default';
  /** `[metrics] threads`: "auto" (by the CPUs) or how many OpenTSDB parser threads (0: no threads at all). */
  threads: number | 'auto';
}

/** Threads the server starts for metrics work. */
export interface MetricsThreads {
  /** OpenTSDB parser threads (0: puts are parsed on the writer thread). */
  parsers: number;
  /** Whether checkpoints and compaction encode chunks in a thread of their own. */
  encoder: boolean;
}

/**
 * The threads for a `threads` setting on a machine with `cpus` CPUs: "auto" gives CPUs − 1 parser
 * threads (at most 4) and the encoder thread from 2 CPUs, none on one CPU; 0 none at all; n ≥ 1
 * gives n parser threads and the encoder thread.
 */
export function metricsThreads(threads: number | 'auto', cpus: number): MetricsThreads {
  if (threads === 'auto') return cpus >= 2 ? { parsers: Math.min(4, cpus - 1), encoder: true } : { parsers: 0, encoder: false };
  return { parsers: threads, encoder: threads > 0 };
}

const KEYS = ['tiers', 'threads'];

/** `[metrics] threads` from the environment (wins) or the file; "auto" when neither sets it. */
function resolveThreads(table: Record<string, unknown>, env: Readonly<Record<string, string | undefined>>): number | 'auto' {
  const fromEnv = env[METRICS_THREADS_ENV];
  let raw: unknown = 'auto';
  let key = 'metrics.threads';
  if (fromEnv !== undefined && fromEnv !== '') {
    [raw, key] = [/^\d+$/.test(fromEnv.trim()) ? Number(fromEnv.trim()) : fromEnv, METRICS_THREADS_ENV];
  } else if (Object.hasOwn(table, 'threads')) raw = table.threads;
  if (raw === 'auto') return 'auto';
  if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 0 && raw <= MAX_METRICS_THREADS) return raw;
  throw new ConfigError(key, `must be "auto" or an integer 0-${MAX_METRICS_THREADS} (0: no threads), got ${describeInput(raw)}`);
}

/** Resolves `[metrics]` from the parsed file section (undefined when absent) and the environment. */
export function resolveMetricsSettings(section: unknown, env: Readonly<Record<string, string | undefined>>): MetricsSettings {
  let table: Record<string, unknown> = {};
  if (section !== undefined) {
    if (section === null || typeof section !== 'object' || Array.isArray(section) || section instanceof Date) {
      throw new ConfigError('metrics', `must be a table ([metrics]), got ${describeInput(section)}`);
    }
    table = section as Record<string, unknown>;
    for (const key of Object.keys(table)) {
      if (!KEYS.includes(key)) throw new ConfigError(`metrics.${key}`, `unknown setting (known: ${KEYS.join(', ')})`);
    }
  }
  const fromEnv = env[METRICS_TIERS_ENV];
  let spec: unknown = DEFAULT_TIER_SPEC;
  let key = 'metrics.tiers';
  let origin: MetricsSettings['tiersOrigin'] = 'default';
  if (fromEnv !== undefined && fromEnv !== '') [spec, key, origin] = [fromEnv, METRICS_TIERS_ENV, 'env'];
  else if (Object.hasOwn(table, 'tiers')) [spec, origin] = [table.tiers, 'file'];
  if (typeof spec !== 'string') throw new ConfigError(key, `must be a string like "${DEFAULT_TIER_SPEC}", got ${describeInput(spec)}`);
  let tiers: TierConfig[];
  try {
    tiers = parseTierSpec(spec);
  } catch (err) {
    throw new ConfigError(key, `${err instanceof Error ? err.message : String(err)} (expected archives like "${DEFAULT_TIER_SPEC}")`);
  }
  return { tiers, tiersSpec: spec.trim(), tiersOrigin: origin, threads: resolveThreads(table, env) };
}
