// The overview's data: every check by id, the Severe banner entries, and worst-first rows for the
// virtual list. Live events are applied in place; listeners are told once per animation frame.
import type { Api } from './api.js';
import { fromColumns, type ColumnsOverview } from './overview-columns.js';
import { countChecks, overviewRows, tagsOf, type Counts, type OverviewFilter, type Row } from './overview-rows.js';
import { STATES, type LiveEvent, type Overview, type OverviewCheck } from './types.js';

export type { OverviewFilter, Row } from './overview-rows.js';

/** How long a Severe entry stays after its status changed (PROTOCOLS.md §2). */
export const SEVERE_LINGER_MS = 2 * 60_000;

/** One Severe banner entry. */
export interface SevereItem {
  key: string;
  title: string;
  detail: string;
  checkId: number | null;
  since: number | null;
  /** When the status changed away from ERR; the entry disappears SEVERE_LINGER_MS later. */
  clearedAt: number | null;
}

/** Holds the overview's state; one instance per app. */
export class OverviewModel {
  checks = new Map<number, OverviewCheck>();
  severe = new Map<string, SevereItem>();
  projects: { id: number; name: string }[] = [];
  lastEventId = 0;
  loaded = false;
  version = 0;
  serverOffset = 0;
  private listeners = new Set<() => void>();
  private scheduled = false;

  /**
   * `schedule` runs the listeners' notification (default: the next animation frame); `clock` gives
   * the local time (server time = clock + offset measured at load).
   */
  constructor(
    private readonly schedule: (fn: () => void) => void = nextFrame,
    private readonly clock: () => number = () => Date.now(),
  ) {}

  /** Subscribes to changes; returns the unsubscribe function. */
  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => { this.listeners.delete(fn); };
  }

  /** Marks a change; listeners run once in the next animation frame. */
  changed(): void {
    this.version++;
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(() => {
      this.scheduled = false;
      for (const fn of this.listeners) fn();
    });
  }

  /**
   * Loads (or reloads) everything from GET /api/v1/overview?format=columns (the compact form). Only
   * the first load of a page takes the response index.html preloaded; later ones add a query so they
   * never reuse it (it may be a 401).
   */
  async load(api: Api, usePreloaded = false): Promise<void> {
    const query = usePreloaded ? { format: 'columns' } : { format: 'columns', fresh: this.clock() };
    this.setOverview(fromColumns(await api.get<ColumnsOverview>('/api/v1/overview', query)));
  }

  /** Replaces everything with an overview answer. */
  setOverview(o: Overview): void {
    this.serverOffset = o.now - this.clock();
    this.checks = new Map(o.checks.map((c) => [c.id, c]));
    this.severe = new Map();
    for (const s of o.severe) {
      this.severe.set(`check:${s.checkId}`, { key: `check:${s.checkId}`, title: `${s.hostName} / ${s.name}`, detail: s.info, checkId: s.checkId, since: s.since, clearedAt: s.clearedAt });
    }
    this.projects = o.projects;
    this.lastEventId = o.lastEventId;
    this.loaded = true;
    this.changed();
  }

  /** Applies one live event. */
  apply(e: LiveEvent): void {
    if (e.id > this.lastEventId) this.lastEventId = e.id;
    if (e.type === 'check') {
      const c = e.check;
      this.checks.set(c.id, c);
      const key = `check:${c.id}`;
      const entry = this.severe.get(key);
      if (c.state === 'ERR') {
        this.severe.set(key, { key, title: `${c.hostName} / ${c.name}`, detail: c.info, checkId: c.id, since: c.lastChangeAt, clearedAt: null });
      } else if (entry !== undefined && entry.clearedAt === null) {
        entry.clearedAt = c.lastChangeAt ?? this.now();
      }
    } else if (e.type === 'check-deleted') {
      this.checks.delete(e.checkId);
      this.severe.delete(`check:${e.checkId}`);
    } else if (e.type === 'severe') {
      const key = `special:${e.key}`;
      const entry = this.severe.get(key);
      if (e.active) this.severe.set(key, { key, title: e.title, detail: e.message, checkId: null, since: e.at, clearedAt: null });
      else if (entry !== undefined && entry.clearedAt === null) entry.clearedAt = e.at;
    } else {
      return;
    }
    this.changed();
  }

  /** Server time now (corrected for clock skew). */
  now(): number {
    return this.clock() + this.serverOffset;
  }

  /** Drops Severe entries cleared more than SEVERE_LINGER_MS ago; true when one went. */
  expireSevere(): boolean {
    const now = this.now();
    let gone = false;
    for (const [k, s] of this.severe) {
      if (s.clearedAt !== null && now - s.clearedAt >= SEVERE_LINGER_MS) {
        this.severe.delete(k);
        gone = true;
      }
    }
    if (gone) this.changed();
    return gone;
  }

  /** Counts per state and expired, over the checks matching the project filter. */
  counts(projectId: number | null): Counts {
    return countChecks(this.checks.values(), projectId);
  }

  /** Every tag in use, sorted. */
  tags(): string[] {
    return tagsOf(this.checks.values());
  }

  /** The rows for the list (see overviewRows). */
  rows(f: OverviewFilter): Row[] {
    return overviewRows(this.checks.values(), f);
  }
}

/** The next animation frame in a browser, else a 16 ms timer. */
function nextFrame(fn: () => void): void {
  const raf = (globalThis as { requestAnimationFrame?: (cb: () => void) => number }).requestAnimationFrame;
  if (raf !== undefined) raf(fn);
  else setTimeout(fn, 16);
}

/** All states, worst first (re-exported for the filter chips). */
export { STATES };
