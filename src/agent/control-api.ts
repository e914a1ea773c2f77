// goma's REST API with goma's exact paths and answers: GET /list, POST /register, GET|DELETE|POST
// /monitor/{id}, GET|PUT|POST /verbosity, GET /version. Error bodies are text with a newline, as Go's
// http.Error writes them. With a token set, every request needs `Authorization: Bearer <token>`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { GomaMonitorError, parseMonitorJson } from '../protocols/goma-monitor.js';
import { VERSION } from '../version.js';
import type { Agent } from './agent.js';
import { parseLogLevel, type Logger } from './logger.js';

/** Options of the control API. */
export interface ControlApiOptions {
  agent: Agent;
  logger: Logger;
  token: string | undefined;
  /** Body size limit in bytes (default 1 MiB). */
  bodyLimit?: number;
}

const TEXT = 'text/plain; charset=utf-8';

function send(res: ServerResponse, status: number, body: string, type = TEXT): void {
  res.writeHead(status, { 'content-type': type, 'x-content-type-options': 'nosniff' });
  res.end(body);
}

function goError(res: ServerResponse, status: number, message: string): void {
  send(res, status, `${message}\n`);
}

function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) { resolve(undefined); req.resume(); return; }
      chunks.push(c);
    });
    req.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function tokenOk(req: IncomingMessage, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
  const given = Buffer.from(m?.[1] ?? '');
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

/** goma's level name for ours (`warn` is shown as `warning`). */
function levelName(l: string): string {
  return l === 'warn' ? 'warning' : l;
}

/** Handles one request (exported so tests can also drive it through a real server). */
export async function handleControl(opts: ControlApiOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { agent, logger } = opts;
  const limit = opts.bodyLimit ?? 1024 * 1024;
  if (opts.token !== undefined && !tokenOk(req, opts.token)) return goError(res, 401, 'Unauthorized');
  const path = new URL(req.url ?? '/', 'http://agent').pathname;
  const method = req.method ?? 'GET';
  // 1. /list
  if (path === '/list') {
    if (method !== 'GET') return goError(res, 405, 'Method Not Allowed');
    return send(res, 200, JSON.stringify(agent.list()), 'application/json; charset=utf-8');
  }
  // 2. /register
  if (path === '/register') {
    if (method !== 'POST') return goError(res, 405, 'Method Not Allowed');
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') return goError(res, 400, 'bad content type');
    const body = await readBody(req, limit);
    if (body === undefined) return goError(res, 413, `body larger than ${limit} bytes`);
    try {
      const id = agent.register(parseMonitorJson(body));
      logger.info('new monitor', { monitor_id: id });
      return send(res, 200, String(id));
    } catch (err) {
      if (err instanceof GomaMonitorError) return goError(res, 400, err.message);
      throw err;
    }
  }
  // 3. /monitor/{id}
  const m = /^\/monitor\/([0-9]+)$/.exec(path);
  if (m) {
    const id = Number(m[1]);
    const info = agent.info(id);
    if (!info) return goError(res, 404, '404 page not found');
    if (method === 'GET') return send(res, 200, JSON.stringify(info), 'application/json; charset=utf-8');
    if (method === 'DELETE') { agent.unregister(id); return send(res, 200, ''); }
    if (method !== 'POST') return goError(res, 400, 'invalid method');
    const body = (await readBody(req, limit))?.trim();
    if (body === 'start') {
      try { agent.start(id); } catch (err) { return goError(res, 500, (err as Error).message); }
      return send(res, 200, '');
    }
    if (body === 'stop') { agent.stop(id); return send(res, 200, ''); }
    return goError(res, 400, 'unknown action');
  }
  // 4. /verbosity
  if (path === '/verbosity') {
    if (method === 'GET') return send(res, 200, levelName(logger.level));
    if (method !== 'PUT' && method !== 'POST') return goError(res, 400, 'Bad method');
    const level = parseLogLevel((await readBody(req, limit)) ?? '');
    if (!level) return goError(res, 400, 'invalid level name (debug, info, warning, error, critical)');
    logger.level = level;
    logger.info('new verbosity', { level });
    return send(res, 200, '');
  }
  // 5. /version
  if (path === '/version') {
    if (method !== 'GET') return goError(res, 405, 'Method Not Allowed');
    return send(res, 200, VERSION);
  }
  return goError(res, 404, '404 page not found');
}

/** A listening control API. */
export interface RunningControlApi {
  server: Server;
  /** `host:port` actually bound. */
  address: string;
  close(): Promise<void>;
}

/** Starts the control API on `host:port` (port 0 picks one). */
export async function startControlApi(opts: ControlApiOptions, host: string, port: number): Promise<RunningControlApi> {
  const server = createServer((req, res) => {
    handleControl(opts, req, res).catch((err: unknown) => {
      opts.logger.error('control API error', { error: (err as Error).message });
      if (!res.headersSent) goError(res, 500, 'internal error');
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => { server.off('error', reject); resolve(); });
  });
  const a = server.address() as AddressInfo;
  return {
    server,
    address: `${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** Parses `host:port`, `:port` (all interfaces) or `[v6]:port`. */
export function parseListen(addr: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(addr.trim());
  if (!m) throw new Error(`listen address must be host:port, got ${JSON.stringify(addr)}`);
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`bad port in ${JSON.stringify(addr)}`);
  const host = m[1] ?? m[2] ?? '';
  return { host: host === '' ? '0.0.0.0' : host, port };
}

/** True for loopback hosts (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
