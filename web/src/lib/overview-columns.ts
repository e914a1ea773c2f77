// The overview's checks sent as columns (GET /api/v1/overview?format=columns) back into the plain
// answer. The format and its decoder are declared once, in src/web-server/overview-columns.ts,
// which the server encodes with.
import { decodeOverviewColumns, type OverviewColumns } from '../../../src/web-server/overview-columns.js';
import type { Overview } from './types.js';

/** GET /api/v1/overview?format=columns: the plain answer with `columns` in place of `checks`. */
export type ColumnsOverview = Omit<Overview, 'checks'> & { columns: OverviewColumns };

/** The plain overview answer of a columns answer; throws on malformed columns. */
export function fromColumns(o: ColumnsOverview): Overview {
  const { columns, ...rest } = o;
  return { ...rest, checks: decodeOverviewColumns(columns, o.now) };
}
