// Client of the agent's control API (the `oversee agent list|show|…` commands).

/** Options of the control client. */
export interface ControlClientOptions {
  /** `host:port` or a URL (default localhost:3838). */
  address: string;
  token: string | undefined;
  timeoutMs?: number;
}

/** An answer: status and text. */
export interface ControlAnswer { status: number; body: string }

/** The agent base URL for an address. */
export function agentBaseUrl(address: string): string {
  if (/^https?:\/\//.test(address)) return address.replace(/\/+$/, '');
  return `http://${address.startsWith(':') ? `localhost${address}` : address}`;
}

/** Sends one request to the agent; rejects with a readable message when unreachable. */
export async function controlRequest(opts: ControlClientOptions, method: string, path: string, body?: { type: string; text: string }): Promise<ControlAnswer> {
  const url = agentBaseUrl(opts.address) + path;
  const headers: Record<string, string> = {};
  if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
  if (body) headers['content-type'] = body.type;
  try {
    const res = await fetch(url, { method, headers, body: body?.text, signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000) });
    return { status: res.status, body: await res.text() };
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : (err as Error).message;
    throw new Error(`cannot reach the agent at ${url}: ${cause}`, { cause: err });
  }
}
