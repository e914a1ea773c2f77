// The host page: its checks (live, worst first), its alerts, its state changes and a link to its metrics.
import type { JSX } from 'preact';
import { useServices } from '../context.js';
import { ago, dateTime } from '../lib/format.js';
import { canIn, stateRank, type Alert, type Flip, type Host, type Page } from '../lib/types.js';
import { listSeries } from '../lib/metrics.js';
import { ActionButton, Link, Loaded, StateBadge, useAsync, useModelVersion } from '../ui.js';

/** The host page. */
export function HostPage({ id }: { id: number }): JSX.Element {
  const { api, model, user, router, toast } = useServices();
  useModelVersion();
  const host = useAsync(() => api.get<Host>(`/api/v1/hosts/${id}`), [id]);
  const alerts = useAsync(() => api.get<Page<Alert>>('/api/v1/alerts', { host: id, limit: 20 }), [id]);
  const series = useAsync(async () => (host.data ? await listSeries(api, '', 200, { host: host.data.name }).catch(() => null) : null), [id, host.data?.name]);
  const flips = useAsync(() => api.get<Page<Flip>>('/api/v1/flips', { host: id, limit: 20 }), [id]);
  const checks = [...model.checks.values()].filter((c) => c.hostId === id)
    .sort((a, b) => stateRank(a.state) - stateRank(b.state) || Number(b.expired) - Number(a.expired) || a.name.localeCompare(b.name));
  const now = model.now();
  const names = new Map(checks.map((c) => [c.id, c.name]));
  return (
    <Loaded value={host}>
      {(h) => (
        <article class="host-page">
          <p class="crumbs"><Link href="/">Overview</Link></p>
          <h1>{h.name}</h1>
          <dl class="facts">
            <dt>Last seen</dt><dd title={dateTime(h.lastSeenAt)}>{ago(h.lastSeenAt, now)}{h.lastAddress ? ` from ${h.lastAddress}` : ''}</dd>
            <dt>Known since</dt><dd>{dateTime(h.createdAt)}</dd>
            <dt>Metrics</dt><dd>{series.data && series.data.length > 0
              ? [...new Set(series.data.map((s) => s.name))].sort().map((n) => (
                <span key={n}><Link href={`/explore?m=${encodeURIComponent(n)}&tag=${encodeURIComponent(`host=${h.name}`)}`}>{n}</Link> </span>
              ))
              : <span class="muted">none</span>}</dd>
          </dl>
          {canIn(user, 'editor', h.projectId, model.projects) ? (
            <div class="actions">
              <ActionButton danger confirm={`Delete host ${h.name} with all its checks and history?`} onAction={async () => {
                await api.del(`/api/v1/hosts/${id}`);
                toast(`Deleted ${h.name}`);
                await model.load(api);
                router.navigate('/');
              }}>Delete host</ActionButton>
            </div>
          ) : null}
          <section>
            <h2>Checks ({checks.length})</h2>
            <table class="list">
              <thead><tr><th>State</th><th>Check</th><th>Info</th><th>Last report</th></tr></thead>
              <tbody>{checks.map((c) => (
                <tr key={c.id} class={`s-${c.state}`}><td><StateBadge state={c.state} expired={c.expired} /></td><td><Link href={`/check/${c.id}`}>{c.name}</Link></td>
                  <td class="info">{c.info}</td><td title={dateTime(c.lastReportAt)}>{ago(c.lastReportAt, now)}</td></tr>
              ))}</tbody>
            </table>
          </section>
          <section>
            <h2>State changes</h2>
            <Loaded value={flips}>{(p) => p.items.length === 0 ? <p class="muted">None yet.</p> : (
              <ul class="feed">{p.items.map((f) => (
                <li key={f.id}><span class="muted" title={dateTime(f.at)}>{ago(f.at, now)}</span> <Link href={`/check/${f.checkId}`}>{names.get(f.checkId) ?? `check ${f.checkId}`}</Link> <StateBadge state={f.oldState} /> → <StateBadge state={f.newState} /> <span class="muted">{f.reason}</span> {f.info}</li>
              ))}</ul>
            )}</Loaded>
          </section>
          <section>
            <h2>Alerts</h2>
            <Loaded value={alerts}>{(p) => p.items.length === 0 ? <p class="muted">None.</p> : (
              <ul class="feed">{p.items.map((a) => <li key={a.id}><span class="muted" title={dateTime(a.at)}>{ago(a.at, now)}</span> <strong>{a.title}</strong> {a.message}</li>)}</ul>
            )}</Loaded>
          </section>
        </article>
      )}
    </Loaded>
  );
}
