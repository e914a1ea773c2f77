// GET /api/v1/live: Server-Sent Events of the live bus, filtered to what the caller may see.
// Authenticated like the API (session cookie or bearer), heartbeat comments keep proxies from idling
// the stream out, and Last-Event-ID (header or ?lastEventId=) resumes from the bus's retained events.
import { canRead } from '../api/v1/context.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Principal } from '../api/auth.js';
import type { LiveEvent, LiveEvents } from './events.js';

/** What liveRoutes needs. */
export interface LiveRoutesOptions {
  live: LiveEvents;
  /** Resolves the caller (throws OVS_ERR_UNAUTHORIZED / FORBIDDEN itself); null = not logged in. */
  principal: (request: FastifyRequest) => Promise<Principal | null>;
  /** Milliseconds between heartbeat comments (default 15 s). */
  heartbeatMs?: number;
}

/** The SSE frame of one event (data is one JSON line). */
export function sseFrame(event: LiveEvent): string {
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

function lastEventId(request: FastifyRequest): number | undefined {
  const header = request.headers['last-event-id'];
  const query = (request.query as Record<string, unknown> | undefined)?.lastEventId;
  const raw = typeof header === 'string' ? header : typeof query === 'string' ? query : undefined;
  if (raw === undefined || !/^[0-9]{1,15}$/.test(raw)) return undefined;
  return Number(raw);
}

/** Registers GET /live (use prefix /api/v1). Open streams end when the server closes. */
export async function liveRoutes(app: FastifyInstance, opts: LiveRoutesOptions): Promise<void> {
  const open = new Set<() => void>();
  app.addHook('preClose', async () => { for (const end of [...open]) end(); });

  app.get('/live', { schema: { hide: true } }, async (request, reply) => {
    const principal = await opts.principal(request);
    if (principal === null) {
      return reply.code(401).send({ error: { code: 'OVS_ERR_UNAUTHORIZED', message: 'log in or present an API token' } });
    }
    const visible = (e: LiveEvent): boolean => canRead(principal, e.projectId);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    // retry: how long the browser waits before reconnecting after a drop.
    res.write(`retry: 1000\n: connected\n\n`);
    const after = lastEventId(request);
    const sub = opts.live.subscribe((e) => { if (visible(e)) res.write(sseFrame(e)); }, after);
    if (!sub.replayed) res.write(`event: reset\ndata: {"lastId":${opts.live.lastId()}}\n\n`);
    else if (after === undefined) res.write(`event: hello\ndata: {"lastId":${opts.live.lastId()}}\n\n`);
    const heartbeat = setInterval(() => res.write(`: ping ${Date.now()}\n\n`), opts.heartbeatMs ?? 15_000);
    const end = (): void => {
      clearInterval(heartbeat);
      sub.unsubscribe();
      open.delete(end);
      if (!res.writableEnded) res.end();
    };
    open.add(end);
    request.raw.on('close', end);
    res.on('error', end);
  });
}
