// The check page: state, info, period and deadline, a timeline strip of states over a range (runs of
// one state collapsed), flips with reasons, alerts, and the actions the server offers (ack, silence, delete).
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useServices } from '../context.js';
import { ago, dateTime, duration } from '../lib/format.js';
import { canIn, STATE_LABEL, type Alert, type AlertFeedEvent, type Check, type DeliveryAttempt, type Flip, type Page, type StateReport } from '../lib/types.js';
import { listSeries } from '../lib/metrics.js';
import { segmentsOf, type Segment } from '../lib/timeline.js';
import { ActionButton, Link, Loaded, StateBadge, useAsync } from '../ui.js';
import { ChartView } from './Explorer.js';

/** Ranges of the timeline strip. */
export const STRIP_RANGES = { '1h': 3600_000, '6h': 6 * 3600_000, '24h': 86400_000, '7d': 7 * 86400_000 } as const;
type StripRange = keyof typeof STRIP_RANGES;

/** Up to `max` state reports of the range (newest pages first). */
async function loadReports(get: <T>(p: string, q: Record<string, string | number | undefined>) => Promise<T>, id: number, from: number, to: number, max = 5000): Promise<StateReport[]> {
  const out: StateReport[] = [];
  let cursor: string | undefined;
  do {
    const page = await get<Page<StateReport>>(`/api/v1/checks/${id}/history`, { from, to, limit: 1000, cursor });
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined && out.length < max);
  return out;
}

/** The timeline strip. */
function Strip({ segments, from, to }: { segments: Segment[]; from: number; to: number }): JSX.Element {
  const span = Math.max(1, to - from);
  return (
    <div class="strip" role="img" aria-label={`States over time: ${segments.filter((s) => s.state !== null).map((s) => `${s.state} from ${dateTime(s.from)}`).join(', ') || 'no reports'}`}>
      {segments.map((s) => (
        <span key={s.from} class={`seg ${s.state === null ? 'nodata' : `s-${s.state}`}`} style={{ width: `${((s.to - s.from) / span) * 100}%` }}
          title={`${s.state === null ? 'no data' : STATE_LABEL[s.state]}: ${dateTime(s.from)} – ${dateTime(s.to)}${s.count > 1 ? ` (${s.count} reports)` : ''}`}>
          {(s.to - s.from) / span > 0.08 && s.state !== null ? s.state : ''}
        </span>
      ))}
    </div>
  );
}

/** The check page. */
export function CheckPage({ id }: { id: number }): JSX.Element {
  const { api, features, user, router, onLive, model, toast } = useServices();
  const [range, setRange] = useState<StripRange>('24h');
  const [version, setVersion] = useState(0);
  const check = useAsync(() => api.get<Check>(`/api/v1/checks/${id}`), [id, version]);
  const to = model.now();
  const from = to - STRIP_RANGES[range];
  const reports = useAsync(() => loadReports((p, q) => api.get(p, q), id, from, to), [id, range, version]);
  const flips = useAsync(() => api.get<Page<Flip>>(`/api/v1/checks/${id}/flips`, { limit: 50 }), [id, version]);
  const alerts = useAsync(() => api.get<Page<Alert>>('/api/v1/alerts', { check: id, limit: 20 }), [id, version]);
  const notifications = useAsync(async () => {
    if (!features.has('GET', '/events')) return null;
    const events = await api.get<Page<AlertFeedEvent>>('/api/v1/events', { check: id, limit: 10 });
    const canSeeDeliveries = features.has('GET', '/notifications') && user.projectId === null;
    return Promise.all(events.items.map(async (e) => ({
      event: e,
      deliveries: canSeeDeliveries && e.status === 'routed'
        ? (await api.get<Page<DeliveryAttempt>>('/api/v1/notifications', { event: e.id, limit: 20 }).catch(() => ({ items: [] as DeliveryAttempt[] }))).items
        : [],
    })));
  }, [id, version, features.version]);
  useEffect(() => onLive((e) => { if (e.type === 'check' && e.check.id === id) setVersion((v) => v + 1); }), [id, onLive]);

  const canEditIn = (projectId: number): boolean => canIn(user, 'editor', projectId, model.projects);
  return (
    <Loaded value={check}>
      {(c) => (
        <article class="check-page">
          <p class="crumbs"><Link href="/">Overview</Link> › <Link href={`/host/${c.hostId}`}>{c.hostName}</Link></p>
          <h1>{c.name} <StateBadge state={c.state} expired={c.expired} /></h1>
          <p class="info-big">{c.info || <span class="muted">no info</span>}</p>
          <dl class="facts">
            <dt>Last report</dt><dd title={dateTime(c.lastReportAt)}>{ago(c.lastReportAt, to)}</dd>
            <dt>State since</dt><dd title={dateTime(c.lastChangeAt)}>{ago(c.lastChangeAt, to)}</dd>
            <dt>Period</dt><dd>{duration(c.periodS)}{c.patienceS !== null ? ` + ${duration(c.patienceS)} patience` : ''}</dd>
            <dt>Deadline</dt><dd title={dateTime(c.deadlineAt)}>{c.deadlineAt === null ? 'none (no heartbeat)' : `${dateTime(c.deadlineAt)} (${ago(c.deadlineAt, to)})`}{c.expired ? ' — expired' : ''}</dd>
            <dt>Source</dt><dd>{c.source}{c.sourceAddress ? ` from ${c.sourceAddress}` : ''}</dd>
            {c.tags.length > 0 ? <><dt>Tags</dt><dd>{c.tags.join(', ')}</dd></> : null}
          </dl>
          {canEditIn(c.projectId) ? (
            <div class="actions">
              {features.has('POST', '/checks/{id}/ack') ? (
                <ActionButton onAction={async () => { await api.post(`/api/v1/checks/${id}/ack`, {}); toast('Acknowledged'); setVersion((v) => v + 1); }}>Acknowledge</ActionButton>
              ) : null}
              {features.has('POST', '/silences') ? (
                <ActionButton onAction={async () => {
                  const hours = Number(window.prompt('Silence this check for how many hours?', '2'));
                  if (!Number.isFinite(hours) || hours <= 0) return;
                  const now = model.now();
                  await api.post('/api/v1/silences', { host: c.hostName, check: c.name, starts: now, duration_s: Math.round(hours * 3600), comment: `from the dashboard by ${user.name}` });
                  toast(`Silenced for ${hours} h`);
                }}>Silence…</ActionButton>
              ) : null}
              <ActionButton danger confirm={`Delete check ${c.name} with its history?`} onAction={async () => {
                await api.del(`/api/v1/checks/${id}`);
                toast(`Deleted ${c.name}`);
                router.navigate(`/host/${c.hostId}`);
              }}>Delete</ActionButton>
            </div>
          ) : null}

          <section>
            <h2>Timeline</h2>
            <div class="ranges" role="group" aria-label="Range">
              {(Object.keys(STRIP_RANGES) as StripRange[]).map((r) => (
                <button key={r} type="button" class={`btn small${r === range ? ' on' : ''}`} aria-pressed={r === range} onClick={() => setRange(r)}>{r}</button>
              ))}
            </div>
            <Loaded value={reports}>{(rs) => <><Strip segments={segmentsOf(rs, from, to)} from={from} to={to} /><p class="muted small">{rs.length} {rs.length === 1 ? 'report' : 'reports'} · {dateTime(from)} – {dateTime(to)}</p></>}</Loaded>
          </section>

          <PerfCharts check={c} range={range} />

          <section>
            <h2>State changes</h2>
            <Loaded value={flips}>{(p) => p.items.length === 0 ? <p class="muted">None yet.</p> : (
              <table class="list">
                <thead><tr><th>When</th><th>Change</th><th>Reason</th><th>Info</th></tr></thead>
                <tbody>{p.items.map((f) => (
                  <tr key={f.id}><td title={dateTime(f.at)}>{ago(f.at, to)}</td><td><StateBadge state={f.oldState} /> → <StateBadge state={f.newState} /></td><td>{f.reason}</td><td class="info">{f.info}</td></tr>
                ))}</tbody>
              </table>
            )}</Loaded>
          </section>

          <section>
            <h2>Alerts</h2>
            <Loaded value={alerts}>{(p) => p.items.length === 0 ? <p class="muted">None.</p> : (
              <ul class="feed">{p.items.map((a) => <li key={a.id}><span class="muted" title={dateTime(a.at)}>{ago(a.at, to)}</span> <strong>{a.title}</strong> {a.message}</li>)}</ul>
            )}</Loaded>
          </section>

          <Loaded value={notifications}>{(n) => n === null ? null : (
            <section>
              <h2>Notifications</h2>
              {n.length === 0 ? <p class="muted">No alert events for this check yet.</p> : (
                <table class="list">
                  <thead><tr><th>When</th><th>Event</th><th>Outcome</th><th>Deliveries</th></tr></thead>
                  <tbody>{n.map(({ event: e, deliveries }) => (
                    <tr key={e.id}><td title={dateTime(e.at)}>{ago(e.at, to)}</td><td>{e.event.title}</td>
                      <td>{e.status}{e.note ? <span class="muted"> — {e.note}</span> : null}</td>
                      <td>{deliveries.length === 0 ? <span class="muted">—</span> : deliveries.map((d) => (
                        <div key={d.id} class={d.status === 'ok' ? '' : 'error'}>{d.channel}: {d.status}{d.attempt > 1 ? ` (attempt ${d.attempt})` : ''}{d.error ? ` — ${d.error}` : ''}</div>
                      ))}</td></tr>
                  ))}</tbody>
                </table>
              )}
            </section>
          )}</Loaded>
        </article>
      )}
    </Loaded>
  );
}

/** Charts of the check's perfdata series (`<check>.<label>` tagged with its host), when there are any. */
function PerfCharts({ check, range }: { check: Check; range: StripRange }): JSX.Element | null {
  const { api } = useServices();
  const series = useAsync(() => listSeries(api, `${check.name}.`, 20, { host: check.hostName }).catch(() => null), [check.id]);
  const list = series.data ?? null;
  if (list === null || list.length === 0) return null;
  const spec = { title: 'perfdata', queries: list.slice(0, 10).map((s) => ({ metric: s.name, tags: { host: check.hostName }, agg: 'avg' })) };
  return (
    <section>
      <h2>Metrics</h2>
      <ChartView spec={spec} range={{ name: range, from: 0, to: 0 }} />
      <p class="small"><Link href={`/explore?m=${encodeURIComponent(list[0]!.name)}&tag=${encodeURIComponent(`host=${check.hostName}`)}`}>Open in the metrics explorer</Link></p>
    </section>
  );
}
