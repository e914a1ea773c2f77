// Settings: projects, API tokens, users, and (when the server has them) channels, routes and silences.
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { useServices } from '../context.js';
import { ago, dateTime } from '../lib/format.js';
import { canAnywhere, roleAtLeast, type ApiToken, type Page, type Project, type Role } from '../lib/types.js';
import { ActionButton, Link, Loaded, useAsync } from '../ui.js';
import { Channels } from './settings/Channels.js';
import { Projects } from './settings/Projects.js';
import { Routes } from './settings/Routes.js';
import { Users } from './settings/Users.js';

const ROLES: Role[] = ['viewer', 'editor', 'admin'];

/** The settings page with its sections as tabs (/settings/<section>). */
export function SettingsPage(): JSX.Element {
  const { router, user, features } = useServices();
  const tabs: [string, string][] = [['projects', 'Projects']];
  if (roleAtLeast(user.role, 'admin')) tabs.push(['tokens', 'API tokens']);
  if (canAnywhere(user, 'admin')) tabs.push(['users', 'Users']);
  if (features.has('GET', '/channels')) tabs.push(['channels', 'Channels']);
  if (features.has('GET', '/routes')) tabs.push(['routes', 'Routes']);
  if (features.has('GET', '/silences')) tabs.push(['silences', 'Silences']);
  const current = router.location.path.split('/')[2] ?? tabs[0]![0];
  return (
    <section class="settings">
      <h1>Settings</h1>
      <nav class="tabs" aria-label="Settings sections">
        {tabs.map(([k, label]) => <Link key={k} href={`/settings/${k}`} aria-current={k === current ? 'page' : undefined}>{label}</Link>)}
      </nav>
      {current === 'tokens' ? <Tokens /> : current === 'users' ? <Users /> : current === 'projects' ? <Projects />
        : current === 'channels' ? <Channels /> : current === 'routes' ? <Routes />
          : current === 'silences' ? <Generic kind={current} /> : <p>No such section.</p>}
    </section>
  );
}

function projectName(projects: Project[] | undefined, id: number | null): string {
  if (id === null) return 'every project';
  return projects?.find((p) => p.id === id)?.name ?? `project ${id}`;
}

function Tokens(): JSX.Element {
  const { api, model } = useServices();
  const tokens = useAsync(() => api.get<Page<ApiToken>>('/api/v1/tokens'), []);
  const projects = useAsync(() => api.get<Page<Project>>('/api/v1/projects'), []);
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [project, setProject] = useState('');
  const [secret, setSecret] = useState('');
  return (
    <div>
      <form class="inline-form" onSubmit={(e) => e.preventDefault()}>
        <input aria-label="Token name" placeholder="what it is for" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <select aria-label="Role" value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>{ROLES.map((r) => <option key={r}>{r}</option>)}</select>
        <select aria-label="Project" value={project} onChange={(e) => setProject(e.currentTarget.value)}>
          <option value="">every project</option>{model.projects.map((p) => <option key={p.id} value={String(p.id)}>{p.name}</option>)}
        </select>
        <ActionButton onAction={async () => {
          const res = await api.post<{ token: string }>('/api/v1/tokens', { name, role, projectId: project === '' ? null : Number(project) });
          setSecret(res.token);
          setName('');
          tokens.reload();
        }}>Create token</ActionButton>
      </form>
      {secret ? <p class="secret" role="status">New token (shown once): <code>{secret}</code></p> : null}
      <Loaded value={tokens}>{(p) => (
        <table class="list">
          <thead><tr><th>Name</th><th>Role</th><th>Scope</th><th>Created</th><th>Last used</th><th /></tr></thead>
          <tbody>{p.items.map((t) => (
            <tr key={t.id}><td>{t.name}</td><td>{t.role}</td><td>{projectName(projects.data?.items, t.projectId)}</td><td>{dateTime(t.createdAt)}</td><td>{ago(t.lastUsedAt, model.now())}</td>
              <td><ActionButton danger confirm={`Revoke token ${t.name}?`} onAction={async () => { await api.del(`/api/v1/tokens/${t.id}`); tokens.reload(); }}>Revoke</ActionButton></td></tr>
          ))}</tbody>
        </table>
      )}</Loaded>
    </div>
  );
}

/** A read-only table of a list endpoint (silences), with delete for editors. */
function Generic({ kind }: { kind: string }): JSX.Element {
  const { api, features, user } = useServices();
  const list = useAsync(() => api.get<Page<Record<string, unknown>> | Record<string, unknown>[]>(`/api/v1/${kind}`), [kind]);
  return (
    <Loaded value={list}>{(p) => {
      const items = Array.isArray(p) ? p : p.items;
      if (items.length === 0) return <p class="muted">None configured.</p>;
      const cols = Object.keys(items[0]!).filter((k) => k !== 'secret').slice(0, 7);
      return (
        <table class="list">
          <thead><tr>{cols.map((c) => <th key={c}>{c}</th>)}<th /></tr></thead>
          <tbody>{items.map((it, i) => (
            <tr key={i}>{cols.map((c) => <td key={c}>{typeof it[c] === 'object' ? JSON.stringify(it[c]) : String(it[c] ?? '')}</td>)}
              <td>
                {roleAtLeast(user.role, 'editor') && features.has('DELETE', `/${kind}/{key}`) ? (
                  <ActionButton danger confirm="Delete?" onAction={async () => {
                    // Silences are addressed by id, channels and routes by name (routes also have an id).
                    await api.del(`/api/v1/${kind}/${encodeURIComponent(String(kind === 'silences' ? it.id : it.name))}`);
                    list.reload();
                  }}>Delete</ActionButton>
                ) : null}
              </td></tr>
          ))}</tbody>
        </table>
      );
    }}</Loaded>
  );
}
