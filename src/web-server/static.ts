// Serves the built single-page app: hashed files under /assets/ cached for a year (immutable),
// index.html never cached, and index.html for every client-side route (SPA fallback).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Client-side routes of the app (anything under these paths answers index.html). */
export const CLIENT_ROUTES = ['/', '/login', '/setup', '/alerts', '/explore', '/settings', '/dashboards'] as const;
/** Client routes with a sub-path (e.g. /check/12). */
export const CLIENT_ROUTE_PREFIXES = ['/check', '/host', '/dashboards', '/settings', '/explore'] as const;

/** Where the built app is: dist/web next to the compiled server, or the repo's dist/web when running from src. */
export function findWebRoot(candidates: string[] = [
  fileURLToPath(new URL('../web/', import.meta.url)),
  fileURLToPath(new URL('../../dist/web/', import.meta.url)),
]): string | null {
  return candidates.find((dir) => existsSync(`${dir}index.html`)) ?? null;
}

const NOT_BUILT = '<!doctype html><meta charset="utf-8"><title>Oversee</title><p>The web app is not built. Run <code>npm run build</code>; the API is at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p>';

/** Registers the static app on `app` from `root` (a directory with index.html and assets/), or a notice when null. */
export async function webAppRoutes(app: FastifyInstance, opts: { root: string | null }): Promise<void> {
  const root = opts.root;
  let index = NOT_BUILT;
  if (root !== null) {
    index = readFileSync(`${root}index.html`, 'utf8');
    await app.register(fastifyStatic, {
      root: `${root}assets`, prefix: '/assets/', decorateReply: false, index: false,
      immutable: true, maxAge: '365d', cacheControl: true, preCompressed: true, etag: true, lastModified: false,
    });
  }
  const sendIndex = async (_req: unknown, reply: import('fastify').FastifyReply): Promise<void> => {
    await reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'same-origin').header('x-frame-options', 'DENY').send(index);
  };
  for (const path of CLIENT_ROUTES) app.get(path, { schema: { hide: true } }, sendIndex);
  for (const prefix of CLIENT_ROUTE_PREFIXES) app.get(`${prefix}/*`, { schema: { hide: true } }, sendIndex);
}
