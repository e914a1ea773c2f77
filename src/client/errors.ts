// The one error type the client library throws, so callers catch a single class.

/** What went wrong: a bad option, the network, a timeout, or an HTTP error answer. */
export type ClientErrorKind = 'config' | 'network' | 'timeout' | 'http';

/** Every failure of `oversee/client`; `status` and `body` are set for HTTP error answers. */
export class OverseeClientError extends Error {
  readonly kind: ClientErrorKind;
  readonly status: number | undefined;
  readonly body: string | undefined;
  readonly url: string | undefined;
  constructor(kind: ClientErrorKind, message: string, opts: { status?: number; body?: string; url?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'OverseeClientError';
    this.kind = kind;
    this.status = opts.status;
    this.body = opts.body;
    this.url = opts.url;
  }

  /** True when retrying later may succeed (network trouble, timeout, 5xx, 429). */
  get retryable(): boolean {
    return this.kind === 'network' || this.kind === 'timeout' || (this.status !== undefined && (this.status >= 500 || this.status === 429));
  }
}
