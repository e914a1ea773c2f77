// The overview list as pure functions of the checks: worst-first rows grouped by host, counts per
// state, tags in use. No DOM here, so the rules are unit-tested in Node (test/web-logic.test.ts).
import { stateRank, type CheckState, type OverviewCheck } from './types.js';

/** A row of the overview list: a host header or one of its checks. */
export type Row =
  | { kind: 'host'; hostId: number; hostName: string; worst: CheckState; count: number; bad: number }
  | { kind: 'check'; check: OverviewCheck };

/** Filters of the overview (empty text/states/tag and null project mean "all"). */
export interface OverviewFilter {
  text: string;
  states: ReadonlySet<CheckState>;
  expiredOnly: boolean;
  projectId: number | null;
  tag: string;
}

/** Counts of a set of checks. */
export interface Counts { byState: Record<CheckState, number>; expired: number; total: number }

/** Counts per state and of expired checks, over the checks of `projectId` (null: all). */
export function countChecks(checks: Iterable<OverviewCheck>, projectId: number | null): Counts {
  const byState: Record<CheckState, number> = { ERR: 0, WARN: 0, UNK: 0, OK: 0 };
  let expired = 0;
  let total = 0;
  for (const c of checks) {
    if (projectId !== null && c.projectId !== projectId) continue;
    byState[c.state]++;
    if (c.expired) expired++;
    total++;
  }
  return { byState, expired, total };
}

/** Every tag in use, sorted. */
export function tagsOf(checks: Iterable<OverviewCheck>): string[] {
  const set = new Set<string>();
  for (const c of checks) for (const t of c.tags) set.add(t);
  return [...set].sort();
}

/** True when the check passes the filter; `words` are the lower-cased words of the search text. */
function matches(c: OverviewCheck, f: OverviewFilter, words: string[]): boolean {
  if (f.projectId !== null && c.projectId !== f.projectId) return false;
  if (f.states.size > 0 && !f.states.has(c.state)) return false;
  if (f.expiredOnly && !c.expired) return false;
  if (f.tag !== '' && !c.tags.includes(f.tag)) return false;
  if (words.length === 0) return true;
  const hay = `${c.hostName} ${c.name} ${c.info} ${c.tags.join(' ')}`.toLowerCase();
  return words.every((w) => hay.includes(w));
}

/** Sort key of a check: state worst first, expired before the others of the same state. */
const badness = (c: OverviewCheck): number => stateRank(c.state) * 2 + (c.expired ? 0 : 1);
const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The rows of the list: hosts ordered by their worst matching check (then by name), each followed
 * by its matching checks worst first (then by name). Every search word must appear somewhere in
 * host, check name, info or tags.
 */
export function overviewRows(checks: Iterable<OverviewCheck>, f: OverviewFilter): Row[] {
  const words = f.text.toLowerCase().split(/\s+/).filter(Boolean);
  const byHost = new Map<number, OverviewCheck[]>();
  for (const c of checks) {
    if (!matches(c, f, words)) continue;
    let list = byHost.get(c.hostId);
    if (list === undefined) byHost.set(c.hostId, (list = []));
    list.push(c);
  }
  const hosts = [...byHost.values()];
  for (const list of hosts) list.sort((a, b) => badness(a) - badness(b) || byName(a.name, b.name));
  hosts.sort((a, b) => badness(a[0]!) - badness(b[0]!) || byName(a[0]!.hostName, b[0]!.hostName));
  const rows: Row[] = [];
  for (const list of hosts) {
    const first = list[0]!;
    rows.push({ kind: 'host', hostId: first.hostId, hostName: first.hostName, worst: first.state, count: list.length, bad: list.filter((c) => c.state !== 'OK').length });
    for (const check of list) rows.push({ kind: 'check', check });
  }
  return rows;
}
