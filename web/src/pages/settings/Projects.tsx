// Settings → Projects: the list with ingest tokens (admins), and — where the server has those
// routes — create, rename (name, description) and delete (refused with 409 while the project still
// has hosts, then offered again as "delete with everything in it", ?force=true). The default project
// (where ingestion without a project lands) cannot be deleted, and the server refuses renaming it.
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { useServices } from '../../context.js';
import { ApiError } from '../../lib/api.js';
import { dateTime } from '../../lib/format.js';
import { Field, FormError } from '../../forms.js';
import { canIn, type Page, type Project } from '../../lib/types.js';
import { Loaded, useAsync } from '../../ui.js';
import { EditorButtons, useEditorSubmit } from './editor-form.js';

/** The projects section. */
export function Projects(): JSX.Element {
  const { api, features, model, user } = useServices();
  const projects = useAsync(() => api.get<Page<Project>>('/api/v1/projects'), []);
  const [editing, setEditing] = useState<Project | 'new' | null>(null);
  const [deleting, setDeleting] = useState<{ project: Project; error: string | null; conflict: boolean } | null>(null);
  const admin = canIn(user, 'admin', null, model.projects);
  const canCreate = admin && features.has('POST', '/projects');
  // Renaming needs admin in that project; creating and deleting, admin in every project.
  const canRename = (id: number): boolean => features.has('PATCH', '/projects/{id}') && canIn(user, 'admin', id, model.projects);
  const canDelete = admin && features.has('DELETE', '/projects/{id}');
  const changed = async (): Promise<void> => { projects.reload(); await model.load(api); };
  const remove = async (p: Project, force: boolean): Promise<void> => {
    try {
      await api.del(`/api/v1/projects/${p.id}${force ? '?force=true' : ''}`);
      setDeleting(null);
      await changed();
    } catch (err) {
      const conflict = err instanceof ApiError && err.status === 409;
      setDeleting({ project: p, error: err instanceof Error ? err.message : String(err), conflict });
    }
  };
  return (
    <div class="projects">
      {canCreate && editing === null ? <button type="button" class="btn" onClick={() => setEditing('new')}>New project</button> : null}
      {editing !== null ? <ProjectForm project={editing === 'new' ? null : editing} onDone={(c) => { setEditing(null); if (c) void changed(); }} /> : null}
      {deleting !== null ? (
        <div class="editor confirm" role="alertdialog" aria-label={`Delete project ${deleting.project.name}`}>
          <p>Delete project <strong>{deleting.project.name}</strong>?</p>
          {deleting.error ? <p class="error" role="alert">⚠ {deleting.error}</p> : null}
          <div class="form-buttons">
            {deleting.conflict
              ? <button type="button" class="btn danger" onClick={() => void remove(deleting.project, true)}>Delete it with all its hosts, checks and data</button>
              : <button type="button" class="btn danger" onClick={() => void remove(deleting.project, false)}>Delete</button>}
            <button type="button" class="btn ghost" onClick={() => setDeleting(null)}>Cancel</button>
          </div>
        </div>
      ) : null}
      <Loaded value={projects}>{(p) => (
        <table class="list">
          <thead><tr><th>Name</th><th>Description</th><th>Ingest token (OddEye UUID, okerr)</th><th>Created</th><th><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>{p.items.map((x) => (
            <tr key={x.id} data-project={x.name}>
              <td>{x.name}</td><td>{x.description ?? ''}</td>
              <td><code>{x.ingestToken ?? '(admins only)'}</code></td><td>{dateTime(x.createdAt)}</td>
              <td class="actions">
                {canRename(x.id) ? <button type="button" class="btn small" aria-label={`Rename project ${x.name}`} onClick={() => setEditing(x)}>Rename</button> : null}
                {canDelete && x.name !== 'default' ? <button type="button" class="btn danger" aria-label={`Delete project ${x.name}`} onClick={() => setDeleting({ project: x, error: null, conflict: false })}>Delete</button> : null}
              </td>
            </tr>
          ))}</tbody>
        </table>
      )}</Loaded>
    </div>
  );
}

/** Create (project null) or rename form. */
function ProjectForm({ project, onDone }: { project: Project | null; onDone: (changed: boolean) => void }): JSX.Element {
  const { api } = useServices();
  const [name, setName] = useState(project?.name ?? '');
  const [description, setDescription] = useState(project?.description ?? '');
  const { errors, busy, submit } = useEditorSubmit(onDone);
  const save = async (): Promise<string> => {
    const body = { name, ...(description !== '' || project?.description ? { description } : {}) };
    if (project === null) await api.post('/api/v1/projects', body);
    else await api.patch(`/api/v1/projects/${project.id}`, body);
    return `Saved project ${name}`;
  };
  return (
    <form class="editor" aria-label={project ? `Rename project ${project.name}` : 'New project'} onSubmit={(e) => void submit(e, ['name', 'description'], save)} noValidate>
      <h2>{project ? `Rename project ${project.name}` : 'New project'}</h2>
      <FormError errors={errors} />
      <div class="field-grid">
        <Field id="pj-name" label="Name" error={errors.name}>{(a) => <input {...a} name="name" value={name} onInput={(e) => setName(e.currentTarget.value)} />}</Field>
        <Field id="pj-description" label="Description" error={errors.description} hint="optional">
          {(a) => <input {...a} name="description" value={description} onInput={(e) => setDescription(e.currentTarget.value)} />}
        </Field>
      </div>
      <EditorButtons busy={busy} label={project ? 'Save project' : 'Create project'} onDone={onDone} />
    </form>
  );
}
