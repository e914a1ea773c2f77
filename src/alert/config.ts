// Validation of routes, silences and the [alerting] settings: shared by the config file
// (parseAlertingConfig → ConfigError naming the key) and the API/CLI (OVS_ERR_VALIDATION naming the field).
import { CHECK_STATES, type CheckState } from '../domain/types.js';
import { ConfigError, invalid, OverseeError } from '../errors.js';
import { optBool, optInt, optString, optStringList, rejectUnknown, reqString } from '../notify/fields.js';
import { parseChannel, type ChannelDefinition } from '../notify/registry.js';
import type { NotifyEventKind } from '../notify/types.js';
import { DEFAULT_ALERT_SETTINGS, type AlertSettings, type Recurrence, type Route, type SilenceInput } from './types.js';

/** A channel from the config file, with its enabled flag. */
export interface ConfiguredChannel extends ChannelDefinition {
  enabled: boolean;
}

/** Everything the alerting module reads from the config file. */
export interface AlertingConfig {
  settings: AlertSettings;
  channels: ConfiguredChannel[];
  routes: Route[];
  silences: SilenceInput[];
}

const KINDS: readonly NotifyEventKind[] = [
  'problem', 'recovery', 'change', 'alert', 'reminder', 'flapping-started', 'flapping-stopped', 'channel-disabled', 'test',
];
const RECURRENCES: readonly Recurrence[] = ['none', 'daily', 'weekly'];
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

function asTable(raw: unknown, field: string): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || raw instanceof Date) throw invalid(field, 'must be a table');
  return raw as Record<string, unknown>;
}

/** Validates one route `{name, projects, hosts, checks, states, tags, kinds, channels, default}`. */
export function parseRoute(raw: unknown): Route {
  const t = asTable(raw, 'route');
  rejectUnknown(t, ['name', 'projects', 'hosts', 'checks', 'states', 'tags', 'kinds', 'channels', 'default']);
  const name = reqString(t, 'name');
  if (!NAME.test(name)) throw invalid('name', 'letters, digits, _ . - (at most 64)');
  const states = optStringList(t, 'states') ?? null;
  states?.forEach((s, i) => {
    if (!CHECK_STATES.includes(s as CheckState)) throw invalid(`states[${i}]`, `must be one of ${CHECK_STATES.join(', ')}`);
  });
  const kinds = optStringList(t, 'kinds') ?? null;
  kinds?.forEach((k, i) => {
    if (!KINDS.includes(k as NotifyEventKind)) throw invalid(`kinds[${i}]`, `must be one of ${KINDS.join(', ')}`);
  });
  const channels = optStringList(t, 'channels');
  if (!channels || channels.length === 0) throw invalid('channels', 'required, one or more channel names');
  const isDefault = optBool(t, 'default') ?? false;
  const route: Route = {
    name,
    projects: optStringList(t, 'projects') ?? null,
    hosts: optStringList(t, 'hosts') ?? null,
    checks: optStringList(t, 'checks') ?? null,
    states: states as CheckState[] | null,
    tags: optStringList(t, 'tags') ?? null,
    kinds: kinds as NotifyEventKind[] | null,
    channels,
    isDefault,
  };
  return route;
}

/** A time from TOML (a date-time value), JSON (ISO string) or a number of ms since the epoch. */
function timeField(t: Record<string, unknown>, field: string, required: boolean): number | null {
  const v = t[field];
  if (v === undefined || v === null) {
    if (required) throw invalid(field, 'required, a date-time (e.g. 2026-01-05T22:00:00Z) or epoch milliseconds');
    return null;
  }
  let ms = Number.NaN;
  if (v instanceof Date) {
    // A TOML local date-time has no zone: refuse it rather than guess the server's.
    const local = (v as Date & { isLocal?: () => boolean }).isLocal?.() ?? false;
    ms = local ? Number.NaN : v.getTime();
  }
  else if (typeof v === 'string') ms = /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(v) ? Date.parse(v) : Number.NaN;
  else if (typeof v === 'number' && Number.isInteger(v) && v >= 0) ms = v;
  if (!Number.isFinite(ms)) throw invalid(field, 'must be a date-time with time zone (e.g. 2026-01-05T22:00:00Z) or epoch milliseconds');
  return ms;
}

/**
 * Validates one silence `{project, host, check, starts, ends | duration_s, recurrence, until, comment, created_by}`.
 * A recurring window must be shorter than its period.
 */
export function parseSilence(raw: unknown): SilenceInput {
  const t = asTable(raw, 'silence');
  rejectUnknown(t, ['project', 'host', 'check', 'starts', 'ends', 'duration_s', 'recurrence', 'until', 'comment', 'created_by']);
  const host = optString(t, 'host') ?? '*';
  const check = optString(t, 'check') ?? '*';
  if (host === '' ) throw invalid('host', 'must not be empty (use "*")');
  if (check === '') throw invalid('check', 'must not be empty (use "*")');
  const startsAt = timeField(t, 'starts', true) as number;
  const durationS = optInt(t, 'duration_s', 1, 366 * 86_400);
  let endsAt = timeField(t, 'ends', false);
  if (endsAt !== null && durationS !== undefined) throw invalid('duration_s', 'give either ends or duration_s, not both');
  if (endsAt === null) {
    if (durationS === undefined) throw invalid('ends', 'required (or duration_s)');
    endsAt = startsAt + durationS * 1000;
  }
  if (endsAt <= startsAt) throw invalid('ends', 'must be after starts');
  const recurrence = (optString(t, 'recurrence') ?? 'none') as Recurrence;
  if (!RECURRENCES.includes(recurrence)) throw invalid('recurrence', `must be one of ${RECURRENCES.join(', ')}`);
  const period = recurrence === 'daily' ? 86_400_000 : recurrence === 'weekly' ? 7 * 86_400_000 : Infinity;
  if (endsAt - startsAt >= period) throw invalid('ends', `a ${recurrence} window must be shorter than its period`);
  const until = timeField(t, 'until', false);
  if (until !== null && recurrence === 'none') throw invalid('until', 'only for recurring silences');
  if (until !== null && until <= startsAt) throw invalid('until', 'must be after starts');
  return {
    project: optString(t, 'project') ?? null,
    host,
    check,
    startsAt,
    endsAt,
    recurrence,
    until,
    comment: optString(t, 'comment') ?? '',
    createdBy: optString(t, 'created_by') ?? 'config',
  };
}

/** Validates the `[alerting]` table (durations in seconds there, ms here). */
export function parseAlertSettings(raw: unknown): AlertSettings {
  if (raw === undefined || raw === null) return { ...DEFAULT_ALERT_SETTINGS };
  const t = asTable(raw, 'alerting');
  rejectUnknown(t, ['group_window_s', 'reminder_interval_s', 'reduction_s', 'flap_window', 'flap_high', 'flap_low',
    'max_attempts', 'backoff_base_s', 'backoff_max_s', 'expired_state']);
  const d = DEFAULT_ALERT_SETTINGS;
  const s = (field: string, min: number, max: number, dflt: number): number => optInt(t, field, min, max) ?? dflt;
  const settings: AlertSettings = {
    groupWindowMs: s('group_window_s', 0, 3600, d.groupWindowMs / 1000) * 1000,
    reminderIntervalMs: s('reminder_interval_s', 0, 30 * 86_400, d.reminderIntervalMs / 1000) * 1000,
    reductionMs: s('reduction_s', 0, 86_400, d.reductionMs / 1000) * 1000,
    flapWindow: s('flap_window', 3, 1000, d.flapWindow),
    flapHigh: s('flap_high', 1, 100, d.flapHigh),
    flapLow: s('flap_low', 0, 100, d.flapLow),
    maxAttempts: s('max_attempts', 1, 100, d.maxAttempts),
    backoffBaseMs: s('backoff_base_s', 1, 3600, d.backoffBaseMs / 1000) * 1000,
    backoffMaxMs: s('backoff_max_s', 1, 86_400, d.backoffMaxMs / 1000) * 1000,
    expiredState: (optString(t, 'expired_state') ?? d.expiredState) as CheckState,
  };
  if (!CHECK_STATES.includes(settings.expiredState)) throw invalid('expired_state', `must be one of ${CHECK_STATES.join(', ')}`);
  if (settings.flapLow > settings.flapHigh) throw invalid('flap_low', 'must not exceed flap_high');
  if (settings.backoffMaxMs < settings.backoffBaseMs) throw invalid('backoff_max_s', 'must not be below backoff_base_s');
  return settings;
}

// Runs a validator; turns its field error into a ConfigError naming `<prefix>.<field>`.
function underKey<T>(prefix: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof OverseeError && typeof err.details?.field === 'string') {
      const field = err.details.field;
      throw new ConfigError(`${prefix}.${field}`, err.message.slice(field.length + 2));
    }
    throw err;
  }
}

function arrayOfTables(raw: unknown, key: string): unknown[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new ConfigError(key, `must be an array of tables ([[${key}]])`);
  return raw;
}

/**
 * Validates the alerting sections of the parsed config file: `[alerting]`, `[[channels]]`,
 * `[[routes]]` and `[[silences]]`. Channel names are unique; routes name existing channels.
 * Throws ConfigError naming the key, e.g. `channels[1].url`.
 */
export function parseAlertingConfig(raw: unknown): AlertingConfig {
  const top = raw === undefined || raw === null ? {} : raw;
  if (typeof top !== 'object' || Array.isArray(top)) throw new ConfigError('channels', 'the config must be a table');
  const t = top as Record<string, unknown>;
  const settings = underKey('alerting', () => parseAlertSettings(t.alerting));
  const channels = arrayOfTables(t.channels, 'channels').map((c, i) => underKey(`channels[${i}]`, () => {
    const enabled = optBool(asTable(c, 'channel'), 'enabled') ?? true;
    return { ...parseChannel(c), enabled };
  }));
  const names = new Set<string>();
  channels.forEach((c, i) => {
    if (names.has(c.name)) throw new ConfigError(`channels[${i}].name`, `"${c.name}" is used by another channel`);
    names.add(c.name);
  });
  const routes = arrayOfTables(t.routes, 'routes').map((r, i) => underKey(`routes[${i}]`, () => parseRoute(r)));
  const routeNames = new Set<string>();
  routes.forEach((r, i) => {
    if (routeNames.has(r.name)) throw new ConfigError(`routes[${i}].name`, `"${r.name}" is used by another route`);
    routeNames.add(r.name);
    r.channels.forEach((c, j) => {
      if (!names.has(c)) throw new ConfigError(`routes[${i}].channels[${j}]`, `no channel named "${c}"`);
    });
  });
  if (routes.filter((r) => r.isDefault).length > 1) {
    throw new ConfigError(`routes[${routes.findLastIndex((r) => r.isDefault)}].default`, 'only one route may be the default');
  }
  const silences = arrayOfTables(t.silences, 'silences').map((s, i) => underKey(`silences[${i}]`, () => parseSilence(s)));
  return { settings, channels, routes, silences };
}
