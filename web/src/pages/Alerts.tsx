// The event feed: alerts and state changes, newest first, with filters (kind, project, host, time)
// and cursor paging; new events arrive live at the top.
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useServices } from '../context.js';
import { ago, dateTime } from '../lib/format.js';
import { canAnywhere, type Alert, type AlertFeedEvent, type Flip, type Page } from '../lib/types.js';
import { ActionButton, Link, StateBadge } from '../ui.js';

type Kind = 'alerts' | 'flips' | 'feed';

const FEED_STATUSES = ['routed', 'silenced', 'dropped', 'flapping', 'unrouted', 'held'];

/** The alerts page. */
export function AlertsPage(): JSX.Element {
  const { api, model, router, onLive, features, user, toast } = useServices();
  const canAck = canAnywhere(user, 'editor') && features.has('POST', '/checks/{id}/ack');
  const canSilence = canAnywhere(user, 'editor') && features.has('POST', '/silences');
  const q = router.location.query;
  const [kind, setKind] = useState<Kind>(q.get('kind') === 'flips' ? 'flips' : q.get('kind') === 'feed' ? 'feed' : 'alerts');
  const [status, setStatus] = useState(q.get('status') ?? '');
  const [host, setHost] = useState(q.get('host') ?? '');
  const [project, setProject] = useState(q.get('project') ?? '');
  const [since, setSince] = useState(q.get('since') ?? '');
  const [items, setItems] = useState<(Alert | Flip | AlertFeedEvent)[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState('');
  const [loading, setLoading] = useState(false);

  const query = (c: string | null): Record<string, string | number | undefined> => ({
    limit: 50, cursor: c ?? undefined, project: project || undefined, from: since ? model.now() - Number(since) : undefined,
    ...(kind === 'feed' ? { status: status || undefined } : { host: host || undefined }),
  });
  const load = async (more: boolean): Promise<void> => {
    setLoading(true);
    setError('');
    try {
      const page = await api.get<Page<Alert | Flip | AlertFeedEvent>>(`/api/v1/${kind === 'feed' ? 'events' : kind}`, query(more ? cursor : null));
      setItems(more ? [...items, ...page.items] : page.items);
      setCursor(page.nextCursor);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      if (!more) setItems([]);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    router.setQuery({ kind: kind === 'alerts' ? '' : kind, host, project, since, status });
    const t = setTimeout(() => void load(false), host ? 250 : 0);
    return () => clearTimeout(t);
  }, [kind, host, project, since, status]);
  useEffect(() => onLive((e) => {
    if (kind === 'alerts' && e.type === 'alert') setItems((xs) => [e.alert, ...xs]);
    if (kind === 'flips' && e.type === 'flip') setItems((xs) => [e.flip, ...xs]);
  }), [kind, onLive]);

  const now = model.now();
  const checkName = (id: number | null): string => (id === null ? '' : (() => { const c = model.checks.get(id); return c ? `${c.hostName} / ${c.name}` : `check ${id}`; })());
  return (
    <section class="alerts-page">
      <h1>Events</h1>
      <div class="filters">
        <div role="group" aria-label="Kind">
          <button type="button" class={`btn small${kind === 'alerts' ? ' on' : ''}`} aria-pressed={kind === 'alerts'} onClick={() => setKind('alerts')}>Alerts</button>
          <button type="button" class={`btn small${kind === 'flips' ? ' on' : ''}`} aria-pressed={kind === 'flips'} onClick={() => setKind('flips')}>State changes</button>
          {features.has('GET', '/events') ? (
            <button type="button" class={`btn small${kind === 'feed' ? ' on' : ''}`} aria-pressed={kind === 'feed'} onClick={() => setKind('feed')}>Notifications feed</button>
          ) : null}
        </div>
        {kind === 'feed' ? (
          <select aria-label="Outcome" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            <option value="">any outcome</option>{FEED_STATUSES.map((x) => <option key={x}>{x}</option>)}
          </select>
        ) : <input type="search" id="search" placeholder="Host name or id" aria-label="Host" value={host} onInput={(e) => setHost(e.currentTarget.value.trim())} />}
        {model.projects.length > 1 ? (
          <select aria-label="Project" value={project} onChange={(e) => setProject(e.currentTarget.value)}>
            <option value="">all projects</option>
            {model.projects.map((p) => <option key={p.id} value={String(p.id)}>{p.name}</option>)}
          </select>
        ) : null}
        <select aria-label="Since" value={since} onChange={(e) => setSince(e.currentTarget.value)}>
          <option value="">any time</option><option value="3600000">last hour</option><option value="86400000">last 24 h</option><option value="604800000">last 7 days</option>
        </select>
      </div>
      {error ? <p class="error" role="alert">{error}</p> : null}
      {items.length === 0 && !loading && !error ? <p class="muted">Nothing here.</p> : null}
      <ul class="feed">
        {items.map((x) => 'event' in x ? (
          <li key={`e${x.id}`}><span class="muted" title={dateTime(x.at)}>{ago(x.at, now)}</span> <strong>{x.event.title}</strong> {x.event.message}
            {x.checkId !== null ? <> · <Link href={`/check/${x.checkId}`}>{checkName(x.checkId)}</Link></> : null}
            <span class={x.status === 'routed' ? '' : 'muted'}> · {x.status}{x.note ? ` (${x.note})` : ''}</span></li>
        ) : 'title' in x ? (
          <li key={`a${x.id}`}><span class="muted" title={dateTime(x.at)}>{ago(x.at, now)}</span> <strong>{x.title}</strong> {x.message}
            {x.checkId !== null ? <> · <Link href={`/check/${x.checkId}`}>{checkName(x.checkId)}</Link></> : x.hostId !== null ? <> · <Link href={`/host/${x.hostId}`}>host {x.hostId}</Link></> : null}
            <span class="muted"> · {x.source}</span></li>
        ) : (
          <li key={`f${x.id}`}><span class="muted" title={dateTime(x.at)}>{ago(x.at, now)}</span> <Link href={`/check/${x.checkId}`}>{checkName(x.checkId)}</Link> <StateBadge state={x.oldState} /> → <StateBadge state={x.newState} /> <span class="muted">{x.reason}</span> {x.info}
            {canAck && x.newState !== 'OK' && model.checks.get(x.checkId)?.state === x.newState ? (
              <> <ActionButton onAction={async () => { await api.post(`/api/v1/checks/${x.checkId}/ack`, {}); toast('Acknowledged'); }}>Ack</ActionButton></>
            ) : null}
            {canSilence && model.checks.get(x.checkId) !== undefined ? (
              <> <ActionButton onAction={async () => {
                const c = model.checks.get(x.checkId)!;
                await api.post('/api/v1/silences', { host: c.hostName, check: c.name, starts: model.now(), duration_s: 7200, comment: `from the event feed by ${user.name}` });
                toast(`Silenced ${c.hostName} / ${c.name} for 2 h`);
              }}>Silence 2 h</ActionButton></>
            ) : null}</li>
        ))}
      </ul>
      {cursor !== null ? <button type="button" class="btn" disabled={loading} onClick={() => void load(true)}>{loading ? 'Loading…' : 'Load more'}</button> : null}
    </section>
  );
}
