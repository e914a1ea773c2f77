// The one table of channel types. Adding a channel: a folder with index.ts + test, and a line here.
import { invalid, OverseeError } from '../errors.js';
import { email } from './email/index.js';
import { exec } from './exec/index.js';
import { slack } from './slack/index.js';
import type { NotifyContext, NotifyMessage, Notifier } from './types.js';
import { webhook } from './webhook/index.js';

/** Every channel type by its `type` name. */
export const NOTIFIERS = {
  email,
  webhook,
  slack,
  exec,
} as const satisfies Record<string, Notifier<unknown>>;

/** A channel type name. */
export type ChannelType = keyof typeof NOTIFIERS;

/** A configured channel: a unique name, a type and that type's validated config. */
export interface ChannelDefinition {
  name: string;
  type: ChannelType;
  config: unknown;
}

const CHANNEL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** True when `type` names a registered channel type. */
export function isChannelType(type: unknown): type is ChannelType {
  return typeof type === 'string' && Object.hasOwn(NOTIFIERS, type);
}

/** The notifier of a type (typed loosely: configs are opaque outside their own folder). */
export function notifierFor(type: ChannelType): Notifier<unknown> {
  return NOTIFIERS[type] as Notifier<unknown>;
}

/**
 * Validates `{name, type, ...fields}` into a channel; throws OVS_ERR_VALIDATION naming the field.
 * `enabled` is accepted and ignored here (the store keeps it).
 */
export function parseChannel(raw: unknown): ChannelDefinition {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid('channel', 'must be an object');
  const { name, type, enabled: _enabled, ...fields } = raw as Record<string, unknown>;
  if (typeof name !== 'string' || !CHANNEL_NAME.test(name)) throw invalid('name', 'required: letters, digits, _ . - (at most 64)');
  if (!isChannelType(type)) throw invalid('type', `must be one of ${Object.keys(NOTIFIERS).join(', ')}`);
  return { name, type, config: notifierFor(type).parseConfig(fields) };
}

/** Sends one message through a channel. Throws DeliveryError (permanent or not) on failure. */
export function sendVia(channel: ChannelDefinition, message: NotifyMessage, ctx: NotifyContext): Promise<void> {
  return notifierFor(channel.type).send(channel.config, message, ctx);
}

/** What a redacted secret reads as. */
export const REDACTED = '***';

function secretKeys(type: ChannelType): string[] {
  return notifierFor(type).secretFields.flatMap((f) => [f, f.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())]);
}

function isStringMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The channel's config with secret fields replaced by "***" (for listings over the API/CLI).
 * Header values are redacted too: they often carry credentials (Authorization, API keys).
 */
export function redactedConfig(channel: ChannelDefinition): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(channel.config as Record<string, unknown>) };
  for (const k of secretKeys(channel.type)) if (out[k] !== undefined && out[k] !== null) out[k] = REDACTED;
  if (isStringMap(out.headers)) out.headers = Object.fromEntries(Object.keys(out.headers).map((h) => [h, REDACTED]));
  return out;
}

/**
 * For an update that sends back what a read gave: every field (and header value) that is still "***"
 * takes the stored value, so a read-modify-write never stores "***" as a secret.
 */
export function restoreRedacted(type: ChannelType, body: Record<string, unknown>, stored: unknown): Record<string, unknown> {
  if (!isStringMap(stored)) return body;
  const out: Record<string, unknown> = { ...body };
  for (const k of secretKeys(type)) if (out[k] === REDACTED && stored[k] !== undefined) out[k] = stored[k];
  if (isStringMap(out.headers) && isStringMap(stored.headers)) {
    const prev = stored.headers;
    out.headers = Object.fromEntries(Object.entries(out.headers).map(([h, v]) => [h, v === REDACTED && h in prev ? prev[h] : v]));
  }
  return out;
}

/** Re-throws a validation error with the field prefixed (e.g. `channels[2].url`). */
export function prefixField(err: unknown, prefix: string): never {
  if (err instanceof OverseeError && typeof err.details?.field === 'string') {
    const field = `${prefix}.${err.details.field}`;
    throw invalid(field, err.message.slice(String(err.details.field).length + 2));
  }
  throw err;
}
