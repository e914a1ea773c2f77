// Webhook channel: POSTs the message as JSON, signed with HMAC-SHA256 when a secret is configured.
import { createHmac } from 'node:crypto';
import { invalid } from '../../errors.js';
import { optInt, optString, optStringMap, rejectUnknown, reqHttpUrl } from '../fields.js';
import { postBody } from '../http.js';
import type { NotifyMessage, Notifier } from '../types.js';

/** A webhook channel's settings. */
export interface WebhookConfig {
  url: string;
  headers: Record<string, string>;
  /** When set, every request carries `X-Oversee-Signature: sha256=<hex HMAC of the body>`. */
  secret: string | null;
  timeoutMs: number | null;
}

/** Headers Oversee sets itself; configuring them would break the contract with receivers. */
const RESERVED_HEADERS = ['content-type', 'content-length', 'x-oversee-signature'];

/** The JSON document a webhook receiver gets (version 1 of the format). */
export function webhookPayload(message: NotifyMessage): Record<string, unknown> {
  return {
    version: 1,
    subject: message.subject,
    text: message.text,
    host: message.hostName,
    state: message.state,
    events: message.events,
  };
}

/** `sha256=<hex>` of the body under `secret`: what receivers recompute to authenticate a request. */
export function webhookSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** The webhook notifier. */
export const webhook = {
  type: 'webhook',
  secretFields: ['secret'],
  parseConfig(raw: Record<string, unknown>): WebhookConfig {
    rejectUnknown(raw, ['url', 'headers', 'secret', 'timeout_ms']);
    const headers = optStringMap(raw, 'headers') ?? {};
    for (const h of Object.keys(headers)) {
      if (RESERVED_HEADERS.includes(h.toLowerCase())) throw invalid(`headers.${h}`, 'is set by Oversee itself');
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(h)) throw invalid(`headers.${h}`, 'is not a valid header name');
    }
    const secret = optString(raw, 'secret');
    if (secret === '') throw invalid('secret', 'must not be empty (omit it for unsigned requests)');
    return { url: reqHttpUrl(raw, 'url'), headers, secret: secret ?? null, timeoutMs: optInt(raw, 'timeout_ms', 100, 120_000) ?? null };
  },
  async send(config: WebhookConfig, message: NotifyMessage, ctx): Promise<void> {
    const body = JSON.stringify(webhookPayload(message));
    const headers: Record<string, string> = { ...config.headers, 'content-type': 'application/json' };
    if (config.secret !== null) headers['x-oversee-signature'] = webhookSignature(config.secret, body);
    await postBody(ctx.fetch, config.url, body, headers, config.timeoutMs ?? ctx.timeoutMs);
  },
} satisfies Notifier<WebhookConfig>;
