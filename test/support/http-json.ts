// HTTP calls to a test server that read the answer as JSON when it is JSON and as text otherwise.

/** A status and a body (parsed JSON, or the raw text when it does not parse). */
export interface JsonAnswer { status: number; body: unknown }

/** Calls `path` on `base`: POST with a JSON body when `body` is given (else GET) unless `method` says otherwise, with a Bearer `token` when given. */
export async function requestJson(base: string, path: string, init: { method?: string; body?: unknown; token?: string | null } = {}): Promise<JsonAnswer> {
  const res = await fetch(new URL(path, base), {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { 'content-type': 'application/json', ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await res.text();
  let body: unknown = text;
  try { body = JSON.parse(text); } catch { /* text */ }
  return { status: res.status, body };
}
