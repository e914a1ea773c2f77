// The routes of a Fastify app as (method, path) pairs, read from its own route tree, so the
// dashboard can show actions only where the server has the API (and tests can walk every route).
import type { FastifyInstance } from 'fastify';

/** One route. */
export interface RouteEntry { method: string; path: string }

/** Parses `printRoutes()` output (a radix tree: each line's fragment continues its parent's path) into (method, path) pairs. */
export function parseRouteTree(tree: string): RouteEntry[] {
  const out: RouteEntry[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([│ ]*)[├└]── (\S+)(?: \(([^)]*)\))?/.exec(line);
    if (m === null) continue;
    const depth = [...(m[1] ?? '')].length / 4;
    const path = (depth === 0 ? '' : stack[depth - 1] ?? '') + (m[2] ?? '');
    stack[depth] = path;
    stack.length = depth + 1;
    for (const method of (m[3] ?? '').split(',').map((s) => s.trim()).filter(Boolean)) out.push({ method, path });
  }
  return out;
}

/** Every route of the app (call after ready). */
export function listRoutes(app: FastifyInstance): RouteEntry[] {
  return parseRouteTree(app.printRoutes());
}
