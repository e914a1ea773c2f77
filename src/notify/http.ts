// POSTs JSON with a timeout and sorts the outcome into success, transient or permanent failure.
import { DeliveryError } from './types.js';

/** HTTP statuses that mean the endpoint is gone or refuses us: retrying cannot help. */
export const PERMANENT_HTTP_STATUSES: ReadonlySet<number> = new Set([401, 403, 404, 405, 410]);

/** Sends `body` as-is with the given headers; resolves on 2xx, throws DeliveryError otherwise. */
export async function postBody(
  fetchFn: typeof fetch, url: string, body: string, headers: Record<string, string>, timeoutMs: number,
): Promise<void> {
  let res: Response;
  try {
    res = await fetchFn(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
  } catch (err) {
    const name = err instanceof Error ? err.name : '';
    const what = name === 'TimeoutError' || name === 'AbortError'
      ? `timed out after ${timeoutMs} ms`
      : `request failed: ${errorText(err)}`;
    throw new DeliveryError(what, false);
  }
  const text = await res.text().catch(() => '');
  if (res.status >= 200 && res.status < 300) return;
  const detail = `HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
  throw new DeliveryError(detail, PERMANENT_HTTP_STATUSES.has(res.status));
}

/** A readable one-line description of anything thrown (including `cause` chains from fetch). */
export function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as Error & { cause?: unknown }).cause;
  return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
}
