// The overview: counts per state, filters (text, state, expired, tag, project), and every host with
// its checks worst first in a virtualised list (only the visible rows are in the DOM).
import type { JSX } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useServices } from '../context.js';
import { ago } from '../lib/format.js';
import { STATES, type OverviewFilter, type Row } from '../lib/model.js';
import { STATE_LABEL, type CheckState } from '../lib/types.js';
import { Link, StateBadge, useModelVersion } from '../ui.js';

const ROW_HEIGHT = 34;
const OVERSCAN = 10;

/** The overview page. */
export function OverviewPage(): JSX.Element {
  const { model, router } = useServices();
  const version = useModelVersion();
  const q = router.location.query;
  const [text, setText] = useState(q.get('q') ?? '');
  const [states, setStates] = useState<Set<CheckState>>(new Set((q.get('state') ?? '').split(',').filter((s): s is CheckState => (STATES as string[]).includes(s))));
  const [expiredOnly, setExpiredOnly] = useState(q.get('expired') === '1');
  const [tag, setTag] = useState(q.get('tag') ?? '');
  const [projectId, setProjectId] = useState<number | null>(q.get('project') ? Number(q.get('project')) : null);
  const [selected, setSelected] = useState(0);

  useEffect(() => {
    router.setQuery({ q: text, state: [...states].join(','), expired: expiredOnly ? '1' : '', tag, project: projectId === null ? '' : String(projectId) });
  }, [text, states, expiredOnly, tag, projectId, router]);

  const filter: OverviewFilter = { text, states, expiredOnly, projectId, tag };
  const rows = useMemo(() => model.rows(filter), [version, text, states, expiredOnly, tag, projectId]);
  const counts = useMemo(() => model.counts(projectId), [version, projectId]);
  const tags = useMemo(() => model.tags(), [version]);

  const toggle = (s: CheckState): void => {
    const next = new Set(states);
    if (next.has(s)) next.delete(s); else next.add(s);
    setStates(next);
  };

  // Marks the first paint of a loaded overview (the UI benchmark reads this mark).
  useEffect(() => {
    if (!model.loaded || performance.getEntriesByName('oversee:overview-ready').length > 0) return;
    requestAnimationFrame(() => performance.mark('oversee:overview-ready'));
  }, [model.loaded]);

  if (!model.loaded) return <p class="muted">Loading…</p>;
  return (
    <section class="overview">
      <h1 class="visually-hidden">Overview</h1>
      <div class="counts" role="group" aria-label="Checks per state (click to filter)">
        {STATES.map((s) => (
          <button type="button" key={s} class={`count s-${s}${states.has(s) ? ' on' : ''}`} aria-pressed={states.has(s)} onClick={() => toggle(s)}>
            <span class="n">{counts.byState[s]}</span> <span class="dot" aria-hidden="true" />{STATE_LABEL[s]}
          </button>
        ))}
        <button type="button" class={`count expired${expiredOnly ? ' on' : ''}`} aria-pressed={expiredOnly} onClick={() => setExpiredOnly(!expiredOnly)}>
          <span class="n">{counts.expired}</span> Expired
        </button>
        <span class="total muted">{counts.total} checks</span>
      </div>
      <div class="filters">
        <input id="search" type="search" placeholder="Search hosts, checks, info (press /)" value={text} aria-label="Search"
          onInput={(e) => { setText(e.currentTarget.value); setSelected(0); }} />
        {tags.length > 0 ? (
          <select aria-label="Tag" value={tag} onChange={(e) => setTag(e.currentTarget.value)}>
            <option value="">all tags</option>
            {tags.map((t) => <option key={t} value={t}>{t}</option>)}
          </select>
        ) : null}
        {model.projects.length > 1 ? (
          <select aria-label="Project" value={projectId === null ? '' : String(projectId)} onChange={(e) => setProjectId(e.currentTarget.value === '' ? null : Number(e.currentTarget.value))}>
            <option value="">all projects</option>
            {model.projects.map((p) => <option key={p.id} value={String(p.id)}>{p.name}</option>)}
          </select>
        ) : null}
      </div>
      {rows.length === 0
        ? <p class="muted empty">{model.checks.size === 0 ? 'No checks yet. Push a report (see the README) and it appears here at once.' : 'Nothing matches these filters.'}</p>
        : <VirtualRows rows={rows} selected={selected} onSelect={setSelected} now={model.now()} />}
    </section>
  );
}

/** The virtualised list: a tall spacer with only the visible rows positioned inside it. */
function VirtualRows({ rows, selected, onSelect, now }: { rows: Row[]; selected: number; onSelect: (i: number) => void; now: number }): JSX.Element {
  const { router } = useServices();
  const box = useRef<HTMLDivElement>(null);
  const [scroll, setScroll] = useState(0);
  const [height, setHeight] = useState(600);

  useEffect(() => {
    const el = box.current;
    if (el === null) return;
    const measure = (): void => setHeight(el.clientHeight || window.innerHeight);
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // Keyboard: j/k or arrows move, Enter opens, Home/End jump. The handler reads the latest rows and
  // selection through refs (effects run after paint, so a closure could be one key press behind).
  const latest = useRef({ rows, selected, onSelect });
  latest.current = { rows, selected, onSelect };
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const t = e.target as HTMLElement | null;
      if (t !== null && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA')) return;
      const { rows: rs, selected: sel, onSelect: select } = latest.current;
      let next: number;
      if (e.key === 'j' || e.key === 'ArrowDown') next = Math.min(rs.length - 1, sel + 1);
      else if (e.key === 'k' || e.key === 'ArrowUp') next = Math.max(0, sel - 1);
      else if (e.key === 'Home') next = 0;
      else if (e.key === 'End') next = rs.length - 1;
      else if (e.key === 'Enter') {
        const r = rs[sel];
        if (r !== undefined) router.navigate(r.kind === 'host' ? `/host/${r.hostId}` : `/check/${r.check.id}`);
        return;
      } else return;
      e.preventDefault();
      latest.current.selected = next;
      select(next);
      const el = box.current;
      if (el !== null) {
        const top = next * ROW_HEIGHT;
        if (top < el.scrollTop) el.scrollTop = top;
        else if (top + ROW_HEIGHT > el.scrollTop + el.clientHeight) el.scrollTop = top + ROW_HEIGHT - el.clientHeight;
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [router]);

  const first = Math.max(0, Math.floor(scroll / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scroll + height) / ROW_HEIGHT) + OVERSCAN);
  const visible: JSX.Element[] = [];
  for (let i = first; i < last; i++) {
    const r = rows[i]!;
    const style = { transform: `translateY(${i * ROW_HEIGHT}px)` };
    const cls = `row${i === selected ? ' selected' : ''}`;
    if (r.kind === 'host') {
      visible.push(
        <div key={`h${r.hostId}`} class={`${cls} host-row s-${r.worst}`} style={style} role="listitem" aria-posinset={i + 1} aria-setsize={rows.length} aria-current={i === selected ? 'true' : undefined}>
          <Link href={`/host/${r.hostId}`} class="host-name" tabIndex={-1}>{r.hostName}</Link>
          <span class="muted">{r.count} checks{r.bad > 0 ? `, ${r.bad} not OK` : ''}</span>
        </div>,
      );
    } else {
      const c = r.check;
      visible.push(
        <div key={`c${c.id}`} class={`${cls} check-row s-${c.state}${c.expired ? ' is-expired' : ''}`} style={style} role="listitem" aria-posinset={i + 1} aria-setsize={rows.length} aria-current={i === selected ? 'true' : undefined} data-check={c.name}>
          <StateBadge state={c.state} expired={c.expired} />
          <Link href={`/check/${c.id}`} class="check-name" tabIndex={-1}>{c.name}</Link>
          <span class="info" title={c.info}>{c.info}</span>
          <span class="when muted" title="last report">{ago(c.lastReportAt, now)}</span>
        </div>,
      );
    }
  }
  return (
    <div ref={box} class="vlist" role="list" aria-label="Hosts and checks, worst first (j/k to move, Enter to open)"
      tabIndex={0} onScroll={(e) => setScroll(e.currentTarget.scrollTop)}>
      <div class="vlist-inner" style={{ height: `${rows.length * ROW_HEIGHT}px` }}>{visible}</div>
    </div>
  );
}
