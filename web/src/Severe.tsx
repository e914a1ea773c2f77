// The Severe banner: checks in ERR and OddEye Special ERROR messages, at the top of every page.
// An entry whose status changed stays (marked cleared) for 2 minutes, then disappears.
import type { JSX } from 'preact';
import { useEffect } from 'preact/hooks';
import { useServices } from './context.js';
import { ago } from './lib/format.js';
import { Link, useModelVersion } from './ui.js';

const SHOWN = 5;

/** The banner (renders nothing when there is nothing severe). */
export function SevereBanner(): JSX.Element | null {
  const { model } = useServices();
  useModelVersion();
  useEffect(() => {
    const t = setInterval(() => model.expireSevere(), 1000);
    return () => clearInterval(t);
  }, [model]);
  const items = [...model.severe.values()].sort((a, b) => (a.clearedAt === null ? 0 : 1) - (b.clearedAt === null ? 0 : 1) || (b.since ?? 0) - (a.since ?? 0));
  if (items.length === 0) return null;
  const now = model.now();
  const active = items.filter((i) => i.clearedAt === null).length;
  return (
    <section class="severe" role="alert" aria-label="Severe">
      <strong class="severe-title">Severe: {active} in error{items.length > active ? `, ${items.length - active} recently cleared` : ''}</strong>
      <ul>
        {items.slice(0, SHOWN).map((i) => (
          <li key={i.key} class={i.clearedAt === null ? 'active' : 'cleared'}>
            {i.checkId !== null ? <Link href={`/check/${i.checkId}`}>{i.title}</Link> : <span>{i.title}</span>}
            <span class="detail">{i.detail}</span>
            <span class="muted">{i.clearedAt === null ? (i.since !== null ? `since ${ago(i.since, now)}` : '') : `cleared ${ago(i.clearedAt, now)}`}</span>
          </li>
        ))}
        {items.length > SHOWN ? <li class="muted"><Link href="/?state=ERR">and {items.length - SHOWN} more…</Link></li> : null}
      </ul>
    </section>
  );
}
