// goma `http` action: requests `url_init`, `url_fail` or `url_recover` (each optional) with `method`
// (default GET), `header`, and the fields monitor, event, value (fail), duration (recover), version
// plus `params` — in the query string for GET, as a form body otherwise. A non-2xx answer fails.
import { checkParams, errorAt, type ParamSchema } from '../../protocols/goma-monitor.js';
import { VERSION } from '../../version.js';
import { httpOnce } from '../probes/http.js';
import { formatValue, type ActionFactory } from './types.js';

const SCHEMA = {
  url_init: { type: 'string' },
  url_fail: { type: 'string' },
  url_recover: { type: 'string' },
  method: { type: 'string' },
  header: { type: 'string-map' },
  params: { type: 'string-map' },
  timeout: { type: 'number' },
} as const satisfies ParamSchema;

/** The http action. */
export const httpAction = {
  type: 'http',
  create(params, origin, path) {
    const p = checkParams(params, SCHEMA, origin, path);
    const urls: Record<string, URL | undefined> = {};
    for (const ev of ['init', 'fail', 'recover'] as const) {
      const raw = p[`url_${ev}`];
      if (raw === undefined) continue;
      try { urls[ev] = new URL(raw); } catch { throw errorAt(origin, `${path}.url_${ev}`, `invalid URL ${JSON.stringify(raw)}`); }
    }
    const method = (p.method ?? 'GET').toUpperCase();
    const timeoutMs = (p.timeout && p.timeout > 0 ? p.timeout : 30) * 1000;
    return {
      describe: () => `action:http:${Object.values(urls).map((u) => u?.toString()).join(',')}`,
      async handle(ev) {
        const base = urls[ev.event];
        if (!base) return;
        const fields = new URLSearchParams({ ...p.params, monitor: ev.monitor, event: ev.event, version: VERSION });
        if (ev.value !== undefined) fields.set('value', formatValue(ev.value));
        if (ev.durationS !== undefined) fields.set('duration', String(ev.durationS));
        const url = new URL(base);
        let body: string | undefined;
        const headers: Record<string, string> = { ...p.header };
        if (method === 'GET' || method === 'HEAD') for (const [k, v] of fields) url.searchParams.append(k, v);
        else { body = fields.toString(); headers['content-type'] = 'application/x-www-form-urlencoded'; }
        const r = await httpOnce(url, method, headers, timeoutMs, undefined, body);
        if (r.status === undefined || r.status < 200 || r.status >= 300) throw new Error(`${method} ${url.toString()}: ${r.error ?? `HTTP ${r.status}`}`);
      },
    };
  },
} satisfies ActionFactory;
