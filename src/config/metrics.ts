// The `[metrics]` section of the config file: settings of the time-series store. Today one key,
// `tiers` (env OVERSEE_METRICS_TIERS, which wins over the file): whisper-like archives
// `raw:7d,1m:90d,1h:2y`. Bad input stops start-up with a ConfigError naming the key.
import { ConfigError } from '../errors.js';
import { DEFAULT_TIER_SPEC, parseTierSpec, type TierConfig } from '../tsdb/tiers.js';
import { describeInput } from './values.js';

/** Environment variable of `[metrics] tiers`. */
export const METRICS_TIERS_ENV = 'OVERSEE_METRICS_TIERS';

/** The resolved `[metrics]` settings. */
export interface MetricsSettings {
  /** Storage tiers of the tsdb (raw first). */
  tiers: TierConfig[];
  /** The spec they were parsed from (for the start-up log). */
  tiersSpec: string;
  tiersOrigin: 'env' | 'file' | 'default';
}

const KEYS = ['tiers'];

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
  try {
    return { tiers: parseTierSpec(spec), tiersSpec: spec.trim(), tiersOrigin: origin };
  } catch (err) {
    throw new ConfigError(key, `${err instanceof Error ? err.message : String(err)} (expected archives like "${DEFAULT_TIER_SPEC}")`);
  }
}
