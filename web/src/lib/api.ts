// The HTTP client of the app: JSON in and out, the CSRF header on every write, errors as ApiError,
// and a 401 reported to the app (which shows the login page).

/** An error answer of the server (code OVS_ERR_…, message naming the problem). */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Header name the server requires on cookie-authenticated writes. */
export const CSRF_HEADER = 'x-oversee-csrf';

/** A small API client; `onUnauthorized` is called on any 401 (except for the login call itself). */
export class Api {
  onUnauthorized: () => void = () => undefined;

  /** Sends a request; resolves with the parsed JSON (undefined for 204). */
  async request<T>(method: string, path: string, body?: unknown, opts: { quiet401?: boolean } = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (method !== 'GET') headers[CSRF_HEADER] = '1';
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(path, { method, headers, credentials: 'same-origin', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    let json: unknown;
    try { json = text === '' ? undefined : JSON.parse(text); } catch { json = undefined; }
    if (!res.ok) {
      const err = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
      if (res.status === 401 && !opts.quiet401) this.onUnauthorized();
      throw new ApiError(res.status, err?.code ?? `HTTP_${res.status}`, err?.message ?? (text.slice(0, 200) || res.statusText));
    }
    return json as T;
  }

  get<T>(path: string, query: Record<string, string | number | undefined | null> = {}): Promise<T> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
    const s = qs.toString();
    return this.request<T>('GET', s ? `${path}?${s}` : path);
  }
  post<T>(path: string, body: unknown = {}): Promise<T> { return this.request<T>('POST', path, body); }
  put<T>(path: string, body: unknown): Promise<T> { return this.request<T>('PUT', path, body); }
  patch<T>(path: string, body: unknown): Promise<T> { return this.request<T>('PATCH', path, body); }
  del(path: string): Promise<void> { return this.request<void>('DELETE', path); }
}

/** Which API routes the server has (GET /api/v1/ui/routes), so optional actions appear only where they work. */
export class Features {
  private routes = new Set<string>();
  /** Counts loads, for effects that depend on what the server offers. */
  version = 0;

  /** `METHOD /path` with every parameter written as ':'. */
  private static key(method: string, path: string): string {
    return `${method.toUpperCase()} ${path.replace(/\{[^}]+\}|:[A-Za-z_]\w*/g, ':')}`;
  }

  /** Loads the route list; keeps an empty set when it cannot be read. */
  async load(api: Api): Promise<void> {
    try {
      const r = await api.get<{ routes: string[] }>('/api/v1/ui/routes');
      this.routes = new Set(r.routes.map((x) => { const [m = '', p = ''] = x.split(' '); return Features.key(m, p.replace(/^\/api\/v1/, '')); }));
    } catch { /* the app works with what is always there */ }
    this.version++;
  }

  /** True when `method path` exists (path relative to /api/v1; parameters as {name} or :name, any name). */
  has(method: string, path: string): boolean {
    return this.routes.has(Features.key(method, path));
  }
}
