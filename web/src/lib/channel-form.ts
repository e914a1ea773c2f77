// The channel form without the DOM: the fields of each channel type, a channel's values for the
// form (reads have camelCase keys), and the request body built from the form.
import { formatMap, parseMap, splitList } from './form-values.js';

/** What reads show instead of a secret. */
export const REDACTED = '***';

/** A channel as GET /api/v1/channels answers it (secrets read "***"). */
export interface ChannelView {
  name: string; type: ChannelType; enabled: boolean; disabledReason: string | null; origin: 'config' | 'api'; updatedAt: number;
  config: Record<string, unknown>;
}
/** The channel types of the API. */
export type ChannelType = 'email' | 'webhook' | 'slack' | 'exec';
/** The types in the order the form offers them. */
export const TYPES: ChannelType[] = ['webhook', 'email', 'slack', 'exec'];

/** One input of a type's form: how it is edited and sent. */
export interface Spec { key: string; label: string; kind: 'text' | 'number' | 'list' | 'map:' | 'map=' | 'bool' | 'secret' | 'select'; hint?: string; options?: string[]; placeholder?: string }

const TIMEOUT: Spec = { key: 'timeout_ms', label: 'Timeout (ms)', kind: 'number', hint: 'optional' };
/** The inputs of each type's form (the API's snake_case field names). */
export const FIELDS: Record<ChannelType, Spec[]> = {
  webhook: [
    { key: 'url', label: 'URL', kind: 'text', placeholder: 'https://example.com/hook' },
    { key: 'headers', label: 'Headers', kind: 'map:', hint: 'one "Name: value" per line' },
    { key: 'secret', label: 'Signing secret', kind: 'secret', hint: 'optional; X-Oversee-Signature is an HMAC-SHA256 of the body' },
    TIMEOUT,
  ],
  email: [
    { key: 'host', label: 'SMTP host', kind: 'text' },
    { key: 'port', label: 'Port', kind: 'number', hint: '587 (465 for tls)' },
    { key: 'security', label: 'Security', kind: 'select', options: ['starttls', 'opportunistic', 'tls', 'none'] },
    { key: 'user', label: 'User', kind: 'text', hint: 'optional' },
    { key: 'password', label: 'Password', kind: 'secret', hint: 'optional' },
    { key: 'from', label: 'From', kind: 'text', placeholder: 'oversee@example.com' },
    { key: 'to', label: 'To', kind: 'list', hint: 'addresses, separated by commas or lines' },
    { key: 'subject_prefix', label: 'Subject prefix', kind: 'text', placeholder: '[Oversee] ' },
    { key: 'tls_reject_unauthorized', label: 'Verify the server certificate', kind: 'bool' },
    TIMEOUT,
  ],
  slack: [
    { key: 'url', label: 'Incoming webhook URL', kind: 'secret' },
    { key: 'channel', label: 'Channel', kind: 'text', hint: 'optional, e.g. #ops' },
    { key: 'username', label: 'User name', kind: 'text', hint: 'optional' },
    { key: 'icon_emoji', label: 'Icon emoji', kind: 'text', hint: 'optional, e.g. :bell:' },
    TIMEOUT,
  ],
  exec: [
    { key: 'command', label: 'Command', kind: 'text', hint: 'absolute path; run without a shell', placeholder: '/usr/local/bin/notify' },
    { key: 'args', label: 'Arguments', kind: 'list', hint: 'one per line' },
    { key: 'env', label: 'Environment', kind: 'map=', hint: 'one KEY=value per line' },
    TIMEOUT,
  ],
};

/** Form values: every input as text (checkboxes as 'true'/'false'). */
export type Values = Record<string, string>;

/** The form's values for a channel read from the API (null: a new channel's defaults). */
export function valuesOf(c: ChannelView | null): Values {
  const v: Values = { name: c?.name ?? '', type: c?.type ?? 'webhook', tls_reject_unauthorized: 'true', security: 'starttls' };
  if (c === null) return v;
  for (const f of FIELDS[c.type]) {
    // Reads carry the parsed config, whose keys are camelCase (timeoutMs for timeout_ms).
    const x = c.config[f.key] ?? c.config[f.key.replace(/_([a-z])/g, (_m, l: string) => l.toUpperCase())];
    if (x === undefined || x === null) continue;
    // A redacted secret (a whole map such as exec's env reads "***") stays "***": sent back, the server keeps the stored value.
    if (x === REDACTED) { v[f.key] = REDACTED; continue; }
    v[f.key] = f.kind === 'list' ? (x as unknown[]).map(String).join(f.key === 'args' ? '\n' : ', ')
      : f.kind === 'map:' ? formatMap(x, ':') : f.kind === 'map=' ? formatMap(x, '=') : String(x);
  }
  return v;
}

/** The request body of the form: only the filled fields of the chosen type. A number that is not one is sent as typed, so the server names the field. */
export function bodyOf(v: Values, withName: boolean): Record<string, unknown> {
  const type = (v.type ?? 'webhook') as ChannelType;
  const body: Record<string, unknown> = withName ? { name: v.name ?? '', type } : { type };
  for (const f of FIELDS[type]) {
    const raw = v[f.key] ?? '';
    if (f.kind === 'bool') { body[f.key] = raw !== 'false'; continue; }
    if (raw.trim() === '') continue;
    if (f.kind === 'number') body[f.key] = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw;
    else if (f.kind === 'list') body[f.key] = f.key === 'args' ? raw.split('\n').filter((s) => s !== '') : splitList(raw);
    else if (raw.trim() === REDACTED) body[f.key] = REDACTED;
    else if (f.kind === 'map:') body[f.key] = parseMap(raw, ':');
    else if (f.kind === 'map=') body[f.key] = parseMap(raw, '=');
    else body[f.key] = raw;
  }
  return body;
}
