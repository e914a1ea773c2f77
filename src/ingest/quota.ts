// Series quota per project (`[limits]` in the config file): a project may hold at most `max_series`
// distinct series; samples of series it already has are always accepted (nothing stored is lost),
// new series beyond the limit are refused one by one. OddEye answers a request whose every element
// was refused this way with 402 {"state":"FAILURE","message":"Payment Required"} and lists the refused
// elements otherwise (PROTOCOLS.md §2). Default: unlimited, and then nothing is counted at all.
// The count comes from the time-series index (listed once and then kept up to date with what this
// quota admitted, re-listed every minute to see series other routes or nodes created), so with
// several writers a project may briefly exceed its limit by the series created meanwhile.
import { ConfigError } from '../errors.js';
import { seriesKey } from '../tsdb/series.js';
import type { MetricType, Tags } from '../tsdb/types.js';
import type { Clock } from '../util/clock.js';
import type { SampleSink } from './samples.js';

/** The series limits of the `[limits]` config section; null = unlimited. */
export interface SeriesLimits {
  /** Limit of every project without its own. */
  maxSeries: number | null;
  /** Limits by project name (null: unlimited for that project). */
  projects: ReadonlyMap<string, number | null>;
}

/** No limits (the default). */
export const NO_LIMITS: SeriesLimits = { maxSeries: null, projects: new Map() };

/** What the quota reads from the time-series store (Tsdb satisfies it). */
export interface SeriesLister {
  series(m: { projectId: number }): ReadonlyArray<{ name: string; tags: Tags }>;
  /** Indexes series other nodes stored (shared storages). */
  syncSeries?(): Promise<void>;
}

/** How long a project's listed series are trusted before listing them again. */
const RELIST_MS = 60_000;

/** Parses `[limits]`: `max_series = N` (0 = unlimited) and `[limits.projects.NAME] max_series = N`; ConfigError naming the key. */
export function parseLimitsConfig(raw: unknown): SeriesLimits {
  if (raw === undefined) return NO_LIMITS;
  const table = asTable(raw, 'limits');
  for (const k of Object.keys(table)) if (k !== 'max_series' && k !== 'projects') throw new ConfigError(`limits.${k}`, 'unknown setting (known: max_series, projects)');
  const maxSeries = limitOf(table.max_series, 'limits.max_series');
  const projects = new Map<string, number | null>();
  if (table.projects !== undefined) {
    for (const [name, value] of Object.entries(asTable(table.projects, 'limits.projects'))) {
      const t = asTable(value, `limits.projects.${name}`);
      for (const k of Object.keys(t)) if (k !== 'max_series') throw new ConfigError(`limits.projects.${name}.${k}`, 'unknown setting (known: max_series)');
      projects.set(name, limitOf(t.max_series, `limits.projects.${name}.max_series`));
    }
  }
  return { maxSeries, projects };
}

function asTable(v: unknown, key: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Date) throw new ConfigError(key, 'must be a table');
  return v as Record<string, unknown>;
}

function limitOf(v: unknown, key: string): number | null {
  if (v === undefined) return null;
  const n = typeof v === 'bigint' ? Number(v) : typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw new ConfigError(key, `must be a whole number of series, 0 for unlimited, got ${JSON.stringify(v)}`);
  return n === 0 ? null : n;
}

interface ProjectSeries {
  keys: Set<string>;
  listedAt: number;
}

/** A project as the quota needs it. */
export interface QuotaProject {
  id: number;
  name: string;
}

/** The quota of a socket listener (statsd, Graphite): every sample it takes goes to `project`. */
export interface ListenerQuota {
  quota: SeriesQuota;
  project: QuotaProject;
}

/** One request's admission of new series: `admit` before each append, `release` if the store refused it (appendAdmitted does both). */
export interface QuotaBatch {
  /** Null when the sample may be stored (a new series is counted at once); else why not (the project is at its limit). */
  admit(name: string, tags: Tags): string | null;
  /** Takes back the admission of a sample the store refused after all (a new series is uncounted with its last sample). */
  release(name: string, tags: Tags): void;
}

const OPEN_BATCH: QuotaBatch = { admit: () => null, release: () => undefined };

/** Why appendAdmitted did not store a sample: the quota refused its new series, or the store refused the sample. */
export interface AppendRefusal {
  /** True when the quota refused (the project is at its limit), false when the sink did. */
  quota: boolean;
  problem: string;
}

/**
 * Appends one sample whose new series `admission` must admit first (null: no quota), releasing the
 * admission when the sink refuses the sample. Null when stored, else who refused and why. No closure
 * and no allocation on the stored path, so the listeners' loops call it per sample.
 */
export function appendAdmitted(admission: QuotaBatch | null, sink: SampleSink, projectId: number, name: string, tags: Tags,
  timestampMs: number, value: number, type?: MetricType): AppendRefusal | null {
  if (admission !== null) {
    const refused = admission.admit(name, tags);
    if (refused !== null) return { quota: true, problem: refused };
  }
  const problem = sink.append(projectId, name, tags, timestampMs, value, type);
  if (problem === null) return null;
  admission?.release(name, tags);
  return { quota: false, problem };
}

/** Series quotas of every project, one instance per server. */
export class SeriesQuota {
  private readonly known = new Map<number, ProjectSeries>();

  constructor(private readonly limits: SeriesLimits, private readonly lister: SeriesLister | null, private readonly clock: Clock) {}

  /** True when some project has a limit (else begin() never counts anything). */
  get active(): boolean {
    return this.limits.maxSeries !== null || [...this.limits.projects.values()].some((v) => v !== null);
  }

  /** The limit of a project, or null when unlimited. */
  limitOf(project: QuotaProject): number | null {
    const own = this.limits.projects.get(project.name);
    return own !== undefined ? own : this.limits.maxSeries;
  }

  /**
   * Starts one request's admission for `project`: series it already has pass, new ones pass while
   * the project stays within its limit. Unlimited projects (the default) cost nothing.
   */
  async begin(project: QuotaProject): Promise<QuotaBatch> {
    const limit = this.limitOf(project);
    if (limit === null || this.lister === null) return OPEN_BATCH;
    const known = await this.listed(project.id);
    // New series admitted by this request, with how many of their samples were admitted.
    const added = new Map<string, number>();
    return {
      admit: (name, tags) => {
        const key = seriesKey(project.id, name, tags);
        const n = added.get(key);
        if (n === undefined) {
          if (known.keys.has(key)) return null;
          if (known.keys.size >= limit) return `project "${project.name}" is at its limit of ${limit} series`;
          known.keys.add(key);
        }
        added.set(key, (n ?? 0) + 1);
        return null;
      },
      release: (name, tags) => {
        const key = seriesKey(project.id, name, tags);
        const n = added.get(key);
        if (n === undefined) return;
        if (n > 1) added.set(key, n - 1);
        else {
          added.delete(key);
          known.keys.delete(key);
        }
      },
    };
  }

  /** Every series key of a project, listed again when older than RELIST_MS. */
  private async listed(projectId: number): Promise<ProjectSeries> {
    const now = this.clock.now();
    const cached = this.known.get(projectId);
    if (cached !== undefined && now - cached.listedAt < RELIST_MS) return cached;
    await this.lister?.syncSeries?.();
    const keys = new Set<string>();
    for (const s of this.lister?.series({ projectId }) ?? []) keys.add(seriesKey(projectId, s.name, s.tags));
    const fresh = { keys, listedAt: now };
    this.known.set(projectId, fresh);
    return fresh;
  }
}
