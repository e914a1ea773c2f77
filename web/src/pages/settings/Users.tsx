// Settings → Users: add, delete, and roles. On a server with per-project grants
// (`grants: [{project: name|id|null, role}]`, null = every project) each user shows a table
// project → role that an admin edits in place; on an older server, one role and one scope per user.
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { useServices } from '../../context.js';
import { errorsFrom, Field, FormError, type FieldErrors } from '../../forms.js';
import { ago } from '../../lib/format.js';
import type { Grant, Role, User } from '../../lib/types.js';
import { ActionButton, Loaded, useAsync } from '../../ui.js';

const ROLES: Role[] = ['viewer', 'editor', 'admin'];
/** Form value of "every project". */
const ALL = '*';

/** The project of a grant as a form value (a project name, or ALL). */
function grantKey(g: Grant, projects: readonly { id: number; name: string }[]): string {
  const p = g.projectId !== undefined ? g.projectId : g.project;
  if (p === null) return ALL;
  if (typeof p === 'number') return projects.find((x) => x.id === p)?.name ?? String(p);
  return p;
}

/** The users section. */
export function Users(): JSX.Element {
  const { api, model, user: me, toast } = useServices();
  const users = useAsync(() => api.get<{ items: User[] }>('/api/v1/users'), []);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [project, setProject] = useState(ALL);
  const [errors, setErrors] = useState<FieldErrors>({});
  const grantsMode = (users.data?.items ?? []).some((u) => Array.isArray(u.grants));
  const add = async (e: Event): Promise<void> => {
    e.preventDefault();
    const scope = project === ALL ? null : project;
    const body = grantsMode
      ? { name, password, grants: [{ project: scope, role }] }
      : { name, password, role, projectId: scope === null ? null : model.projects.find((p) => p.name === scope)?.id ?? null };
    try {
      await api.post('/api/v1/users', body);
      toast(`Created ${name}`);
      setName(''); setPassword(''); setErrors({});
      users.reload();
    } catch (err) {
      setErrors(errorsFrom(err, ['name', 'password', 'role', 'projectId', 'grants']));
    }
  };
  return (
    <div class="users">
      <form class="editor" aria-label="Add a user" onSubmit={(e) => void add(e)} noValidate>
        <FormError errors={errors} />
        <div class="field-grid">
          <Field id="us-name" label="User name" error={errors.name}>{(a) => <input {...a} name="name" autoComplete="off" value={name} onInput={(e) => setName(e.currentTarget.value)} />}</Field>
          <Field id="us-password" label="Password" error={errors.password} hint="8 characters or more">
            {(a) => <input {...a} name="password" type="password" autoComplete="new-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />}
          </Field>
          <Field id="us-role" label="Role" error={errors.role ?? errors.grants}>
            {(a) => <select {...a} name="role" value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>{ROLES.map((r) => <option key={r}>{r}</option>)}</select>}
          </Field>
          <Field id="us-project" label="In" error={errors.projectId}>
            {(a) => <select {...a} name="project" value={project} onChange={(e) => setProject(e.currentTarget.value)}>
              <option value={ALL}>every project</option>{model.projects.map((p) => <option key={p.id} value={p.name}>{p.name}</option>)}</select>}
          </Field>
        </div>
        <div class="form-buttons"><button type="submit" class="btn primary">Add user</button></div>
      </form>
      <Loaded value={users}>{(p) => (
        <table class="list">
          <thead><tr><th>Name</th><th>{grantsMode ? 'Roles per project' : 'Role'}</th>{grantsMode ? null : <th>Scope</th>}<th>Last login</th><th><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>{p.items.map((u) => (
            <tr key={u.id} data-user={u.name}><td>{u.name}{u.id === me.id ? ' (you)' : ''}</td>
              {Array.isArray(u.grants) ? <td><GrantsEditor user={u} onSaved={users.reload} /></td> : <>
                <td><select aria-label={`Role of ${u.name}`} value={u.role} onChange={(e) => {
                  api.patch(`/api/v1/users/${u.id}`, { role: e.currentTarget.value }).then(() => users.reload(), (err: Error) => { toast(err.message, 'error'); users.reload(); });
                }}>{ROLES.map((r) => <option key={r}>{r}</option>)}</select></td>
                <td>{u.projectId === null ? 'every project' : model.projects.find((x) => x.id === u.projectId)?.name ?? u.projectId}</td>
              </>}
              <td>{ago(u.lastLoginAt, model.now())}</td>
              <td><ActionButton danger confirm={`Delete user ${u.name}?`} aria-label={`Delete user ${u.name}`} onAction={async () => { await api.del(`/api/v1/users/${u.id}`); users.reload(); }}>Delete</ActionButton></td></tr>
          ))}</tbody>
        </table>
      )}</Loaded>
    </div>
  );
}

/** A user's grants as a table project → role; "Edit roles" makes the rows editable and saves them with PATCH {grants}. */
function GrantsEditor({ user, onSaved }: { user: User; onSaved: () => void }): JSX.Element {
  const { api, model, toast } = useServices();
  const [rows, setRows] = useState<{ project: string; role: Role }[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const shown = (user.grants ?? []).map((g) => ({ project: grantKey(g, model.projects), role: g.role }));
  if (rows === null) {
    return (
      <div class="grants">
        <table class="mini" aria-label={`Roles of ${user.name}`}><tbody>
          {shown.length === 0 ? <tr><td class="muted">no access</td></tr> : shown.map((g) => <tr key={g.project}><td>{g.project === ALL ? 'every project' : g.project}</td><td>{g.role}</td></tr>)}
        </tbody></table>
        <button type="button" class="btn small" aria-label={`Edit roles of ${user.name}`} onClick={() => setRows(shown)}>Edit roles</button>
      </div>
    );
  }
  const used = new Set(rows.map((r) => r.project));
  const free = [ALL, ...model.projects.map((p) => p.name)].filter((x) => !used.has(x));
  const save = async (): Promise<void> => {
    try {
      await api.patch(`/api/v1/users/${user.id}`, { grants: rows.map((r) => ({ project: r.project === ALL ? null : r.project, role: r.role })) });
      toast(`Saved the roles of ${user.name}`);
      setRows(null); setError(null);
      onSaved();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <div class="grants editing" role="group" aria-label={`Edit roles of ${user.name}`}>
      <table class="mini"><tbody>{rows.map((r, i) => (
        <tr key={r.project}>
          <td><select aria-label={`Project of grant ${i + 1}`} value={r.project} onChange={(e) => { const v = e.currentTarget.value; setRows(rows.map((x, j) => (j === i ? { ...x, project: v } : x))); }}>
            {[r.project, ...free].map((x) => <option key={x} value={x}>{x === ALL ? 'every project' : x}</option>)}</select></td>
          <td><select aria-label={`Role in ${r.project === ALL ? 'every project' : r.project}`} value={r.role} onChange={(e) => { const v = e.currentTarget.value as Role; setRows(rows.map((x, j) => (j === i ? { ...x, role: v } : x))); }}>
            {ROLES.map((x) => <option key={x}>{x}</option>)}</select></td>
          <td><button type="button" class="btn small ghost" aria-label={`Remove grant ${r.project === ALL ? 'every project' : r.project}`} onClick={() => setRows(rows.filter((_, j) => j !== i))}>✕</button></td>
        </tr>
      ))}</tbody></table>
      {error ? <p class="field-error" role="alert">⚠ {error}</p> : null}
      <div class="form-buttons">
        {free.length > 0 ? <button type="button" class="btn small" onClick={() => setRows([...rows, { project: free[0]!, role: 'viewer' }])}>Add project</button> : null}
        <ActionButton onAction={save}>Save roles</ActionButton>
        <button type="button" class="btn small ghost" onClick={() => { setRows(null); setError(null); }}>Cancel</button>
      </div>
    </div>
  );
}
