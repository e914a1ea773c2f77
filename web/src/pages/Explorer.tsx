// The metrics explorer: the dotted-name tree with a word filter, tag filters, aggregation, ranges
// (1h … 30d, custom), charts with several series each, and dashboards saved on the server.
import type { JSX } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Chart, seriesLabel } from '../Chart.js';
import { useServices } from '../context.js';
import { dateTime } from '../lib/format.js';
import { listSeries, mergeResults, queryRange, RANGES, stepFor, syntheticResult, treeChildren, type RangeName, type SeriesInfo, type TreeNode } from '../lib/metrics.js';
import { canAnywhere, canIn, type ChartSpec, type Dashboard, type QueryResult, type SeriesQuery } from '../lib/types.js';
import { ActionButton, Link, useAsync } from '../ui.js';

const AGGS = ['avg', 'min', 'max', 'sum', 'count', 'last', 'rate', 'p50', 'p90', 'p99'];

/** A time range: named (ending now) or custom. */
export interface Range { name: RangeName | 'custom'; from: number; to: number }

function resolveRange(r: Range, now: number): { from: number; to: number } {
  return r.name === 'custom' ? { from: r.from, to: r.to } : { from: now - RANGES[r.name], to: now };
}

/** Parses `k=v` tag strings from the URL. */
function tagsFromQuery(q: URLSearchParams): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const t of q.getAll('tag')) {
    const i = t.indexOf('=');
    if (i > 0) tags[t.slice(0, i)] = t.slice(i + 1);
  }
  return tags;
}

/** The explorer page (also /dashboards/:id). */
export function ExplorerPage(): JSX.Element {
  const { api, router, user, toast, model } = useServices();
  const q = router.location.query;
  const demo = /^(\d+)x(\d+)$/.exec(q.get('demo') ?? '');
  const dashMatch = /^\/dashboards\/(\d+)$/.exec(router.location.path);
  const [available, setAvailable] = useState<boolean | null>(demo ? true : null);
  const [filter, setFilter] = useState('');
  const [metric, setMetric] = useState(q.get('m') ?? '');
  const [tags, setTags] = useState<Record<string, string>>(tagsFromQuery(q));
  const [agg, setAgg] = useState('avg');
  const [range, setRange] = useState<Range>({ name: (q.get('range') as RangeName | null) ?? '6h', from: 0, to: 0 });
  const [charts, setCharts] = useState<ChartSpec[]>([]);
  const [dashboard, setDashboard] = useState<Dashboard | null>(null);
  const [dashName, setDashName] = useState('My dashboard');
  /** What the server has of the open dashboard (name, charts, range), to tell unsaved changes. */
  const [savedState, setSavedState] = useState<string | null>(null);
  const dashboards = useAsync(() => api.get<{ items: Dashboard[] }>('/api/v1/dashboards'), []);

  useEffect(() => {
    if (demo) return;
    void treeChildren(api, '').then((r) => setAvailable(r !== null), () => setAvailable(false));
  }, []);
  useEffect(() => {
    if (dashMatch === null) { setDashboard(null); setSavedState(null); return; }
    void api.get<Dashboard>(`/api/v1/dashboards/${dashMatch[1]}`).then((d) => {
      setDashboard(d);
      setDashName(d.name);
      setCharts(d.spec.charts ?? []);
      const r: Range = d.spec.range && d.spec.range in RANGES ? { name: d.spec.range as RangeName, from: 0, to: 0 } : range;
      setRange(r);
      setSavedState(stateKey(d.name, d.spec.charts ?? [], r));
    }, (err: Error) => toast(err.message, 'error'));
  }, [dashMatch?.[1]]);

  const pick = (name: string): void => {
    setMetric(name);
    router.setQuery({ m: name, range: range.name === 'custom' ? '' : range.name });
  };
  const current: SeriesQuery | null = metric ? { metric, tags, agg } : null;
  const addToChart = (index: number | null): void => {
    if (current === null) return;
    setCharts((cs) => index === null || cs[index] === undefined
      ? [...cs, { title: metric, queries: [current] }]
      : cs.map((c, i) => (i === index ? { ...c, title: c.queries.length === 0 ? metric : c.title, queries: [...c.queries, current] } : c)));
  };
  const save = async (): Promise<void> => {
    const name = dashName.trim();
    if (!name) throw new Error('the dashboard needs a name');
    const body = { name, spec: { charts, range: range.name === 'custom' ? undefined : range.name } };
    const d = dashboard ? await api.put<Dashboard>(`/api/v1/dashboards/${dashboard.id}`, body) : await api.post<Dashboard>('/api/v1/dashboards', body);
    toast(`Saved ${d.name}`);
    setDashboard(d);
    setSavedState(stateKey(d.name, charts, range));
    dashboards.reload();
    if (!dashboard) router.navigate(`/dashboards/${d.id}`);
  };
  const canWrite = dashboard ? canIn(user, 'editor', dashboard.projectId, model.projects) : canAnywhere(user, 'editor');
  const dirty = dashboard !== null && savedState !== null && savedState !== stateKey(dashName, charts, range);
  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent): void => { e.preventDefault(); };
    window.addEventListener('beforeunload', warn);
    router.leaveGuard = () => window.confirm('The dashboard has unsaved changes. Leave without saving?');
    return () => { window.removeEventListener('beforeunload', warn); router.leaveGuard = null; };
  }, [dirty]);
  const updateChart = (i: number, f: (c: ChartSpec) => ChartSpec): void => setCharts((cs) => cs.map((c, j) => (j === i ? f(c) : c)));
  const moveChart = (i: number, to: number): void => setCharts((cs) => {
    if (to < 0 || to >= cs.length) return cs;
    const next = [...cs];
    const [c] = next.splice(i, 1);
    next.splice(to, 0, c!);
    return next;
  });

  if (demo) {
    return <section class="explorer"><h1>Chart demo</h1><DemoChart points={Number(demo[1])} series={Number(demo[2])} /></section>;
  }
  return (
    <section class="explorer">
      <h1>{dashboard ? `Dashboard: ${dashboard.name}` : 'Metrics'}</h1>
      <div class="dash-bar">
        <label>Dashboard <select aria-label="Dashboard" value={dashboard ? String(dashboard.id) : ''} onChange={(e) => router.navigate(e.currentTarget.value ? `/dashboards/${e.currentTarget.value}` : '/explore')}>
          <option value="">(none)</option>
          {(dashboards.data?.items ?? []).map((d) => <option key={d.id} value={String(d.id)}>{d.name}</option>)}
        </select></label>
        {canWrite && (dashboard !== null || charts.length > 0) ? (
          <label>{dashboard ? 'Name' : 'Save as'} <input aria-label="Dashboard name" name="dashboard-name" value={dashName} maxLength={200} onInput={(e) => setDashName(e.currentTarget.value)} /></label>
        ) : null}
        {canWrite && (dashboard !== null || charts.length > 0) ? <ActionButton onAction={save}>{dashboard ? 'Save dashboard' : 'Save as dashboard'}</ActionButton> : null}
        {dirty ? <span class="dirty" role="status">● Unsaved changes</span> : null}
        {canWrite && dashboard ? (
          <ActionButton danger confirm={`Delete dashboard ${dashboard.name}?`} onAction={async () => { await api.del(`/api/v1/dashboards/${dashboard.id}`); setSavedState(null); router.leaveGuard = null; dashboards.reload(); router.navigate('/explore'); }}>Delete dashboard</ActionButton>
        ) : null}
      </div>
      <RangePicker range={range} onChange={setRange} />
      <div class="explorer-grid">
        <aside class="tree-pane" aria-label="Metric names">
          <input type="search" id="search" placeholder="Filter metric names (words)" aria-label="Filter metric names" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
          {available === false ? <p class="muted">This server has no metric query API yet (GET /api/v1/metrics/tree).</p>
            : filter.trim() ? <FilteredNames words={filter} onPick={pick} selected={metric} />
              : <TreeLevel prefix="" onPick={pick} selected={metric} />}
        </aside>
        <div class="chart-pane">
          {metric ? (
            <div class="query-bar">
              <strong class="metric-name">{metric}</strong>
              <TagFilters metric={metric} tags={tags} onChange={setTags} />
              <select aria-label="Aggregation" value={agg} onChange={(e) => setAgg(e.currentTarget.value)}>{AGGS.map((a) => <option key={a}>{a}</option>)}</select>
              <button type="button" class="btn" onClick={() => addToChart(null)}>New chart</button>
              {charts.map((c, i) => <button key={i} type="button" class="btn small" onClick={() => addToChart(i)}>Add to “{c.title}”</button>)}
            </div>
          ) : <p class="muted">Pick a metric on the left.</p>}
          {metric && charts.length === 0 ? <ChartView spec={{ title: metric, queries: [{ metric, tags, agg }] }} range={range} /> : null}
          {charts.map((c, i) => (
            <div key={i} class="chart-card" data-chart={i}>
              <div class="chart-head">
                {canWrite ? <input class="chart-title" aria-label={`Title of chart ${i + 1}`} value={c.title} onInput={(e) => { const t = e.currentTarget.value; updateChart(i, (x) => ({ ...x, title: t })); }} />
                  : <strong>{c.title}</strong>}
                <span class="chart-edit">
                  {canWrite ? <>
                    <button type="button" class="btn small ghost" aria-label={`Move chart ${c.title} up`} disabled={i === 0} onClick={() => moveChart(i, i - 1)}>↑</button>
                    <button type="button" class="btn small ghost" aria-label={`Move chart ${c.title} down`} disabled={i === charts.length - 1} onClick={() => moveChart(i, i + 1)}>↓</button>
                  </> : null}
                  <button type="button" class="btn small ghost" aria-label={`Remove chart ${c.title}`} onClick={() => setCharts(charts.filter((_, j) => j !== i))}>✕</button>
                </span>
              </div>
              <ChartView spec={c} range={range}
                onRemoveQuery={(qi) => updateChart(i, (x) => ({ ...x, queries: x.queries.filter((_, k) => k !== qi) }))}
                onSetAgg={(qi, a) => updateChart(i, (x) => ({ ...x, queries: x.queries.map((y, k) => (k === qi ? { ...y, agg: a } : y)) }))} />
            </div>
          ))}
        </div>
      </div>
    </section>
  );
}

function RangePicker({ range, onChange }: { range: Range; onChange: (r: Range) => void }): JSX.Element {
  const toLocal = (t: number): string => new Date(t - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  return (
    <div class="ranges" role="group" aria-label="Time range">
      {(Object.keys(RANGES) as RangeName[]).map((r) => (
        <button key={r} type="button" class={`btn small${range.name === r ? ' on' : ''}`} aria-pressed={range.name === r} onClick={() => onChange({ name: r, from: 0, to: 0 })}>{r}</button>
      ))}
      <button type="button" class={`btn small${range.name === 'custom' ? ' on' : ''}`} aria-pressed={range.name === 'custom'}
        onClick={() => onChange({ name: 'custom', from: Date.now() - 86400_000, to: Date.now() })}>custom</button>
      {range.name === 'custom' ? (
        <>
          <input type="datetime-local" aria-label="From" value={toLocal(range.from)} onChange={(e) => onChange({ ...range, from: new Date(e.currentTarget.value).getTime() })} />
          <input type="datetime-local" aria-label="To" value={toLocal(range.to)} onChange={(e) => onChange({ ...range, to: new Date(e.currentTarget.value).getTime() })} />
        </>
      ) : null}
    </div>
  );
}

/** One level of the lazy name tree. */
function TreeLevel({ prefix, onPick, selected }: { prefix: string; onPick: (n: string) => void; selected: string }): JSX.Element {
  const { api } = useServices();
  const nodes = useAsync(() => treeChildren(api, prefix), [prefix]);
  const [open, setOpen] = useState<Set<string>>(new Set());
  if (nodes.error) return <p class="error">{nodes.error.message}</p>;
  if (nodes.data === undefined) return <p class="muted small">…</p>;
  if (nodes.data === null || nodes.data.length === 0) return prefix === '' ? <p class="muted">No metrics yet.</p> : <></>;
  const toggle = (n: TreeNode): void => {
    const next = new Set(open);
    if (next.has(n.path)) next.delete(n.path); else next.add(n.path);
    setOpen(next);
  };
  return (
    <ul class="tree" role={prefix === '' ? 'tree' : 'group'}>
      {nodes.data.map((n) => (
        <li key={n.path} role="treeitem" aria-expanded={n.hasChildren ? open.has(n.path) : undefined}>
          {n.hasChildren ? <button type="button" class="twisty" aria-label={`${open.has(n.path) ? 'Collapse' : 'Expand'} ${n.path}`} onClick={() => toggle(n)}>{open.has(n.path) ? '▾' : '▸'}</button> : <span class="twisty" />}
          {n.leaf ? <button type="button" class={`leaf${selected === n.path ? ' on' : ''}`} onClick={() => onPick(n.path)}>{n.label}</button>
            : <button type="button" class="branch" onClick={() => toggle(n)}>{n.label}</button>}
          {n.hasChildren && open.has(n.path) ? <TreeLevel prefix={n.path} onPick={onPick} selected={selected} /> : null}
        </li>
      ))}
    </ul>
  );
}

/** Names containing every word of the filter (Dreamcatcher-style search). */
function FilteredNames({ words, onPick, selected }: { words: string; onPick: (n: string) => void; selected: string }): JSX.Element {
  const { api } = useServices();
  const all = useAsync(() => listSeries(api, ''), []);
  const names = useMemo(() => {
    const ws = words.toLowerCase().split(/[\s.]+/).filter(Boolean);
    return [...new Set((all.data ?? []).map((s) => s.name))].filter((n) => ws.every((w) => n.toLowerCase().includes(w))).sort().slice(0, 500);
  }, [all.data, words]);
  if (all.data === undefined) return <p class="muted small">…</p>;
  return (
    <ul class="tree flat">
      {names.map((n) => <li key={n}><button type="button" class={`leaf${selected === n ? ' on' : ''}`} onClick={() => onPick(n)}>{n}</button></li>)}
      {names.length === 0 ? <li class="muted">No name matches.</li> : null}
    </ul>
  );
}

/** One select per tag key of the metric's series (value or any). */
function TagFilters({ metric, tags, onChange }: { metric: string; tags: Record<string, string>; onChange: (t: Record<string, string>) => void }): JSX.Element {
  const { api } = useServices();
  const series = useAsync(() => listSeries(api, metric, 2000), [metric]);
  const keys = useMemo(() => {
    const m = new Map<string, Set<string>>();
    for (const s of (series.data ?? []).filter((x: SeriesInfo) => x.name === metric)) {
      for (const [k, v] of Object.entries(s.tags)) { let set = m.get(k); if (!set) m.set(k, (set = new Set())); set.add(v); }
    }
    return [...m.entries()].sort(([a], [b]) => a.localeCompare(b));
  }, [series.data, metric]);
  return (
    <span class="tag-filters">
      {keys.map(([k, values]) => (
        <label key={k}>{k} <select value={tags[k] ?? ''} onChange={(e) => {
          const next = { ...tags };
          if (e.currentTarget.value === '') delete next[k]; else next[k] = e.currentTarget.value;
          onChange(next);
        }}><option value="">any</option>{[...values].sort().map((v) => <option key={v}>{v}</option>)}</select></label>
      ))}
    </span>
  );
}

/** Runs a chart's queries for the range and draws them; refetches when matching samples arrive live. */
export function ChartView({ spec, range, onRemoveQuery, onSetAgg }: { spec: ChartSpec; range: Range; onRemoveQuery?: (i: number) => void; onSetAgg?: (i: number, agg: string) => void }): JSX.Element {
  const { api, onLive, model } = useServices();
  const [tick, setTick] = useState(0);
  const names = useRef(new Set<string>());
  names.current = new Set(spec.queries.map((x) => x.metric));
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const off = onLive((e) => {
      if (e.type !== 'samples' || range.name === 'custom' || timer !== null) return;
      if (e.samples.some((s) => names.current.has(s.name))) timer = setTimeout(() => { timer = null; setTick((t) => t + 1); }, 300);
    });
    return () => { off(); if (timer !== null) clearTimeout(timer); };
  }, [onLive, range.name]);
  const result = useAsync(async () => {
    const { from, to } = resolveRange(range, model.now());
    const step = stepFor(to - from);
    return mergeResults(await Promise.all(spec.queries.map((x) => queryRange(api, { name: x.metric, tags: x.tags, agg: x.agg ?? 'avg', from, to, step }))));
  }, [JSON.stringify(spec.queries), range.name, range.from, range.to, tick]);
  const { from, to } = resolveRange(range, model.now());
  return (
    <div class="chart-view">
      {onRemoveQuery ? (
        <ul class="query-list">{spec.queries.map((x, i) => (
          <li key={i}><code>{x.agg ?? 'avg'}({seriesLabel({ name: x.metric, tags: x.tags })})</code>
            {onSetAgg ? <select class="small" aria-label={`Aggregation of ${seriesLabel({ name: x.metric, tags: x.tags })}`} value={x.agg ?? 'avg'} onChange={(e) => onSetAgg(i, e.currentTarget.value)}>{AGGS.map((a) => <option key={a}>{a}</option>)}</select> : null}
            <button type="button" class="btn small ghost" aria-label="Remove series" onClick={() => onRemoveQuery(i)}>✕</button></li>
        ))}</ul>
      ) : null}
      {result.error ? <p class="error" role="alert">{result.error.message}</p>
        : result.data === undefined ? <p class="muted">Loading…</p>
          : result.data.series.length === 0 ? <p class="muted">No data for {dateTime(from)} – {dateTime(to)}.</p>
            : <Chart result={result.data} />}
    </div>
  );
}

/** Synthetic chart for the benchmark: reports its draw time in data-draw-ms. */
function DemoChart({ points, series }: { points: number; series: number }): JSX.Element {
  const data: QueryResult = useMemo(() => syntheticResult(points, series), [points, series]);
  const [ms, setMs] = useState<number | null>(null);
  return (
    <div id="demo-chart" data-draw-ms={ms === null ? undefined : ms.toFixed(2)}>
      <Chart result={data} onDrawn={setMs} />
      <p class="muted small">{points} points × {series} series drawn in {ms === null ? '…' : `${ms.toFixed(1)} ms`}. <Link href="/explore">Back</Link></p>
    </div>
  );
}

/** Compares what a dashboard holds (unsaved-changes indicator). */
function stateKey(name: string, charts: ChartSpec[], range: Range): string {
  return JSON.stringify([name.trim(), charts, range.name === 'custom' ? null : range.name]);
}
