// Settings → Routes: routes in evaluation order with create/edit/delete and ↑/↓ to reorder. The API
// keeps routes in creation order and has no reorder call, so a move re-creates the routes from the
// moved position on in the new order (each with its whole body); every matching route contributes
// its channels, so the order changes what the list shows, not who is notified.
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { useServices } from '../../context.js';
import { CheckGroup, Field, FormError, splitList } from '../../forms.js';
import { canIn } from '../../lib/types.js';
import { ActionButton, Loaded, useAsync } from '../../ui.js';
import { bodyOf, CRITERIA, FIELDS, KINDS, routeOf, STATES, type RouteView } from '../../lib/route-form.js';
import { EditorButtons, useEditorSubmit } from './editor-form.js';

/** The routes section. */
export function Routes(): JSX.Element {
  const { api, user, toast, model } = useServices();
  const list = useAsync(async () => ({ items: (await api.get<{ items: Record<string, unknown>[] }>('/api/v1/routes')).items.map(routeOf) }), []);
  const channels = useAsync(() => api.get<{ items: { name: string }[] }>('/api/v1/channels'), []);
  const [editing, setEditing] = useState<RouteView | 'new' | null>(null);
  const canEdit = canIn(user, 'editor', null, model.projects);
  const move = async (items: RouteView[], from: number, to: number): Promise<void> => {
    const next = [...items];
    const [r] = next.splice(from, 1);
    next.splice(to, 0, r!);
    const start = Math.min(from, to);
    const redo = next.slice(start);
    for (const x of redo) await api.del(`/api/v1/routes/${encodeURIComponent(x.name)}`);
    try {
      for (const x of redo) await api.post('/api/v1/routes', bodyOf(x));
    } catch (err) {
      list.reload();
      throw new Error(`reordering stopped half-way (${err instanceof Error ? err.message : String(err)}); check the list`, { cause: err });
    }
    toast(`Moved ${r!.name}`);
    list.reload();
  };
  const names = (channels.data?.items ?? []).map((c) => c.name);
  return (
    <div class="routes">
      {canEdit && editing === null ? <button type="button" class="btn" onClick={() => setEditing('new')}>New route</button> : null}
      {editing !== null ? <RouteForm route={editing === 'new' ? null : editing} channelNames={names} onDone={(changed) => { setEditing(null); if (changed) list.reload(); }} /> : null}
      <Loaded value={list}>{(p) => p.items.length === 0 ? <p class="muted">No routes: every enabled channel gets every event.</p> : (
        <table class="list">
          <thead><tr><th>#</th><th>Name</th><th>Matches</th><th>Channels</th><th><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>{p.items.map((r, i) => (
            <tr key={r.name} data-route={r.name}>
              <td>{i + 1}</td>
              <td>{r.name}{r.default ? <span class="pill"> default</span> : null}{r.origin === 'config' ? <span class="muted small"> (config file)</span> : null}</td>
              <td class="wrap">{describe(r)}</td>
              <td>{r.channels.join(', ')}</td>
              <td class="actions">
                {canEdit ? <>
                  <ActionButton aria-label={`Move ${r.name} up`} disabled={i === 0} onAction={() => move(p.items, i, i - 1)}>↑</ActionButton>
                  <ActionButton aria-label={`Move ${r.name} down`} disabled={i === p.items.length - 1} onAction={() => move(p.items, i, i + 1)}>↓</ActionButton>
                  <button type="button" class="btn small" aria-label={`Edit route ${r.name}`} onClick={() => setEditing(r)}>Edit</button>
                  <ActionButton danger confirm={`Delete route ${r.name}?`} aria-label={`Delete route ${r.name}`}
                    onAction={async () => { await api.del(`/api/v1/routes/${encodeURIComponent(r.name)}`); list.reload(); }}>Delete</ActionButton>
                </> : null}
              </td>
            </tr>
          ))}</tbody>
        </table>
      )}</Loaded>
    </div>
  );
}

/** "hosts db-* · states ERR" or "everything". */
function describe(r: RouteView): string {
  const parts = CRITERIA.filter((k) => r[k].length > 0).map((k) => `${k} ${r[k].join(', ')}`);
  return parts.length > 0 ? parts.join(' · ') : r.default ? 'when no other route matched' : 'every event';
}

/** Create (route null) or edit form. */
function RouteForm({ route, channelNames, onDone }: { route: RouteView | null; channelNames: string[]; onDone: (changed: boolean) => void }): JSX.Element {
  const { api, model } = useServices();
  const [name, setName] = useState(route?.name ?? '');
  const [text, setText] = useState({ hosts: route?.hosts.join(', ') ?? '', checks: route?.checks.join(', ') ?? '', tags: route?.tags.join(', ') ?? '' });
  const [projects, setProjects] = useState<string[]>(route?.projects ?? []);
  const [states, setStates] = useState<string[]>(route?.states ?? []);
  const [kinds, setKinds] = useState<string[]>(route?.kinds ?? []);
  const [channels, setChannels] = useState<string[]>(route?.channels ?? []);
  const [isDefault, setDefault] = useState(route?.default ?? false);
  const { errors, busy, submit } = useEditorSubmit(onDone);
  const save = async (): Promise<string> => {
    const body = bodyOf({ name, projects, hosts: splitList(text.hosts), checks: splitList(text.checks), states, tags: splitList(text.tags), kinds, channels, default: isDefault });
    if (route === null) await api.post('/api/v1/routes', body);
    else { delete body.name; await api.put(`/api/v1/routes/${encodeURIComponent(route.name)}`, body); }
    return `Saved route ${name}`;
  };
  const projectNames = [...new Set([...model.projects.map((p) => p.name), ...projects])];
  return (
    <form class="editor" aria-label={route ? `Edit route ${route.name}` : 'New route'} onSubmit={(e) => void submit(e, FIELDS, save)} noValidate>
      <h2>{route ? `Edit route ${route.name}` : 'New route'}</h2>
      <p class="muted small">Every criterion given must match; within a list any entry may. Empty means any.</p>
      <FormError errors={errors} />
      <div class="field-grid">
        <Field id="rt-name" label="Name" error={errors.name} hint={route ? 'cannot be changed' : undefined}>
          {(a) => <input {...a} name="name" value={name} disabled={route !== null} onInput={(e) => setName(e.currentTarget.value)} />}
        </Field>
        {(['hosts', 'checks', 'tags'] as const).map((k) => (
          <Field key={k} id={`rt-${k}`} label={k === 'tags' ? 'Tags' : k === 'hosts' ? 'Host globs' : 'Check globs'} error={errors[k]} hint={k === 'tags' ? 'any of these tags' : 'e.g. db-*, separated by commas'}>
            {(a) => <input {...a} name={k} value={text[k]} onInput={(e) => { const x = e.currentTarget.value; setText((t) => ({ ...t, [k]: x })); }} />}
          </Field>
        ))}
      </div>
      <CheckGroup id="rt-projects" legend="Projects" options={projectNames} value={projects} onChange={setProjects} error={errors.projects} />
      <CheckGroup id="rt-states" legend="States (new or old state of a change)" options={STATES} value={states} onChange={setStates} error={errors.states} />
      <CheckGroup id="rt-kinds" legend="Event kinds" options={KINDS} value={kinds} onChange={setKinds} error={errors.kinds} />
      <CheckGroup id="rt-channels" legend="Channels (at least one)" options={[...new Set([...channelNames, ...channels])]} value={channels} onChange={setChannels} error={errors.channels} />
      <Field id="rt-default" label="Default route (used only when no other route matched)" error={errors.default}>
        {(a) => <input {...a} type="checkbox" name="default" checked={isDefault} onChange={(e) => setDefault(e.currentTarget.checked)} />}
      </Field>
      <EditorButtons busy={busy} label={route ? 'Save route' : 'Create route'} onDone={onDone} />
    </form>
  );
}
