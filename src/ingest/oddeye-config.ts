// The `[oddeye]` section of the config file: `silent_after = "3m"` (how long ordinary OddEye series
// may stay silent before their host's `silent metrics` check turns ERR; "0" disables the watch).
import { ConfigError } from '../errors.js';
import { DEFAULT_SILENT_AFTER_MS } from './oddeye-silence.js';

/** Parsed `[oddeye]` settings. */
export interface OddEyeSettings {
  /** Milliseconds; 0 = silent series are not watched. */
  silentAfterMs: number;
}

/** The defaults (OddEye's 3 minutes). */
export const ODDEYE_DEFAULTS: OddEyeSettings = { silentAfterMs: DEFAULT_SILENT_AFTER_MS };

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds of `90s`, `3m`, `1h30m`, `0` (or a number of seconds); null when malformed. */
export function parseDurationMs(v: unknown): number | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? v * 1000 : null;
  if (typeof v !== 'string') return null;
  const text = v.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const parts = [...text.matchAll(/(\d+)([smhd])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) return null;
  return parts.reduce((sum, p) => sum + Number(p[1]) * (UNITS[p[2] ?? 's'] ?? 0), 0);
}

/** Parses `[oddeye]` (absent: the defaults); ConfigError naming the key. */
export function parseOddEyeConfig(raw: unknown): OddEyeSettings {
  if (raw === undefined) return ODDEYE_DEFAULTS;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || raw instanceof Date) throw new ConfigError('oddeye', 'must be a table ([oddeye])');
  const table = raw as Record<string, unknown>;
  for (const k of Object.keys(table)) if (k !== 'silent_after') throw new ConfigError(`oddeye.${k}`, 'unknown setting (known: silent_after)');
  if (table.silent_after === undefined) return ODDEYE_DEFAULTS;
  const ms = parseDurationMs(table.silent_after);
  if (ms === null || (ms > 0 && ms < 60_000) || ms > 7 * 86_400_000) {
    throw new ConfigError('oddeye.silent_after', `must be "0" (off) or a duration from 1m to 7d such as "3m" or "1h30m", got ${JSON.stringify(table.silent_after)}`);
  }
  return { silentAfterMs: ms };
}
