// Stable error codes and the one error type the HTTP layer turns into answers.
// docs/errors.md lists exactly these codes; src/errors.test.ts keeps the two equal.

/** Every error code Oversee answers with, its HTTP status and a one-line meaning. */
export const ERROR_CODES = {
  OVS_ERR_BAD_REQUEST: { status: 400, description: 'The request is malformed: the message names the field or problem.' },
  OVS_ERR_BAD_JSON: { status: 400, description: 'The body is not valid JSON.' },
  OVS_ERR_VALIDATION: { status: 400, description: 'A field has the wrong type or value; the message names it.' },
  OVS_ERR_BAD_CURSOR: { status: 400, description: 'The paging cursor is not one this server issued.' },
  OVS_ERR_UNAUTHORIZED: { status: 401, description: 'No valid API token was presented (Authorization: Bearer <token>).' },
  OVS_ERR_QUOTA_EXCEEDED: { status: 402, description: 'The project is at a limit set by the administrator ([limits]); what it already has still works.' },
  OVS_ERR_BAD_SERVER_KEY: { status: 403, description: 'The server (host) name is registered with a different key.' },
  OVS_ERR_FORBIDDEN: { status: 403, description: 'The token is valid but its role or project does not allow this.' },
  OVS_ERR_NOT_FOUND: { status: 404, description: 'The addressed object does not exist.' },
  OVS_ERR_CONFLICT: { status: 409, description: 'The object already exists or the change conflicts with current state.' },
  OVS_ERR_BODY_TOO_LARGE: { status: 413, description: 'The body is larger than the configured limit (server.body_limit).' },
  OVS_ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, description: 'The Content-Type is not one this endpoint accepts.' },
  OVS_ERR_RATE_LIMITED: { status: 429, description: 'Too many requests; retry later.' },
  OVS_ERR_INTERNAL: { status: 500, description: 'An unexpected error; details are in the server log.' },
  OVS_ERR_UNAVAILABLE: { status: 503, description: 'The store is unreachable or the server is shutting down; retry later.' },
} as const satisfies Record<string, { status: number; description: string }>;

/** One of the stable error codes. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** An error with a stable code, an HTTP status and a message meant for the client. */
export class OverseeError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'OverseeError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.details = details;
  }
}

/** Shorthand for a 400 naming the offending field. */
export function invalid(field: string, problem: string): OverseeError {
  return new OverseeError('OVS_ERR_VALIDATION', `${field}: ${problem}`, { field });
}

/** Raised at start-up for a bad setting; the message names the key. The process stops. */
export class ConfigError extends Error {
  readonly key: string;
  constructor(key: string, problem: string) {
    super(`config: ${key}: ${problem}`);
    this.name = 'ConfigError';
    this.key = key;
  }
}
