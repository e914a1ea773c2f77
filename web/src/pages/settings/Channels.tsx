// Settings → Channels: the list with enable/disable, "send test" (result shown in the row), delete,
// and one create/edit form whose fields follow the channel type (email, webhook, slack, exec).
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { useServices } from '../../context.js';
import { Field, FormError } from '../../forms.js';
import { bodyOf, FIELDS, TYPES, valuesOf, type ChannelType, type ChannelView, type Values } from '../../lib/channel-form.js';
import { canAnywhere, canIn } from '../../lib/types.js';
import { ActionButton, Loaded, useAsync } from '../../ui.js';
import { EditorButtons, useEditorSubmit } from './editor-form.js';

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
  const { api } = useServices();
  const [v, setV] = useState<Values>(() => valuesOf(channel));
  const { errors, setErrors, busy, submit } = useEditorSubmit(onDone);
  const type = (v.type ?? 'webhook') as ChannelType;
  const set = (k: string, x: string): void => setV((old) => ({ ...old, [k]: x }));
  const fields = ['name', 'type', ...FIELDS[type].map((f) => f.key)];
  const save = async (): Promise<string> => {
    if (channel === null) await api.post('/api/v1/channels', bodyOf(v, true));
    else await api.put(`/api/v1/channels/${encodeURIComponent(channel.name)}`, bodyOf(v, false));
    return `Saved channel ${v.name ?? ''}`;
  };
  const id = (k: string): string => `ch-${k}`;
  return (
    <form class="editor" aria-label={channel ? `Edit channel ${channel.name}` : 'New channel'} onSubmit={(e) => void submit(e, fields, save)} noValidate>
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
            hint={channel !== null && v[f.key] === '***' ? 'stored secret; leave *** to keep it, or type the new value' : f.hint}>
            {(a) => f.kind === 'bool' ? <input {...a} type="checkbox" name={f.key} checked={v[f.key] !== 'false'} onChange={(e) => set(f.key, String(e.currentTarget.checked))} />
              : f.kind === 'select' ? <select {...a} name={f.key} value={v[f.key] ?? f.options![0]} onChange={(e) => set(f.key, e.currentTarget.value)}>{f.options!.map((o) => <option key={o}>{o}</option>)}</select>
                : f.kind === 'list' || f.kind === 'map:' || f.kind === 'map=' ? <textarea {...a} name={f.key} rows={3} value={v[f.key] ?? ''} onInput={(e) => set(f.key, e.currentTarget.value)} />
                  : f.kind === 'secret' ? <input {...a} name={f.key} type="password" autoComplete="new-password" value={v[f.key] ?? ''} onInput={(e) => set(f.key, e.currentTarget.value)} />
                    : <input {...a} name={f.key} type="text" inputMode={f.kind === 'number' ? 'numeric' : undefined}
                      autoComplete="off" placeholder={f.placeholder} value={v[f.key] ?? ''} onInput={(e) => set(f.key, e.currentTarget.value)} />}
          </Field>
        ))}
      </div>
      <EditorButtons busy={busy} label={channel ? 'Save channel' : 'Create channel'} onDone={onDone} />
    </form>
  );
}
