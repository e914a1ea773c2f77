// A real HTTP server on 127.0.0.1:0 that records requests and answers from a handler (tests only).
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the server saw it. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** The answer a handler gives. */
export interface CannedAnswer {
  status?: number;
  body?: string;
  contentType?: string;
}

/** A started recording server. */
export interface RecordingServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** Starts a server; `handler` decides each answer (default 200 `{"ok":1}`). */
export async function startRecordingServer(handler: (req: RecordedRequest) => CannedAnswer = () => ({})): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(rec);
      const a = handler(rec);
      res.writeHead(a.status ?? 200, { 'content-type': a.contentType ?? 'application/json' });
      res.end(a.body ?? '{"ok":1}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
