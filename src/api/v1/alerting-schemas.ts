// Request schemas of the alerting routes. They list every field a body or query may carry (the plugin
// refuses any other); the deeper rules (which fields a channel type takes, globs, times) are checked
// by AlertAdmin, whose errors name the field too.
import { CHECK_STATES } from '../../domain/types.js';
import { NOTIFIERS } from '../../notify/registry.js';
import type { EventStatus } from '../../alert/index.js';
import { pageQueryProperties, projectQueryProperty, timeQueryProperties } from './schemas.js';

const str = { type: 'string' } as const;
const strList = { type: 'array', items: { type: 'string' } } as const;
const strMap = { type: 'object', additionalProperties: { type: 'string' } } as const;
const int = { type: 'integer' } as const;
const bool = { type: 'boolean' } as const;
const name = { type: 'string', minLength: 1, maxLength: 64 } as const;
/** A time: epoch milliseconds or ISO 8601 with a zone (integer first: Ajv coerces in place, so a number must not meet the string branch). */
const time = { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string' }], description: 'date-time with zone (2026-01-05T22:00:00Z) or epoch ms' } as const;

/** Every event status of the alert feed. */
export const EVENT_STATUSES: readonly EventStatus[] = ['held', 'routed', 'dropped', 'silenced', 'flapping', 'unrouted'];

/** Fields of every channel type together (the type's own validator refuses those of other types). */
const channelFields = {
  name, type: { type: 'string', enum: Object.keys(NOTIFIERS) }, enabled: bool,
  // email
  host: str, port: int, security: str, user: str, password: str, from: str, to: strList, subject_prefix: str,
  tls_reject_unauthorized: bool,
  // webhook, slack
  url: str, headers: strMap, secret: str, channel: str, username: str, icon_emoji: str,
  // exec
  // env is a secret read back as "***" as a whole; a replace that sends "***" keeps the stored one.
  command: str, args: strList, env: { anyOf: [strMap, { type: 'string', const: '***' }] },
  timeout_ms: int,
} as const;

/** POST /channels body. */
export const channelCreateBody = { type: 'object', required: ['name', 'type'], properties: channelFields } as const;
/** PUT /channels/:name body (the whole channel; `name`, if given, must match). */
export const channelReplaceBody = { type: 'object', required: ['type'], properties: channelFields } as const;

const routeFields = {
  name, projects: strList, hosts: strList, checks: strList,
  states: { type: 'array', items: { type: 'string', enum: [...CHECK_STATES] } },
  tags: strList, kinds: strList, channels: strList, default: bool,
} as const;

/** POST /routes body. */
export const routeCreateBody = { type: 'object', required: ['name', 'channels'], properties: routeFields } as const;
/** PUT /routes/:name body. */
export const routeReplaceBody = { type: 'object', required: ['channels'], properties: routeFields } as const;

/** POST /silences body. */
export const silenceBody = {
  type: 'object',
  properties: {
    project: { type: 'string', minLength: 1, maxLength: 200 }, host: str, check: str, starts: time, ends: time,
    duration_s: { type: 'integer', minimum: 1 }, recurrence: { type: 'string', enum: ['none', 'daily', 'weekly'] }, until: time,
    comment: { type: 'string', maxLength: 1000 },
  },
} as const;

/** GET /silences query. */
export const silenceQuery = {
  type: 'object',
  properties: { includeExpired: { type: 'boolean', default: false, description: 'also silences that can never be active again' } },
} as const;

/** POST /checks/:id/ack body (optional: the route treats no body as {}). */
export const ackBody = { type: 'object', properties: { comment: { type: 'string', maxLength: 1000 } } } as const;

/** PUT /checks/:id/reduction body. */
export const reductionBody = {
  type: 'object',
  required: ['reduction_s'],
  properties: { reduction_s: { type: ['integer', 'null'], minimum: 0, maximum: 86_400, description: 'seconds; null = the server default' } },
} as const;

/** GET /events query. */
export const eventsQuery = {
  type: 'object',
  properties: {
    ...pageQueryProperties, ...timeQueryProperties,
    project: projectQueryProperty,
    check: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'check id' },
    status: { type: 'string', enum: [...EVENT_STATUSES] },
  },
} as const;

/** GET /notifications query. */
export const notificationsQuery = {
  type: 'object',
  properties: {
    ...pageQueryProperties, ...timeQueryProperties,
    channel: name,
    event: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'alert event id' },
  },
} as const;

/** `:name` path parameter. */
export const nameParams = { type: 'object', required: ['name'], properties: { name } } as const;
