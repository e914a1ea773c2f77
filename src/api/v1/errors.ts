// Error answers of the native API: `{"error":{"code":"OVS_ERR_…","message":"…"}}` for every failure,
// with schema-validation failures turned into OVS_ERR_VALIDATION messages that name the field.
import type { FastifyError, FastifyReply, FastifyRequest, FastifySchemaValidationError } from 'fastify';
import { OverseeError, type ErrorCode } from '../../errors.js';

/** The body of every error answer of /api/v1. */
export interface ApiErrorBody {
  error: { code: ErrorCode; message: string };
}

/** JSON schema of ApiErrorBody, for route `response` sections and the OpenAPI document. */
export const errorResponseSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
  },
} as const;

/** Field path of an Ajv error in `a.b[2].c` form; `fallback` (body, querystring, ...) when it is the whole value. */
export function fieldOf(error: FastifySchemaValidationError, fallback: string): string {
  const segments = error.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const extra = error.params['missingProperty'] ?? error.params['additionalProperty'];
  if (typeof extra === 'string') segments.push(extra);
  if (segments.length === 0) return fallback;
  return segments.reduce((path, s, i) => (/^\d+$/.test(s) ? `${path}[${s}]` : i === 0 ? s : `${path}.${s}`), '');
}

/** Human wording of an Ajv error (names the allowed values of an enum). */
function problemOf(error: FastifySchemaValidationError): string {
  if (error.keyword === 'required') return 'is required';
  if (error.keyword === 'additionalProperties') return 'is not a known field';
  const allowed = error.params['allowedValues'];
  if (error.keyword === 'enum' && Array.isArray(allowed)) return `must be one of ${allowed.map(String).join(', ')}`;
  return error.message ?? 'is invalid';
}

/** Turns Fastify schema-validation errors into one OVS_ERR_VALIDATION error naming the first bad field. */
export function validationError(errors: FastifySchemaValidationError[], dataVar: string): OverseeError {
  const first = errors[0];
  if (first === undefined) return new OverseeError('OVS_ERR_VALIDATION', `${dataVar}: is invalid`, { field: dataVar });
  const field = fieldOf(first, dataVar);
  return new OverseeError('OVS_ERR_VALIDATION', `${field}: ${problemOf(first)}`, { field });
}

/** Fastify's own error codes that map to one of ours. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'OVS_ERR_BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'OVS_ERR_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_JSON_BODY: 'OVS_ERR_BAD_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'OVS_ERR_BAD_JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'OVS_ERR_BAD_REQUEST',
};

/** Classifies any thrown value as an OverseeError (unknown failures become OVS_ERR_INTERNAL, message hidden). */
export function toOverseeError(err: unknown): OverseeError {
  if (err instanceof OverseeError) return err;
  if (typeof err !== 'object' || err === null) return new OverseeError('OVS_ERR_INTERNAL', 'internal error');
  const fe = err as Partial<FastifyError>;
  if (Array.isArray(fe.validation)) return validationError(fe.validation, fe.validationContext ?? 'request');
  const mapped = typeof fe.code === 'string' ? FASTIFY_CODES[fe.code] : undefined;
  if (mapped !== undefined) return new OverseeError(mapped, fe.message ?? mapped);
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    if (fe.statusCode === 404) return new OverseeError('OVS_ERR_NOT_FOUND', fe.message ?? 'not found');
    if (fe.statusCode === 429) return new OverseeError('OVS_ERR_RATE_LIMITED', fe.message ?? 'too many requests');
    return new OverseeError('OVS_ERR_BAD_REQUEST', fe.message ?? 'bad request');
  }
  return new OverseeError('OVS_ERR_INTERNAL', 'internal error');
}

/** Fastify error handler answering ApiErrorBody; logs 5xx with the original error. */
export function apiErrorHandler(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  let e = toOverseeError(err);
  if (e.code === 'OVS_ERR_BODY_TOO_LARGE') {
    e = new OverseeError(e.code, `body is larger than the limit of ${request.routeOptions.bodyLimit} bytes (setting server.body_limit, OVERSEE_BODY_LIMIT, --body-limit)`);
  }
  if (e.status >= 500) request.log.error({ err }, 'request failed');
  const body: ApiErrorBody = { error: { code: e.code, message: e.message } };
  return reply.code(e.status).type('application/json; charset=utf-8').send(body);
}
