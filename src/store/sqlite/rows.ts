// The SQLite check row (expired as 0/1, tags as JSON text); every other row is dialect-neutral (../rows.ts).
import type { Check } from '../../domain/types.js';
import { checkFromRow, type CheckRowBase } from '../rows.js';

export * from '../rows.js';

/** A checks row as SQLite returns it. */
export interface CheckRow extends CheckRowBase { expired: number; tags: string }

/** Maps a checks row (joined with the host name). */
export const toCheck = (r: CheckRow): Check => checkFromRow(r, r.expired !== 0, JSON.parse(r.tags) as string[]);
