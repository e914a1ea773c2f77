// Opaque paging cursors shared by every store implementation: base64url of a small JSON array.
import { OverseeError } from '../errors.js';

/** Encodes the sort key of the last item of a page. */
export function encodeCursor(key: readonly (number | string)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** Decodes a cursor into `arity` numbers; OVS_ERR_BAD_CURSOR when it is not one we issued. */
export function decodeNumericCursor(cursor: string, arity: number): number[] {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === arity && v.every((x) => Number.isSafeInteger(x))) return v as number[];
  } catch {
    // fall through to the error below
  }
  throw new OverseeError('OVS_ERR_BAD_CURSOR', 'cursor: not a cursor this server issued');
}

/** Builds a page from `limit + 1` fetched rows: the extra row only tells that more exist. */
export function pageOf<T>(rows: T[], limit: number, keyOf: (item: T) => (number | string)[]): { items: T[]; nextCursor: string | null } {
  if (rows.length <= limit) return { items: rows, nextCursor: null };
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: last === undefined ? null : encodeCursor(keyOf(last)) };
}
