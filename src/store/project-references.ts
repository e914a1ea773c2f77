// What refers to a project by name (alert silences and route matches) and how a rename or a delete
// rewrites it. Pure: the stores run the SQL in the same transaction as the project row change.
import type { Route } from '../alert/types.js';

/** A route spec (JSON text) after a rename: `null` when it does not name `from` (nothing to write). */
export function renamedRouteSpec(spec: string, from: string, to: string): string | null {
  const route = JSON.parse(spec) as Partial<Route>;
  if (!Array.isArray(route.projects) || !route.projects.includes(from)) return null;
  return JSON.stringify({ ...route, projects: [...new Set(route.projects.map((p) => (p === from ? to : p)))] });
}

/**
 * What becomes of a route spec when project `name` is deleted: `keep` (does not name it), `rewrite`
 * (names it among others: it is taken out) or `delete` (names only it: it can never match again, and
 * an empty list would mean "every project", so the route goes instead of widening).
 */
export function routeAfterDelete(spec: string, name: string): { action: 'keep' } | { action: 'rewrite'; spec: string } | { action: 'delete' } {
  const route = JSON.parse(spec) as Partial<Route>;
  if (!Array.isArray(route.projects) || !route.projects.includes(name)) return { action: 'keep' };
  const rest = route.projects.filter((p) => p !== name);
  return rest.length === 0 ? { action: 'delete' } : { action: 'rewrite', spec: JSON.stringify({ ...route, projects: rest }) };
}
