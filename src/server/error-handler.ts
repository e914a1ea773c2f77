// One error handler for the whole HTTP server: every error becomes a stable OVS_ERR_* code and a
// message naming the problem. /api/v1 answers {"error":{"code","message"}}; protocol endpoints keep
// the shape their clients expect (OverC: {"error": "<message>"}) with the code added alongside.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODES, OverseeError, type ErrorCode } from '../errors.js';

/** Converts anything thrown in a handler or by Fastify itself into an OverseeError. */
export function toOverseeError(err: unknown, bodyLimit: number): OverseeError {
  if (err instanceof OverseeError) return err;
  const fe = err as Partial<FastifyError> & { validation?: { instancePath?: string; message?: string; params?: Record<string, unknown> }[]; validationContext?: string };
  if (fe.validation && fe.validation.length > 0) {
    const v = fe.validation[0]!;
    const missing = typeof v.params?.missingProperty === 'string' ? `.${v.params.missingProperty}` : '';
    const path = `${fe.validationContext ?? 'body'}${(v.instancePath ?? '').replace(/\//g, '.')}${missing}`;
    return new OverseeError('OVS_ERR_VALIDATION', `${path}: ${v.message ?? 'is invalid'}`, { field: path });
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new OverseeError('OVS_ERR_BAD_JSON', `body is not valid JSON: ${fe.message ?? ''}`);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new OverseeError('OVS_ERR_BAD_JSON', 'body is empty but Content-Type is application/json');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new OverseeError('OVS_ERR_BODY_TOO_LARGE', `body is larger than the limit of ${bodyLimit} bytes (setting server.body_limit, OVERSEE_BODY_LIMIT, --body-limit)`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new OverseeError('OVS_ERR_UNSUPPORTED_MEDIA_TYPE', `unsupported Content-Type: ${fe.message ?? ''}`);
    default:
      break;
  }
  if (err instanceof SyntaxError || fe.statusCode === 400 && /JSON/i.test(fe.message ?? '')) {
    return new OverseeError('OVS_ERR_BAD_JSON', `body is not valid JSON: ${fe.message ?? ''}`);
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const code = (Object.keys(ERROR_CODES) as ErrorCode[]).find((c) => ERROR_CODES[c].status === fe.statusCode) ?? 'OVS_ERR_BAD_REQUEST';
    return new OverseeError(code, fe.message ?? 'bad request');
  }
  return new OverseeError('OVS_ERR_INTERNAL', 'internal error');
}

/** The JSON body of an error answer for the given request path. */
export function errorBody(url: string, e: OverseeError): unknown {
  if (url.startsWith('/api/v1/') || url === '/api/v1') return { error: { code: e.code, message: e.message } };
  return { error: e.message, code: e.code };
}

/** Installs the error and not-found handlers on `app`. */
export function installErrorHandlers(app: FastifyInstance, bodyLimit: number): void {
  app.setErrorHandler((err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const e = toOverseeError(err, bodyLimit);
    if (e.status >= 500) req.log.error({ err }, 'request failed');
    return reply.code(e.status).type('application/json').send(errorBody(req.url, e));
  });
  app.setNotFoundHandler((req, reply) => {
    const e = new OverseeError('OVS_ERR_NOT_FOUND', `no route for ${req.method} ${req.url.split('?')[0]}`);
    return reply.code(404).type('application/json').send(errorBody(req.url, e));
  });
}
