// What the okerr adapter keeps beside the core store: per-project settings (secret, autocreate,
// policies) and per-indicator state (method line, policy, previous value). Dialect-free interface;
// the SQLite implementation is store/sqlite/okerr.ts.
import { OKERR_POLICIES } from '../protocols/okerr.js';
import type { HostKeyHash } from '../store/types.js';

/** A policy: the promised update period and the grace past it, in seconds. */
export interface OkerrPolicy {
  periodS: number;
  patienceS: number;
}

/** okerr settings of one project. */
export interface OkerrSettings {
  projectId: number;
  /** scrypt hash of the project's own okerr secret; null = the project's ingest token is the secret. */
  secret: HostKeyHash | null;
  /** Unknown indicators are created on their first update when true. */
  autocreate: boolean;
  /** Project policies by name, on top of the built-in Default and Daily. */
  policies: Readonly<Record<string, OkerrPolicy>>;
}

/** A change to a project's settings; absent fields stay as they are. */
export interface OkerrSettingsPatch {
  secret?: HostKeyHash | null;
  autocreate?: boolean;
  policies?: Readonly<Record<string, OkerrPolicy>>;
}

/** What is kept per indicator between updates. */
export interface OkerrIndicatorRecord {
  projectId: number;
  name: string;
  /** The method line as last given (`codename|k=v…`). */
  method: string;
  policy: string;
  /** The value the next update is compared with (diffmin/diffmax, string dynamic), or null. */
  previous: string | null;
  tags: string[];
  desc: string;
  updatedAt: number;
}

/** Storage of okerr settings and indicators. Writes resolve once durable. */
export interface OkerrRepo {
  /** The project's settings, or the defaults (no own secret, autocreate on, no own policies). */
  getSettings(projectId: number): Promise<OkerrSettings>;
  setSettings(projectId: number, patch: OkerrSettingsPatch, now: number): Promise<OkerrSettings>;
  getIndicator(projectId: number, name: string): Promise<OkerrIndicatorRecord | null>;
  /** Inserts or replaces the indicator's record. */
  saveIndicator(record: OkerrIndicatorRecord): Promise<void>;
}

/** Settings of a project that never configured okerr. */
export function defaultOkerrSettings(projectId: number): OkerrSettings {
  return { projectId, secret: null, autocreate: true, policies: {} };
}

/** The policy of that name: the project's own first, then the built-in ones; null when unknown. */
export function resolveOkerrPolicy(settings: OkerrSettings, name: string): OkerrPolicy | null {
  if (Object.hasOwn(settings.policies, name)) return settings.policies[name] ?? null;
  return Object.hasOwn(OKERR_POLICIES, name) ? OKERR_POLICIES[name] ?? null : null;
}
