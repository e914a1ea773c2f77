// JSON schemas shared by the /api/v1 routes: paging, ids, entities. They drive validation,
// response serialization (unlisted fields never leave the server) and the OpenAPI document.
import { CHECK_STATES } from '../../domain/types.js';
import { ROLES } from '../auth.js';
import { errorResponseSchema } from './errors.js';

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
  properties: { id: { type: 'integer', minimum: 1 } },
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
  type: 'object',
  required: ['id', 'name', 'createdAt'],
  properties: {
    id: { type: 'integer' }, name: { type: 'string' }, createdAt: ms,
    ingestToken: { type: 'string', description: 'UUID ingest token; only shown to admin tokens' },
  },
} as const;

/** A host. */
export const hostSchema = {
  type: 'object',
  required: ['id', 'projectId', 'name', 'createdAt', 'lastSeenAt', 'lastAddress'],
  properties: {
    id: { type: 'integer' }, projectId: { type: 'integer' }, name: { type: 'string' }, createdAt: ms,
    lastSeenAt: nullableInt, lastAddress: nullableString,
  },
} as const;

/** A check with its current state. */
export const checkSchema = {
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
  type: 'object',
  required: ['id', 'checkId', 'at', 'state', 'info'],
  properties: { id: { type: 'integer' }, checkId: { type: 'integer' }, at: ms, state: stateSchema, info: { type: 'string' } },
} as const;

/** One state change. */
export const flipSchema = {
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
  type: 'object',
  required: ['id', 'projectId', 'hostId', 'checkId', 'at', 'title', 'message', 'source'],
  properties: {
    id: { type: 'integer' }, projectId: { type: 'integer' }, hostId: nullableInt, checkId: nullableInt, at: ms,
    title: { type: 'string' }, message: { type: 'string' }, source: { type: 'string' },
  },
} as const;

/** An API token's public facts. */
export const tokenSchema = {
  type: 'object',
  required: ['id', 'name', 'role', 'projectId', 'createdAt', 'lastUsedAt'],
  properties: {
    id: { type: 'integer' }, name: { type: 'string' }, role: { type: 'string', enum: [...ROLES] },
    projectId: nullableInt, createdAt: ms, lastUsedAt: nullableInt,
  },
} as const;

/** A page of `item`: `{ items, nextCursor }` (nextCursor null on the last page). */
export function pageSchema<T extends object>(item: T) {
  return {
    type: 'object',
    required: ['items', 'nextCursor'],
    properties: { items: { type: 'array', items: item }, nextCursor: nullableString },
  } as const;
}

/** Error answers every authenticated route may give. */
export const errorResponses = {
  400: { description: 'validation error', ...errorResponseSchema },
  401: { description: 'no valid token', ...errorResponseSchema },
  403: { description: 'role or project not allowed', ...errorResponseSchema },
  404: { description: 'not found', ...errorResponseSchema },
} as const;
