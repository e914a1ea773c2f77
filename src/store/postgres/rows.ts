// The PostgreSQL check row (int8 parsed as number by the pool, expired as boolean, tags from JSONB
// already parsed); every other row is dialect-neutral (../rows.ts).
import type { Check } from '../../domain/types.js';
import { checkFromRow, type CheckRowBase } from '../rows.js';

export * from '../rows.js';

/** A checks row as the pg driver returns it. */
export interface CheckRow extends CheckRowBase { expired: boolean; tags: unknown }

/** Maps a checks row (joined with the host name); tags come back from JSONB already parsed. */
export const toCheck = (r: CheckRow): Check => checkFromRow(r, r.expired, Array.isArray(r.tags) ? r.tags.map(String) : []);
