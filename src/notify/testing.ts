// Test support (used by channel and engine tests): a real HTTP receiver on port 0 that records requests.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildMessage } from './format.js';
import type { NotifyEvent, NotifyMessage } from './types.js';

/** One request as the receiver saw it. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A running receiver: its URL, what it got, and how to change its answer or stop it. */
export interface HttpReceiver {
  url: string;
  requests: ReceivedRequest[];
  /** Status (and optional delay in ms) for the next requests; default 200 immediately. */
  respond(status: number, delayMs?: number): void;
  /** Resolves once at least `n` requests have arrived (rejects after `timeoutMs`). */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1, port 0. */
export async function startHttpReceiver(): Promise<HttpReceiver> {
  const requests: ReceivedRequest[] = [];
  let status = 200;
  let delayMs = 0;
  const waiters: Array<() => void> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      for (const w of waiters.splice(0)) w();
      const answer = (): void => {
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(status < 300 ? 'ok' : 'nope');
      };
      if (delayMs > 0) setTimeout(answer, delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    respond(s: number, d = 0): void {
      status = s;
      delayMs = d;
    },
    async waitFor(n: number, timeoutMs = 5000): Promise<ReceivedRequest[]> {
      const until = Date.now() + timeoutMs;
      while (requests.length < n) {
        if (Date.now() > until) throw new Error(`receiver: expected ${n} requests, got ${requests.length}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
      return requests;
    },
    close(): Promise<void> {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A one-event message (web1/disk OK -> ERR) for channel tests. */
export function sampleMessage(overrides: Partial<NotifyEvent> = {}): NotifyMessage {
  const event: NotifyEvent = {
    key: 'flip:1', kind: 'problem', at: Date.UTC(2026, 0, 2, 3, 4, 5), projectId: 1, project: 'main', hostName: 'web1', checkName: 'disk',
    oldState: 'OK', state: 'ERR', reason: 'reported', title: 'web1/disk: OK -> ERR', message: '/ is 97% full', tags: ['prod'],
    ...overrides,
  };
  return buildMessage([event]);
}
