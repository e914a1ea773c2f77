// The route form without the DOM: a route of the API in the form's shape and the body that
// creates it.

/** A route as GET /api/v1/routes answers it. */
export interface RouteView {
  name: string; projects: string[]; hosts: string[]; checks: string[]; states: string[]; tags: string[]; kinds: string[];
  channels: string[]; default: boolean; origin?: string;
}
/** The states a route may match: every check state. */
export { STATES } from './types.js';
/** The criteria of a route (each a list; empty = any). */
export const CRITERIA = ['projects', 'hosts', 'checks', 'states', 'tags', 'kinds'] as const;
/** The event kinds a route may match. */
export const KINDS = ['problem', 'recovery', 'change', 'alert', 'reminder', 'flapping-started', 'flapping-stopped', 'channel-disabled', 'test'];
/** The route fields a server error may name. */
export const FIELDS = ['name', 'projects', 'hosts', 'checks', 'states', 'tags', 'kinds', 'channels', 'default'];

const strings = (x: unknown): string[] => (Array.isArray(x) ? x.map(String) : []);
/** A route of GET /routes in the form's shape (the API gives null for a criterion not set, and `isDefault`). */
export function routeOf(r: Record<string, unknown>): RouteView {
  return {
    name: String(r.name), projects: strings(r.projects), hosts: strings(r.hosts), checks: strings(r.checks), states: strings(r.states),
    tags: strings(r.tags), kinds: strings(r.kinds), channels: strings(r.channels), default: r.isDefault === true || r.default === true,
    ...(typeof r.origin === 'string' ? { origin: r.origin } : {}),
  };
}

/** The body that re-creates `r` (only the API's fields). */
export function bodyOf(r: RouteView): Record<string, unknown> {
  const b: Record<string, unknown> = { name: r.name, channels: r.channels };
  for (const k of CRITERIA) if (r[k].length > 0) b[k] = r[k];
  if (r.default) b.default = true;
  return b;
}
