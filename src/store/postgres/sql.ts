// Small helpers for building parameterized PostgreSQL queries.
import { decodeNumericCursor } from '../cursor.js';
import type { TimeFilter } from '../types.js';

/** Collects query parameters and hands out their `$n` placeholders. */
export class Params {
  readonly values: unknown[] = [];
  /** Adds a value; returns its placeholder. */
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

/** WHERE parts for a newest-first time log with an (at, id) cursor; bounds are inclusive. */
export function timeWhere(filter: TimeFilter, p: Params, atCol = 'at', idCol = 'id'): string[] {
  const where: string[] = [];
  if (filter.from !== undefined) where.push(`${atCol} >= ${p.add(filter.from)}`);
  if (filter.to !== undefined) where.push(`${atCol} <= ${p.add(filter.to)}`);
  if (filter.cursor) {
    const [at, id] = decodeNumericCursor(filter.cursor, 2) as [number, number];
    where.push(`(${atCol}, ${idCol}) < (${p.add(at)}, ${p.add(id)})`);
  }
  return where;
}

/** `WHERE a AND b` or the empty string. */
export function whereSql(parts: string[]): string {
  return parts.length ? `WHERE ${parts.join(' AND ')}` : '';
}
