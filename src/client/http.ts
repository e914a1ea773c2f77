// Small HTTP helpers over the global fetch: base URLs with credentials, timeouts, error mapping.
import { OverseeClientError } from './errors.js';

/** The fetch signature the client uses (the global fetch fits; tests may pass their own). */
export type FetchFn = (input: string, init?: RequestInit) => Promise<Response>;

/** A base URL split into a credential-free URL and an optional `Authorization: Basic` value. */
export interface BaseUrl {
  /** The base URL without user:pass@, always ending in `/`. */
  base: string;
  authorization: string | undefined;
}

/** Parses a server URL; `user:pass@` becomes a Basic header (fetch refuses URLs with credentials). */
export function parseBaseUrl(raw: string): BaseUrl {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new OverseeClientError('config', `invalid server URL: ${JSON.stringify(raw)}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new OverseeClientError('config', `server URL must be http(s): ${JSON.stringify(raw)}`);
  let authorization: string | undefined;
  if (u.username !== '' || u.password !== '') {
    const user = decodeURIComponent(u.username);
    const pass = decodeURIComponent(u.password);
    authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    u.username = '';
    u.password = '';
  }
  u.search = '';
  u.hash = '';
  if (!u.pathname.endsWith('/')) u.pathname += '/';
  return { base: u.toString(), authorization };
}

/**
 * Joins a base and an API path. Unlike the original overcli (urljoin with "/api/…", which drops a
 * path prefix), a prefix is kept: `http://h/mon/` + `api/ping` → `http://h/mon/api/ping`.
 */
export function joinUrl(base: string, path: string): string {
  return base + path.replace(/^\/+/, '');
}

/** An answer read fully as text. */
export interface TextAnswer {
  status: number;
  body: string;
  contentType: string;
}

/** Sends a request with a timeout; network failures and timeouts become OverseeClientError. */
export async function request(fetchFn: FetchFn, url: string, init: RequestInit, timeoutMs: number): Promise<TextAnswer> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  try {
    const res = await fetchFn(url, { ...init, signal: ac.signal });
    const body = await res.text();
    return { status: res.status, body, contentType: res.headers.get('content-type') ?? '' };
  } catch (err) {
    if (ac.signal.aborted) throw new OverseeClientError('timeout', `no answer from ${url} within ${timeoutMs} ms`, { url, cause: err });
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : err instanceof Error ? err.message : String(err);
    throw new OverseeClientError('network', `cannot reach ${url}: ${cause}`, { url, cause: err });
  } finally {
    clearTimeout(timer);
  }
}

/** Throws OverseeClientError('http') for a non-2xx answer, using `{"error": …}` when present. */
export function ensureOk(answer: TextAnswer, url: string): void {
  if (answer.status >= 200 && answer.status < 300) return;
  let detail = answer.body.trim().slice(0, 500);
  try {
    const parsed: unknown = JSON.parse(answer.body);
    if (typeof parsed === 'object' && parsed !== null) {
      const rec = parsed as Record<string, unknown>;
      const msg = rec['error'] ?? rec['message'];
      if (typeof msg === 'string') detail = msg;
      else if (typeof msg === 'object' && msg !== null && typeof (msg as Record<string, unknown>)['message'] === 'string') detail = String((msg as Record<string, unknown>)['message']);
    }
  } catch {
    // not JSON: keep the text
  }
  throw new OverseeClientError('http', `${url} answered ${answer.status}${detail ? `: ${detail}` : ''}`, { status: answer.status, body: answer.body, url });
}
