// Decodes the overview's checks sent as columns (GET /api/v1/overview?format=columns; the server
// side is src/web-server/overview-columns.ts) back into the list of checks of the plain answer.
import type { CheckState, Overview, OverviewCheck } from './types.js';

/** The checks as the server sends them with format=columns (see OverviewColumns on the server). */
export interface OverviewColumns {
  hosts: [number, string][];
  id: number[];
  projectId: number[];
  host: number[];
  name: string[];
  state: string;
  info: string[];
  lastReportAgo: (number | null)[];
  lastChangeAgo: (number | null)[];
  expired: number[];
  tags: [number, string[]][];
}

/** GET /api/v1/overview?format=columns: the plain answer with `columns` in place of `checks`. */
export type ColumnsOverview = Omit<Overview, 'checks'> & { columns: OverviewColumns };

const STATE: Record<string, CheckState> = { E: 'ERR', W: 'WARN', U: 'UNK', O: 'OK' };

/** The checks of a columns answer, in the server's order; throws on a malformed answer. */
export function decodeOverviewColumns(cols: OverviewColumns, now: number): OverviewCheck[] {
  const n = cols.id.length;
  if (cols.state.length !== n || cols.name.length !== n || cols.host.length !== n || cols.info.length !== n
    || cols.projectId.length !== n || cols.lastReportAgo.length !== n || cols.lastChangeAgo.length !== n) {
    throw new Error('overview: columns of different lengths');
  }
  const out = new Array<OverviewCheck>(n);
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

/** The plain overview answer of a columns answer. */
export function fromColumns(o: ColumnsOverview): Overview {
  const { columns, ...rest } = o;
  return { ...rest, checks: decodeOverviewColumns(columns, o.now) };
}
