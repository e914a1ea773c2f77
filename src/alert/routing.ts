// Routing: which channels get an event. Every matching route contributes its channels; the default
// route applies only when none matched; with no routes at all every channel gets every event.
import type { NotifyEvent } from '../notify/types.js';
import { anyGlob } from './glob.js';
import type { Route } from './types.js';

/** True when every criterion of the route matches the event. */
export function routeMatches(route: Route, event: NotifyEvent): boolean {
  if (route.projects !== null && route.projects.length > 0 && (event.project === null || !route.projects.includes(event.project))) return false;
  if (!anyGlob(route.hosts, event.hostName)) return false;
  if (!anyGlob(route.checks, event.checkName)) return false;
  if (route.states !== null && route.states.length > 0 && event.state !== null) {
    const touched = [event.state, event.oldState];
    if (!route.states.some((s) => touched.includes(s))) return false;
  }
  if (route.tags !== null && route.tags.length > 0 && !route.tags.some((t) => event.tags.includes(t))) return false;
  if (route.kinds !== null && route.kinds.length > 0 && !route.kinds.includes(event.kind)) return false;
  return true;
}

/** The channel names an event goes to (deduplicated, in route order). */
export function channelsFor(routes: readonly Route[], allChannels: readonly string[], event: NotifyEvent): string[] {
  if (routes.length === 0) return [...allChannels];
  const out = new Set<string>();
  for (const r of routes) if (!r.isDefault && routeMatches(r, event)) r.channels.forEach((c) => out.add(c));
  if (out.size === 0) {
    for (const r of routes) if (r.isDefault && routeMatches(r, event)) r.channels.forEach((c) => out.add(c));
  }
  return [...out];
}
