// The overview's data: every check by id, the Severe banner entries, and worst-first rows for the
// virtual list. Live events are applied in place; listeners are told once per animation frame.
import type { Api } from './api.js';
import { STATES, stateRank, type CheckState, type LiveEvent, type Overview, type OverviewCheck } from './types.js';

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

/** A row of the overview list: a host header or one of its checks. */
export type Row =
  | { kind: 'host'; hostId: number; hostName: string; worst: CheckState; count: number; bad: number }
  | { kind: 'check'; check: OverviewCheck };

/** Filters of the overview. */
export interface OverviewFilter {
  text: string;
  states: ReadonlySet<CheckState>;
  expiredOnly: boolean;
  projectId: number | null;
  tag: string;
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
    requestAnimationFrame(() => {
      this.scheduled = false;
      for (const fn of this.listeners) fn();
    });
  }

  /**
   * Loads (or reloads) everything from GET /api/v1/overview. Only the first load of a page takes the
   * response index.html preloaded; later ones add a query so they never reuse it (it may be a 401).
   */
  async load(api: Api, usePreloaded = false): Promise<void> {
    const o = await api.get<Overview>('/api/v1/overview', usePreloaded ? {} : { fresh: Date.now() });
    this.serverOffset = o.now - Date.now();
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
    return Date.now() + this.serverOffset;
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
  counts(projectId: number | null): { byState: Record<CheckState, number>; expired: number; total: number } {
    const byState: Record<CheckState, number> = { ERR: 0, WARN: 0, UNK: 0, OK: 0 };
    let expired = 0;
    let total = 0;
    for (const c of this.checks.values()) {
      if (projectId !== null && c.projectId !== projectId) continue;
      byState[c.state]++;
      if (c.expired) expired++;
      total++;
    }
    return { byState, expired, total };
  }

  /** Every tag in use, sorted. */
  tags(): string[] {
    const set = new Set<string>();
    for (const c of this.checks.values()) for (const t of c.tags) set.add(t);
    return [...set].sort();
  }

  /**
   * The rows for the list: hosts worst first (then by name), each followed by its matching checks
   * worst first (expired before others of the same state, then by name).
   */
  rows(f: OverviewFilter): Row[] {
    const words = f.text.toLowerCase().split(/\s+/).filter(Boolean);
    const byHost = new Map<number, OverviewCheck[]>();
    for (const c of this.checks.values()) {
      if (f.projectId !== null && c.projectId !== f.projectId) continue;
      if (f.states.size > 0 && !f.states.has(c.state)) continue;
      if (f.expiredOnly && !c.expired) continue;
      if (f.tag !== '' && !c.tags.includes(f.tag)) continue;
      if (words.length > 0) {
        const hay = `${c.hostName} ${c.name} ${c.info} ${c.tags.join(' ')}`.toLowerCase();
        if (!words.every((w) => hay.includes(w))) continue;
      }
      let list = byHost.get(c.hostId);
      if (list === undefined) byHost.set(c.hostId, (list = []));
      list.push(c);
    }
    const key = (c: OverviewCheck): number => stateRank(c.state) * 2 + (c.expired ? 0 : 1);
    const hosts = [...byHost.values()].map((list) => {
      list.sort((a, b) => key(a) - key(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      return list;
    });
    hosts.sort((a, b) => key(a[0]!) - key(b[0]!) || (a[0]!.hostName < b[0]!.hostName ? -1 : 1));
    const rows: Row[] = [];
    for (const list of hosts) {
      const first = list[0]!;
      rows.push({ kind: 'host', hostId: first.hostId, hostName: first.hostName, worst: first.state, count: list.length, bad: list.filter((c) => c.state !== 'OK').length });
      for (const check of list) rows.push({ kind: 'check', check });
    }
    return rows;
  }
}

/** All states, worst first (re-exported for the filter chips). */
export { STATES };
