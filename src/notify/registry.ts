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

/** The channel's config with secret fields replaced by "***" (for listings over the API/CLI). */
export function redactedConfig(channel: ChannelDefinition): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(channel.config as Record<string, unknown>) };
  const secrets = notifierFor(channel.type).secretFields;
  for (const f of secrets) {
    const camel = f.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
    for (const k of [f, camel]) if (out[k] !== undefined && out[k] !== null) out[k] = '***';
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
