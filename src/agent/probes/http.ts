// goma `http` probe: 0 on a 2xx answer, else 1; with `parse`, the body is the value and any failure
// gives `errval`. `proxy` works for http:// targets (absolute-form requests); https through a proxy
// is refused at registration rather than silently bypassing the proxy.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { checkParams, errorAt, type ParamSchema } from '../../protocols/goma-monitor.js';
import { VERSION } from '../../version.js';
import type { ProbeFactory } from './types.js';

const SCHEMA = {
  url: { type: 'string', required: true },
  method: { type: 'string' },
  agent: { type: 'string' },
  proxy: { type: 'string' },
  header: { type: 'string-map' },
  parse: { type: 'boolean' },
  errval: { type: 'number' },
} as const satisfies ParamSchema;

const MAX_BODY = 1024 * 1024;

/** Result of one request: status or an error, and the body (capped). */
interface HttpOutcome { status: number | undefined; body: string; error: string | undefined }

/** Sends one request with a deadline (used by the probe; exported for the http action). */
export function httpOnce(url: URL, method: string, headers: Record<string, string>, timeoutMs: number, proxy?: URL, body?: string): Promise<HttpOutcome> {
  return new Promise((resolve) => {
    const viaProxy = proxy !== undefined && url.protocol === 'http:';
    const target = viaProxy ? proxy : url;
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send({
      protocol: target.protocol, hostname: target.hostname.replace(/^\[|\]$/g, ''), port: target.port || undefined,
      path: viaProxy ? url.toString() : `${url.pathname}${url.search}`,
      method, headers: { ...headers, host: url.host, ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) },
    }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => { if (size < MAX_BODY) { chunks.push(c); size += c.length; } });
      res.on('end', () => { clearTimeout(timer); resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8'), error: undefined }); });
      res.on('error', (e) => { clearTimeout(timer); resolve({ status: undefined, body: '', error: e.message }); });
    });
    const timer = setTimeout(() => req.destroy(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    req.on('error', (e) => { clearTimeout(timer); resolve({ status: undefined, body: '', error: e.message }); });
    req.end(body);
  });
}

/** The http probe. */
export const httpProbe = {
  type: 'http',
  create(params, origin, path) {
    const p = checkParams(params, SCHEMA, origin, path);
    let url: URL;
    let proxy: URL | undefined;
    try { url = new URL(p.url); } catch { throw errorAt(origin, `${path}.url`, `invalid URL ${JSON.stringify(p.url)}`); }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw errorAt(origin, `${path}.url`, 'must be http:// or https://');
    if (p.proxy !== undefined) {
      try { proxy = new URL(p.proxy); } catch { throw errorAt(origin, `${path}.proxy`, `invalid URL ${JSON.stringify(p.proxy)}`); }
      if (url.protocol === 'https:') throw errorAt(origin, `${path}.proxy`, 'a proxy is supported for http:// URLs only');
    }
    const method = (p.method ?? 'GET').toUpperCase();
    const headers: Record<string, string> = { ...p.header, 'user-agent': p.agent ?? `oversee-agent/${VERSION}` };
    const errval = p.errval ?? 0;
    return {
      describe: () => `probe:http:${url.toString()}`,
      async probe(timeoutMs) {
        const r = await httpOnce(url, method, headers, timeoutMs, proxy);
        const ok = r.status !== undefined && r.status >= 200 && r.status < 300;
        const info = r.error ?? `HTTP ${r.status ?? '?'}`;
        if (p.parse) {
          const v = Number(r.body.trim());
          return { value: ok && r.body.trim() !== '' && Number.isFinite(v) ? v : errval, info };
        }
        return { value: ok ? 0 : 1, info };
      },
    };
  },
} satisfies ProbeFactory;
