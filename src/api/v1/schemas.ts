// JSON schemas shared by the /api/v1 routes: paging, ids, entities. They drive validation,
// response serialization (unlisted fields never leave the server) and the OpenAPI document.
import { CHECK_STATES } from '../../domain/types.js';
import { ROLES } from '../auth.js';
import { errorResponseSchema } from './errors.js';

/** $id of the shared error answer schema. */
export const API_ERROR_ID = 'ApiError';

/** Default and largest page size of every list endpoint. */
export const DEFAULT_LIMIT = 100;
/** Largest page size a client may ask for. */
export const MAX_LIMIT = 1000;

const nullableInt = { type: ['integer', 'null'] } as const;
const nullableString = { type: ['string', 'null'] } as const;
const ms = { type: 'integer', description: 'milliseconds since the epoch' } as const;

/** `:id` path parameter (a positive integer). */
export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } },
} as const;

/** Query properties every paged list accepts. */
export const pageQueryProperties = {
  limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT, description: `page size (default ${DEFAULT_LIMIT}, max ${MAX_LIMIT})` },
  cursor: { type: 'string', minLength: 1, maxLength: 512, description: 'nextCursor of the previous page' },
} as const;

/** Query properties of time-ordered logs (inclusive bounds, ms). */
export const timeQueryProperties = {
  from: { type: 'integer', minimum: 0, description: 'oldest time included (ms)' },
  to: { type: 'integer', minimum: 0, description: 'newest time included (ms)' },
} as const;

/** `project` filter: a project id or name. */
export const projectQueryProperty = { type: 'string', minLength: 1, maxLength: 200, description: 'project id or name' } as const;

/** `host` filter: a host id or name. */
export const hostQueryProperty = { type: 'string', minLength: 1, maxLength: 255, description: 'host id or name' } as const;

/** The state enum. */
export const stateSchema = { type: 'string', enum: [...CHECK_STATES] } as const;

/** A project; `ingestToken` is present only for admins. */
export const projectSchema = {
  $id: 'Project',
  type: 'object',
  required: ['id', 'name', 'createdAt'],
  properties: {
    id: { type: 'integer' }, name: { type: 'string' }, description: { type: 'string' }, createdAt: ms,
    ingestToken: { type: 'string', description: 'UUID ingest token; only shown to admins of the project' },
  },
} as const;

/** A host. */
export const hostSchema = {
  $id: 'Host',
  type: 'object',
  required: ['id', 'projectId', 'name', 'createdAt', 'lastSeenAt', 'lastAddress'],
  properties: {
    id: { type: 'integer' }, projectId: { type: 'integer' }, name: { type: 'string' }, createdAt: ms,
    lastSeenAt: nullableInt, lastAddress: nullableString,
  },
} as const;

/** A check with its current state. */
export const checkSchema = {
  $id: 'Check',
  type: 'object',
  required: ['id', 'projectId', 'hostId', 'hostName', 'name', 'source', 'state', 'info', 'periodS', 'patienceS',
    'lastReportAt', 'lastChangeAt', 'deadlineAt', 'expired', 'sourceAddress', 'tags', 'createdAt'],
  properties: {
    id: { type: 'integer' }, projectId: { type: 'integer' }, hostId: { type: 'integer' }, hostName: { type: 'string' },
    name: { type: 'string' }, source: { type: 'string' }, state: stateSchema, info: { type: 'string' },
    periodS: nullableInt, patienceS: nullableInt, lastReportAt: nullableInt, lastChangeAt: nullableInt,
    deadlineAt: nullableInt, expired: { type: 'boolean' }, sourceAddress: nullableString,
    tags: { type: 'array', items: { type: 'string' } }, createdAt: ms,
  },
} as const;

/** One stored state report. */
export const stateReportSchema = {
  $id: 'StateReport',
  type: 'object',
  required: ['id', 'checkId', 'at', 'state', 'info'],
  properties: { id: { type: 'integer' }, checkId: { type: 'integer' }, at: ms, state: stateSchema, info: { type: 'string' } },
} as const;

/** One state change. */
export const flipSchema = {
  $id: 'Flip',
  type: 'object',
  required: ['id', 'checkId', 'projectId', 'hostId', 'at', 'oldState', 'newState', 'reason', 'info'],
  properties: {
    id: { type: 'integer' }, checkId: { type: 'integer' }, projectId: { type: 'integer' }, hostId: { type: 'integer' },
    at: ms, oldState: stateSchema, newState: stateSchema,
    reason: { type: 'string', enum: ['reported', 'expired', 'threshold', 'anomaly', 'manual'] }, info: { type: 'string' },
  },
} as const;

/** One alert. */
export const alertSchema = {
  $id: 'Alert',
  type: 'object',
  required: ['id', 'projectId', 'hostId', 'checkId', 'at', 'title', 'message', 'source'],
  properties: {
    id: { type: 'integer' }, projectId: { type: 'integer' }, hostId: nullableInt, checkId: nullableInt, at: ms,
    title: { type: 'string' }, message: { type: 'string' }, source: { type: 'string' },
  },
} as const;

/** An API token's public facts. */
export const tokenSchema = {
  $id: 'ApiToken',
  type: 'object',
  required: ['id', 'name', 'role', 'projectId', 'createdAt', 'lastUsedAt'],
  properties: {
    id: { type: 'integer' }, name: { type: 'string' }, role: { type: 'string', enum: [...ROLES] },
    projectId: nullableInt, createdAt: ms, lastUsedAt: nullableInt,
  },
} as const;

/** A reference to a shared schema (one of SHARED_SCHEMAS), e.g. `ref(checkSchema)`. */
export function ref<T extends { $id: string }>(schema: T): { $ref: `${T['$id']}#` } {
  return { $ref: `${schema.$id}#` as `${T['$id']}#` };
}

/** A page of a shared schema: `{ items, nextCursor }` (nextCursor null on the last page). */
export function pageSchema<T extends { $id: string }>(item: T) {
  return {
    type: 'object',
    required: ['items', 'nextCursor'],
    properties: { items: { type: 'array', items: ref(item) }, nextCursor: nullableString },
  } as const;
}

/** Error answers every authenticated route may give. */
export const errorResponses = {
  400: { description: 'validation error', $ref: `${API_ERROR_ID}#` },
  401: { description: 'no valid token', $ref: `${API_ERROR_ID}#` },
  403: { description: 'role or project not allowed', $ref: `${API_ERROR_ID}#` },
  404: { description: 'not found', $ref: `${API_ERROR_ID}#` },
} as const;

/** The shared error schema, named API_ERROR_ID. */
export const apiErrorSchema = { $id: API_ERROR_ID, ...errorResponseSchema } as const;

/** Schemas added to the plugin instance by $id; they also become the OpenAPI components. */
export const SHARED_SCHEMAS = [
  apiErrorSchema, projectSchema, hostSchema, checkSchema, stateReportSchema, flipSchema, alertSchema, tokenSchema,
] as const;
