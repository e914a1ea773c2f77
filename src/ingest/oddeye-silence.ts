// Silent OddEye series (PROTOCOLS.md §2: "ordinary metrics silent for 3 minutes raised Severe").
// Every ordinary sample only raises its series' last-seen time in a Map (no timer per series). A
// sweep (every 15 s by default) writes the changed last-seen times to a table indexed by that time —
// the deadline index — and reads back the series not seen for `silent_after`; each OddEye host with
// silent series gets the check `silent metrics` in ERR ("no data for 3m: cpu.user, mem.free (+12
// more)", flip reason 'expired'), so it shows in the Severe banner and goes through the alert engine,
// and it returns to OK once every series of the host sends again. The times live in the store, so a
// restart (or another node on the same PostgreSQL) carries on; deleting the check forgets the
// silent series of that host (a decommissioned host stays quiet).
import type Database from 'better-sqlite3';
import type { GroupCommitter } from '../store/sqlite/group-commit.js';
import { runMigrations } from '../store/sqlite/migrations-runner.js';
import { isSqliteStore } from '../store/sqlite/okerr.js';
import { isPostgresStore } from '../store/postgres/index.js';
import { PgSilenceRepo } from '../store/postgres/oddeye.js';
import type { Store } from '../store/types.js';
import type { Clock } from '../util/clock.js';
import { TrieNode } from '../tsdb/series.js';
import { ODDEYE_MIGRATIONS } from './oddeye-autoclear.js';

/** Name of the per-host check that reports silent series. */
export const SILENT_CHECK_NAME = 'silent metrics';

/** Default silence before a series counts as silent (OddEye's 3 minutes). */
export const DEFAULT_SILENT_AFTER_MS = 3 * 60_000;

/** Longest host name (as for checks); series of longer or empty host tags are not watched. */
const MAX_HOST = 255;

/** Metric names listed in the check's info before "(+N more)". */
const LISTED = 5;

/** One series' last-seen time, as stored. */
export interface SeenRow {
  projectId: number;
  host: string;
  /** The series within its host: metric and its other tags, canonical. */
  series: string;
  metric: string;
  seenAt: number;
}

/** A host whose `silent metrics` check this module has set to ERR. */
export interface SilentFlag {
  projectId: number;
  host: string;
  checkId: number;
  info: string;
}

/** Where last-seen times and the raised flags are kept. Writes resolve once durable. */
export interface SilenceRepo {
  /** Raises stored last-seen times to the given ones (never lowers them); inserts new series. */
  touch(rows: readonly SeenRow[]): Promise<void>;
  /** Distinct (project, host, metric) of the series last seen at or before `before`, sorted. */
  silent(before: number): Promise<{ projectId: number; host: string; metric: string }[]>;
  /** Every raised flag. */
  flags(): Promise<SilentFlag[]>;
  /** Raises (or replaces) the flag of a host; null lowers it. */
  setFlag(projectId: number, host: string, flag: { checkId: number; info: string } | null): Promise<void>;
  /** Forgets the series of a host last seen at or before `before`. */
  forget(projectId: number, host: string, before: number): Promise<void>;
}

/** The tables in the store's SQLite file (module 'oddeye', step 2). */
export class SqliteSilenceRepo implements SilenceRepo {
  private readonly st;

  constructor(private readonly db: Database.Database, private readonly writer: GroupCommitter) {
    runMigrations(db, 'oddeye', ODDEYE_MIGRATIONS);
    this.st = {
      touch: db.prepare(`INSERT INTO oddeye_seen (project_id, host, series, metric, seen_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (project_id, host, series) DO UPDATE SET seen_at = max(seen_at, excluded.seen_at)`),
      silent: db.prepare('SELECT DISTINCT project_id, host, metric FROM oddeye_seen WHERE seen_at <= ? ORDER BY project_id, host, metric'),
      flags: db.prepare('SELECT project_id, host, check_id, info FROM oddeye_silent ORDER BY project_id, host'),
      setFlag: db.prepare(`INSERT INTO oddeye_silent (project_id, host, check_id, info) VALUES (?, ?, ?, ?)
        ON CONFLICT (project_id, host) DO UPDATE SET check_id = excluded.check_id, info = excluded.info`),
      dropFlag: db.prepare('DELETE FROM oddeye_silent WHERE project_id = ? AND host = ?'),
      forget: db.prepare('DELETE FROM oddeye_seen WHERE project_id = ? AND host = ? AND seen_at <= ?'),
    };
  }

  touch(rows: readonly SeenRow[]): Promise<void> {
    return this.writer.run(() => {
      for (const r of rows) this.st.touch.run(r.projectId, r.host, r.series, r.metric, r.seenAt);
    });
  }

  async silent(before: number): Promise<{ projectId: number; host: string; metric: string }[]> {
    return (this.st.silent.all(before) as { project_id: number; host: string; metric: string }[])
      .map((r) => ({ projectId: r.project_id, host: r.host, metric: r.metric }));
  }

  async flags(): Promise<SilentFlag[]> {
    return (this.st.flags.all() as { project_id: number; host: string; check_id: number; info: string }[])
      .map((r) => ({ projectId: r.project_id, host: r.host, checkId: r.check_id, info: r.info }));
  }

  setFlag(projectId: number, host: string, flag: { checkId: number; info: string } | null): Promise<void> {
    return this.writer.run(() => {
      if (flag === null) this.st.dropFlag.run(projectId, host);
      else this.st.setFlag.run(projectId, host, flag.checkId, flag.info);
    });
  }

  forget(projectId: number, host: string, before: number): Promise<void> {
    return this.writer.run(() => { this.st.forget.run(projectId, host, before); });
  }
}

/** The silence repository for a store (SQLite or PostgreSQL tables), or null for another store. */
export function silenceRepoFor(store: Store): SilenceRepo | null {
  if (isPostgresStore(store)) return new PgSilenceRepo(store.pool);
  return isSqliteStore(store) ? new SqliteSilenceRepo(store.db, store.writer) : null;
}

/** A duration as the info text shows it: `3m`, `90s`, `2h`. */
export function durationText(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s % 3600 === 0) return `${s / 3600}h`;
  if (s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}

/** The info of a host's silence check: `no data for 3m: a, b, c (+2 more)`. */
export function silentInfo(afterMs: number, metrics: readonly string[]): string {
  const listed = metrics.slice(0, LISTED).join(', ');
  const more = metrics.length > LISTED ? ` (+${metrics.length - LISTED} more)` : '';
  return `no data for ${durationText(afterMs)}: ${listed}${more}`.slice(0, 1000);
}

interface Seen {
  projectId: number;
  host: string;
  /** `${projectId}\0${host}`, the key of the host's flag. */
  hostKey: string;
  series: string;
  metric: string;
  seenAt: number;
  dirty: boolean;
}

/** What a sweep did. */
export interface SilenceSweep {
  /** Hosts whose check went to (or stayed in, with a new list) ERR. */
  raised: number;
  /** Hosts whose check went back to OK. */
  cleared: number;
  /** Hosts whose silent series were forgotten because their check was deleted. */
  forgotten: number;
}

/** Tracks the last-seen time of every ordinary OddEye series of this server and runs the sweeps. */
export class OddEyeSilence {
  /** By canonical key (every tag order of a series finds one entry). */
  private readonly seen = new Map<string, Seen>();
  /** The same entries by the tag order they arrived in. */
  private readonly trie = new TrieNode<Seen>(); // project → metric → tag → value → …: no string building per sample
  /** `${projectId}\0${host}` of raised flags, as of the last sweep. */
  private flagged = new Set<string>();
  private running: Promise<SilenceSweep> | null = null;

  constructor(private readonly store: Store, private readonly repo: SilenceRepo, private readonly clock: Clock, readonly afterMs = DEFAULT_SILENT_AFTER_MS) {}

  /** How many series are tracked in memory. */
  get size(): number {
    return this.seen.size;
  }

  /**
   * Records that a sample of (metric, tags) under `host` arrived at `now`. Returns true when that
   * host is flagged silent, so the caller can sweep right away (after the samples are durable).
   */
  touch(projectId: number, host: string, metric: string, tags: Readonly<Record<string, string>>, now: number): boolean {
    if (host === '' || host.length > MAX_HOST) return false; // cannot be a host: not watched
    // 1. The entry cached under this exact tag order (a few Map reads), else by canonical key.
    let node = this.trie.child(projectId).child(metric);
    for (const k in tags) node = node.child(k).child(tags[k]!);
    if (node.value === null || node.value.host !== host) node.value = this.entry(projectId, host, metric, tags, now);
    // 2. Only a newer time makes it dirty (written by the next sweep).
    const e = node.value;
    if (now > e.seenAt) {
      e.seenAt = now;
      e.dirty = true;
    }
    return this.flagged.has(e.hostKey);
  }

  /** The entry of a series by canonical key, created (dirty) when new. */
  private entry(projectId: number, host: string, metric: string, tags: Readonly<Record<string, string>>, now: number): Seen {
    const keys = Object.keys(tags);
    let series = metric;
    if (keys.length > (tags.host === undefined ? 0 : 1)) {
      series += `{${keys.filter((k) => k !== 'host').sort().map((k) => `${k}=${tags[k]}`).join(',')}}`;
    }
    const hostKey = `${projectId}\u0000${host}`;
    const key = `${hostKey}\u0000${series}`;
    let e = this.seen.get(key);
    if (e === undefined) {
      e = { projectId, host, hostKey, series, metric, seenAt: now, dirty: true };
      this.seen.set(key, e);
    }
    return e;
  }

  /** Runs a sweep, or joins the one running; a sweep asked for while one runs runs after it. */
  sweep(): Promise<SilenceSweep> {
    const prev = this.running;
    const next = (async () => {
      if (prev !== null) await prev.catch(() => undefined);
      return this.sweepOnce();
    })();
    this.running = next;
    void next.finally(() => { if (this.running === next) this.running = null; }).catch(() => undefined);
    return next;
  }

  /**
   * One sweep:
   * 1. write the changed last-seen times (sorted, so nodes upsert in one order);
   * 2. read the silent series and the raised flags;
   * 3. a flag whose check was deleted: forget that host's silent series and lower the flag;
   * 4. a host with silent series: ERR with the list (reason 'expired') when new or the list changed;
   * 5. a flagged host without silent series: OK again.
   * A host whose report fails does not stop the others; the first failure is thrown at the end.
   */
  private async sweepOnce(): Promise<SilenceSweep> {
    const out: SilenceSweep = { raised: 0, cleared: 0, forgotten: 0 };
    const dirty: Seen[] = [];
    for (const e of this.seen.values()) if (e.dirty) dirty.push(e);
    if (dirty.length > 0) {
      dirty.sort((a, b) => a.projectId - b.projectId || cmp(a.host, b.host) || cmp(a.series, b.series));
      const rows = dirty.map((e) => ({ projectId: e.projectId, host: e.host, series: e.series, metric: e.metric, seenAt: e.seenAt }));
      for (const e of dirty) e.dirty = false;
      try {
        await this.repo.touch(rows);
      } catch (err) {
        for (const e of dirty) e.dirty = true;
        throw err;
      }
    }
    const now = this.clock.now();
    const before = now - this.afterMs;
    const byHost = new Map<string, { projectId: number; host: string; metrics: string[] }>();
    for (const r of await this.repo.silent(before)) {
      const k = `${r.projectId}\u0000${r.host}`;
      const h = byHost.get(k) ?? { projectId: r.projectId, host: r.host, metrics: [] };
      h.metrics.push(r.metric);
      byHost.set(k, h);
    }
    const flags = new Map((await this.repo.flags()).map((f) => [`${f.projectId}\u0000${f.host}`, f]));
    for (const [k, f] of flags) {
      if ((await this.store.checks.get(f.checkId)) !== null) continue;
      await this.repo.forget(f.projectId, f.host, before);
      await this.repo.setFlag(f.projectId, f.host, null);
      flags.delete(k);
      byHost.delete(k);
      out.forgotten++;
    }
    const failures: unknown[] = [];
    for (const [k, h] of byHost) {
      const info = silentInfo(this.afterMs, h.metrics);
      if (flags.get(k)?.info === info) continue;
      try {
        const checkId = await this.report(h.projectId, h.host, 'ERR', info, now);
        if (checkId === null) continue;
        await this.repo.setFlag(h.projectId, h.host, { checkId, info });
        out.raised++;
      } catch (err) {
        failures.push(err);
      }
    }
    for (const [k, f] of flags) {
      if (byHost.has(k)) continue;
      try {
        await this.report(f.projectId, f.host, 'OK', 'data again from every series', now);
        await this.repo.setFlag(f.projectId, f.host, null);
        out.cleared++;
      } catch (err) {
        failures.push(err);
      }
    }
    this.flagged = new Set([...byHost.keys()]);
    if (failures.length > 0) throw failures[0];
    return out;
  }

  /** Reports the host's silence check; null when the project is gone. */
  private async report(projectId: number, hostName: string, state: 'ERR' | 'OK', info: string, at: number): Promise<number | null> {
    if ((await this.store.projects.get(projectId)) === null) return null;
    const host = (await this.store.hosts.getWithKey(projectId, hostName)) ?? (await this.store.hosts.register(projectId, hostName, null, at));
    const [outcome] = await this.store.ingest.reportStates({
      hostId: host.id, at, address: null, source: 'oddeye', reason: state === 'ERR' ? 'expired' : 'reported',
      services: [{ name: SILENT_CHECK_NAME, state, info, periodS: null }],
    });
    return outcome?.checkId ?? null;
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
