// The overview's checks as columns (GET /overview?format=columns, what the dashboard asks for): each
// field once per check in an array, host names once per host, states as one letter, times relative
// to `now`, expired and tags only where set. 10,000 checks: ~0.55 MB of JSON instead of ~2.2 MB,
// so the server serialises and the browser parses about a quarter.
// The one declaration of the format: the server encodes with it and the dashboard decodes with it
// (web/src/lib/overview-columns.ts imports this file, web/tsconfig.json includes it), so it imports
// nothing and uses nothing of Node or of the DOM.

/** A check's state (CheckState on both sides). */
export type ColumnState = 'OK' | 'WARN' | 'ERR' | 'UNK';

/** The fields of a check the columns carry (OverviewCheck on both sides). */
export interface ColumnCheck {
  id: number; projectId: number; hostId: number; hostName: string; name: string; state: ColumnState; info: string;
  lastReportAt: number | null; lastChangeAt: number | null; expired: boolean; tags: string[];
}

/** The checks of an overview as columns; index i of every array is the i-th check. */
export interface OverviewColumns {
  /** [host id, host name] once per host; `host` holds indexes into this. */
  hosts: [number, string][];
  id: number[];
  projectId: number[];
  host: number[];
  name: string[];
  /** One letter per check: E(RR), W(ARN), U(NK), O(K). */
  state: string;
  info: string[];
  /** `now` minus the time (ms), or null. */
  lastReportAgo: (number | null)[];
  lastChangeAgo: (number | null)[];
  /** Indexes of the expired checks. */
  expired: number[];
  /** [index, tags] for the checks that have tags. */
  tags: [number, string[]][];
}

const LETTER: Record<ColumnState, string> = { ERR: 'E', WARN: 'W', UNK: 'U', OK: 'O' };
const STATE: Record<string, ColumnState> = { E: 'ERR', W: 'WARN', U: 'UNK', O: 'OK' };

/** Encodes checks as columns relative to `now` (decodeOverviewColumns gives them back unchanged). */
export function encodeOverviewColumns(checks: readonly ColumnCheck[], now: number): OverviewColumns {
  const hostIndex = new Map<number, number>();
  const out: OverviewColumns = { hosts: [], id: [], projectId: [], host: [], name: [], state: '', info: [], lastReportAgo: [], lastChangeAgo: [], expired: [], tags: [] };
  const letters: string[] = new Array<string>(checks.length);
  for (let i = 0; i < checks.length; i++) {
    const c = checks[i]!;
    let h = hostIndex.get(c.hostId);
    if (h === undefined) { h = out.hosts.length; hostIndex.set(c.hostId, h); out.hosts.push([c.hostId, c.hostName]); }
    out.id.push(c.id);
    out.projectId.push(c.projectId);
    out.host.push(h);
    out.name.push(c.name);
    letters[i] = LETTER[c.state];
    out.info.push(c.info);
    out.lastReportAgo.push(c.lastReportAt === null ? null : now - c.lastReportAt);
    out.lastChangeAgo.push(c.lastChangeAt === null ? null : now - c.lastChangeAt);
    if (c.expired) out.expired.push(i);
    if (c.tags.length > 0) out.tags.push([i, c.tags]);
  }
  out.state = letters.join('');
  return out;
}

/** The checks of columns encoded relative to `now`, in the encoder's order; throws on malformed columns. */
export function decodeOverviewColumns(cols: OverviewColumns, now: number): ColumnCheck[] {
  const n = cols.id.length;
  if (cols.state.length !== n || cols.name.length !== n || cols.host.length !== n || cols.info.length !== n
    || cols.projectId.length !== n || cols.lastReportAgo.length !== n || cols.lastChangeAgo.length !== n) {
    throw new Error('overview: columns of different lengths');
  }
  const out = new Array<ColumnCheck>(n);
  for (let i = 0; i < n; i++) {
    const host = cols.hosts[cols.host[i]!];
    const state = STATE[cols.state[i]!];
    if (host === undefined || state === undefined) throw new Error(`overview: bad host or state of check ${cols.id[i]}`);
    const rep = cols.lastReportAgo[i]!;
    const chg = cols.lastChangeAgo[i]!;
    out[i] = {
      id: cols.id[i]!, projectId: cols.projectId[i]!, hostId: host[0], hostName: host[1], name: cols.name[i]!, state, info: cols.info[i]!,
      lastReportAt: rep === null ? null : now - rep, lastChangeAt: chg === null ? null : now - chg, expired: false, tags: [],
    };
  }
  for (const i of cols.expired) out[i]!.expired = true;
  for (const [i, tags] of cols.tags) out[i]!.tags = tags;
  return out;
}
