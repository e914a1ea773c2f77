// Settings → Channels: the list with enable/disable, "send test" (result shown in the row), delete,
// and one create/edit form whose fields follow the channel type (email, webhook, slack, exec).
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { useServices } from '../../context.js';
import { errorsFrom, Field, formatMap, FormError, parseMap, splitList, type FieldErrors } from '../../forms.js';
import { canAnywhere, canIn } from '../../lib/types.js';
import { ActionButton, Loaded, useAsync } from '../../ui.js';

/** A channel as GET /api/v1/channels answers it (secrets read "***"). */
export interface ChannelView {
  name: string; type: ChannelType; enabled: boolean; disabledReason: string | null; origin: 'config' | 'api'; updatedAt: number;
  config: Record<string, unknown>;
}
/** The channel types of the API. */
export type ChannelType = 'email' | 'webhook' | 'slack' | 'exec';
const TYPES: ChannelType[] = ['webhook', 'email', 'slack', 'exec'];

/** One input of a type's form: how it is edited and sent. */
interface Spec { key: string; label: string; kind: 'text' | 'number' | 'list' | 'map:' | 'map=' | 'bool' | 'secret' | 'select'; hint?: string; options?: string[]; placeholder?: string }

const TIMEOUT: Spec = { key: 'timeout_ms', label: 'Timeout (ms)', kind: 'number', hint: 'optional' };
const FIELDS: Record<ChannelType, Spec[]> = {
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
type Values = Record<string, string>;

function valuesOf(c: ChannelView | null): Values {
  const v: Values = { name: c?.name ?? '', type: c?.type ?? 'webhook', tls_reject_unauthorized: 'true', security: 'starttls' };
  if (c === null) return v;
  for (const f of FIELDS[c.type]) {
    // Reads carry the parsed config, whose keys are camelCase (timeoutMs for timeout_ms).
    const x = c.config[f.key] ?? c.config[f.key.replace(/_([a-z])/g, (_m, l: string) => l.toUpperCase())];
    if (x === undefined || x === null) continue;
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
    else if (f.kind === 'map:') body[f.key] = parseMap(raw, ':');
    else if (f.kind === 'map=') body[f.key] = parseMap(raw, '=');
    else body[f.key] = raw;
  }
  return body;
}

/** Where a channel sends, in a few words. */
function target(c: ChannelView): string {
  const k = c.type === 'email' ? 'to' : c.type === 'exec' ? 'command' : 'url';
  const x = c.config[k];
  return Array.isArray(x) ? x.join(', ') : String(x ?? '');
}

/** The channels section. */
export function Channels(): JSX.Element {
  const { api, features, user, model } = useServices();
  const list = useAsync(() => api.get<{ items: ChannelView[] }>('/api/v1/channels'), []);
  const [editing, setEditing] = useState<ChannelView | 'new' | null>(null);
  const [tests, setTests] = useState<Record<string, { ok: boolean; text: string }>>({});
  // Channels are shared by every project: changing them needs editor in every project.
  const canEdit = canIn(user, 'editor', null, model.projects);
  const canTest = canEdit && features.has('POST', '/channels/{name}/test');
  return (
    <div class="channels">
      {canEdit && editing === null ? <button type="button" class="btn" onClick={() => setEditing('new')}>New channel</button> : null}
      {editing !== null ? (
        <ChannelForm channel={editing === 'new' ? null : editing} onDone={(changed) => { setEditing(null); if (changed) list.reload(); }} />
      ) : null}
      <Loaded value={list}>{(p) => p.items.length === 0 ? <p class="muted">No channels yet.</p> : (
        <table class="list">
          <thead><tr><th>Name</th><th>Type</th><th>Sends to</th><th>Status</th><th>From</th><th><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>{p.items.map((c) => (
            <tr key={c.name} data-channel={c.name}>
              <td>{c.name}</td><td>{c.type}</td><td class="wrap"><code>{target(c)}</code></td>
              <td>{c.enabled ? <span class="pill on">✓ enabled</span> : <span class="pill off" title={c.disabledReason ?? ''}>✕ disabled{c.disabledReason ? `: ${c.disabledReason}` : ''}</span>}
                {tests[c.name] ? <div class={`test-result ${tests[c.name]!.ok ? 'ok' : 'bad'}`} role="status">{tests[c.name]!.text}</div> : null}</td>
              <td>{c.origin === 'config' ? 'config file' : 'API'}</td>
              <td class="actions">
                {canEdit ? <button type="button" class="btn small" onClick={() => setEditing(c)} aria-label={`Edit channel ${c.name}`}>Edit</button> : null}
                {canEdit ? (
                  <ActionButton aria-label={`${c.enabled ? 'Disable' : 'Enable'} channel ${c.name}`}
                    onAction={async () => { await api.post(`/api/v1/channels/${encodeURIComponent(c.name)}/${c.enabled ? 'disable' : 'enable'}`); list.reload(); }}>
                    {c.enabled ? 'Disable' : 'Enable'}</ActionButton>
                ) : null}
                {canTest ? (
                  <ActionButton aria-label={`Send a test through ${c.name}`} onAction={async () => {
                    setTests((t) => ({ ...t, [c.name]: { ok: true, text: 'Sending…' } }));
                    try {
                      // The test answers 200 with {ok, error}: a failed send is reported, not thrown.
                      const r = await api.post<{ ok: boolean; error: string | null }>(`/api/v1/channels/${encodeURIComponent(c.name)}/test`, {});
                      setTests((t) => ({ ...t, [c.name]: r.ok ? { ok: true, text: '✓ Test sent' } : { ok: false, text: `✕ Test failed: ${r.error ?? 'unknown error'}` } }));
                    } catch (err) {
                      setTests((t) => ({ ...t, [c.name]: { ok: false, text: `✕ ${err instanceof Error ? err.message : String(err)}` } }));
                    }
                  }}>Send test</ActionButton>
                ) : null}
                {canEdit ? (
                  <ActionButton danger confirm={`Delete channel ${c.name}?`} aria-label={`Delete channel ${c.name}`}
                    onAction={async () => { await api.del(`/api/v1/channels/${encodeURIComponent(c.name)}`); list.reload(); }}>Delete</ActionButton>
                ) : null}
              </td>
            </tr>
          ))}</tbody>
        </table>
      )}</Loaded>
      {!canEdit && canAnywhere(user, 'editor') ? <p class="muted small">Channels are shared by every project: changing them needs an editor of every project.</p> : null}
    </div>
  );
}

/** Create (channel null) or edit form. */
function ChannelForm({ channel, onDone }: { channel: ChannelView | null; onDone: (changed: boolean) => void }): JSX.Element {
  const { api, toast } = useServices();
  const [v, setV] = useState<Values>(() => valuesOf(channel));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const type = (v.type ?? 'webhook') as ChannelType;
  const set = (k: string, x: string): void => setV((old) => ({ ...old, [k]: x }));
  const fields = ['name', 'type', ...FIELDS[type].map((f) => f.key)];
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    try {
      if (channel === null) await api.post('/api/v1/channels', bodyOf(v, true));
      else await api.put(`/api/v1/channels/${encodeURIComponent(channel.name)}`, bodyOf(v, false));
      toast(`Saved channel ${v.name ?? ''}`);
      onDone(true);
    } catch (err) {
      setErrors(errorsFrom(err, fields));
    } finally {
      setBusy(false);
    }
  };
  const id = (k: string): string => `ch-${k}`;
  return (
    <form class="editor" aria-label={channel ? `Edit channel ${channel.name}` : 'New channel'} onSubmit={(e) => void submit(e)} noValidate>
      <h2>{channel ? `Edit channel ${channel.name}` : 'New channel'}</h2>
      <FormError errors={errors} />
      <div class="field-grid">
        <Field id={id('name')} label="Name" error={errors.name} hint={channel ? 'cannot be changed' : 'letters, digits, _ . -'}>
          {(a) => <input {...a} name="name" value={v.name} disabled={channel !== null} onInput={(e) => set('name', e.currentTarget.value)} />}
        </Field>
        <Field id={id('type')} label="Type" error={errors.type}>
          {(a) => <select {...a} name="type" value={type} onChange={(e) => { set('type', e.currentTarget.value); setErrors({}); }}>{TYPES.map((t) => <option key={t}>{t}</option>)}</select>}
        </Field>
        {FIELDS[type].map((f) => (
          <Field key={`${type}-${f.key}`} id={id(f.key)} label={f.label} error={errors[f.key]}
            hint={f.kind === 'secret' && channel !== null && v[f.key] === '***' ? 'stored; leave *** to keep it' : f.hint}>
            {(a) => f.kind === 'bool' ? <input {...a} type="checkbox" name={f.key} checked={v[f.key] !== 'false'} onChange={(e) => set(f.key, String(e.currentTarget.checked))} />
              : f.kind === 'select' ? <select {...a} name={f.key} value={v[f.key] ?? f.options![0]} onChange={(e) => set(f.key, e.currentTarget.value)}>{f.options!.map((o) => <option key={o}>{o}</option>)}</select>
                : f.kind === 'list' || f.kind === 'map:' || f.kind === 'map=' ? <textarea {...a} name={f.key} rows={3} value={v[f.key] ?? ''} onInput={(e) => set(f.key, e.currentTarget.value)} />
                  : f.kind === 'secret' ? <input {...a} name={f.key} type="password" autoComplete="new-password" value={v[f.key] ?? ''} onInput={(e) => set(f.key, e.currentTarget.value)} />
                    : <input {...a} name={f.key} type="text" inputMode={f.kind === 'number' ? 'numeric' : undefined}
                      autoComplete="off" placeholder={f.placeholder} value={v[f.key] ?? ''} onInput={(e) => set(f.key, e.currentTarget.value)} />}
          </Field>
        ))}
      </div>
      <div class="form-buttons">
        <button type="submit" class="btn primary" disabled={busy}>{channel ? 'Save channel' : 'Create channel'}</button>
        <button type="button" class="btn ghost" onClick={() => onDone(false)}>Cancel</button>
      </div>
    </form>
  );
}
