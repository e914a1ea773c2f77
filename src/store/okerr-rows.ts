// Row shapes of the okerr adapter's tables and their mapping to OkerrRepo records, shared by
// store/sqlite/okerr.ts and store/postgres/okerr.ts (`autocreate` is INTEGER 0/1 in SQLite, BOOLEAN in PostgreSQL).
import type { OkerrIndicatorRecord, OkerrPolicy, OkerrSettings } from '../ingest/okerr-repo.js';
import { flagOf, type Flag } from './alerting-rows.js';

/** An okerr_settings row (the columns read). */
export interface OkerrSettingsRow { project_id: number; secret_salt: string | null; secret_hash: string | null; autocreate: Flag; policies: string }
/** An okerr_indicators row. */
export interface OkerrIndicatorRow {
  project_id: number; name: string; method: string; policy: string; previous: string | null; tags: string; description: string; updated_at: number;
}

function isPolicy(v: unknown): v is OkerrPolicy {
  if (typeof v !== 'object' || v === null) return false;
  const { periodS, patienceS } = v as Record<string, unknown>;
  return typeof periodS === 'number' && typeof patienceS === 'number';
}

/** The well-formed policies of a stored JSON object (others are dropped; a non-object reads as none). */
export function parseOkerrPolicies(text: string): Record<string, OkerrPolicy> {
  const out: Record<string, OkerrPolicy> = {};
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null) return out;
  for (const [k, v] of Object.entries(parsed)) if (isPolicy(v)) out[k] = { periodS: v.periodS, patienceS: v.patienceS };
  return out;
}

/** Maps an okerr_settings row. */
export function toOkerrSettings(row: OkerrSettingsRow): OkerrSettings {
  return {
    projectId: row.project_id,
    secret: row.secret_salt !== null && row.secret_hash !== null ? { salt: row.secret_salt, hash: row.secret_hash } : null,
    autocreate: flagOf(row.autocreate),
    policies: parseOkerrPolicies(row.policies),
  };
}

/** Maps an okerr_indicators row (non-string tags dropped). */
export function toOkerrIndicator(row: OkerrIndicatorRow): OkerrIndicatorRecord {
  const tags: unknown = JSON.parse(row.tags);
  return {
    projectId: row.project_id, name: row.name, method: row.method, policy: row.policy, previous: row.previous,
    tags: Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [], desc: row.description, updatedAt: row.updated_at,
  };
}
