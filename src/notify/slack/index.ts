// Slack channel: an incoming-webhook payload with one attachment coloured by the worst state.
import type { CheckState } from '../../domain/types.js';
import { invalid } from '../../errors.js';
import { optInt, optString, rejectUnknown, reqHttpUrl } from '../fields.js';
import { postBody } from '../http.js';
import type { NotifyMessage, Notifier } from '../types.js';

/** A Slack channel's settings (the incoming-webhook URL carries the credentials). */
export interface SlackConfig {
  url: string;
  /** Overrides the webhook's default channel, e.g. "#ops". */
  channel: string | null;
  username: string | null;
  iconEmoji: string | null;
  timeoutMs: number | null;
}

/** Attachment colour per state; events without a state are neutral grey. */
export const SLACK_COLOURS: Record<CheckState, string> = {
  OK: '#2eb886',
  WARN: '#daa038',
  ERR: '#a30200',
  UNK: '#808080',
};

/** The incoming-webhook JSON for one message. */
export function slackPayload(config: SlackConfig, message: NotifyMessage): Record<string, unknown> {
  const payload: Record<string, unknown> = {
    text: message.subject,
    attachments: [{
      color: message.state ? SLACK_COLOURS[message.state] : SLACK_COLOURS.UNK,
      fallback: message.subject,
      fields: message.events.map((e) => ({ title: e.title, value: e.message, short: false })),
      ts: Math.floor((message.events[0]?.at ?? 0) / 1000),
    }],
  };
  if (config.channel !== null) payload.channel = config.channel;
  if (config.username !== null) payload.username = config.username;
  if (config.iconEmoji !== null) payload.icon_emoji = config.iconEmoji;
  return payload;
}

/** The Slack notifier. */
export const slack = {
  type: 'slack',
  secretFields: ['url'],
  parseConfig(raw: Record<string, unknown>): SlackConfig {
    rejectUnknown(raw, ['url', 'channel', 'username', 'icon_emoji', 'timeout_ms']);
    const iconEmoji = optString(raw, 'icon_emoji') ?? null;
    if (iconEmoji !== null && !/^:[\w+-]+:$/.test(iconEmoji)) throw invalid('icon_emoji', 'must look like :name:');
    return {
      url: reqHttpUrl(raw, 'url'),
      channel: optString(raw, 'channel') ?? null,
      username: optString(raw, 'username') ?? null,
      iconEmoji,
      timeoutMs: optInt(raw, 'timeout_ms', 100, 120_000) ?? null,
    };
  },
  async send(config: SlackConfig, message: NotifyMessage, ctx): Promise<void> {
    const body = JSON.stringify(slackPayload(config, message));
    await postBody(ctx.fetch, config.url, body, { 'content-type': 'application/json' }, config.timeoutMs ?? ctx.timeoutMs);
  },
} satisfies Notifier<SlackConfig>;
