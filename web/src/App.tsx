// The app shell: header with navigation, live-connection status and theme switch, the Severe
// banner, the current page, and toasts. Global keys: "/" search, "g" then o/a/m/s/d to navigate, "?" help.
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Services, type AppServices } from './context.js';
import type { LiveStatus } from './lib/live.js';
import { canAnywhere } from './lib/types.js';
import { SevereBanner } from './Severe.js';
import { Link } from './ui.js';
import { OverviewPage } from './pages/Overview.js';
import { lazyPage, prefetchPages } from './lazy.js';

// Every page but the overview is its own chunk, loaded on first use and prefetched when idle.
const CheckPage = lazyPage(async () => (await import('./pages/Check.js')).CheckPage);
const HostPage = lazyPage(async () => (await import('./pages/Host.js')).HostPage);
const AlertsPage = lazyPage(async () => (await import('./pages/Alerts.js')).AlertsPage);
const ExplorerPage = lazyPage(async () => (await import('./pages/Explorer.js')).ExplorerPage);
const SettingsPage = lazyPage(async () => (await import('./pages/Settings.js')).SettingsPage);

/** Loads the other pages' code in the background (call once the first page has painted). */
export function prefetchOtherPages(): void {
  prefetchPages([CheckPage, HostPage, AlertsPage, ExplorerPage, SettingsPage] as never[]);
}

/** Switches between light and dark and remembers the choice. */
function toggleTheme(): void {
  const root = document.documentElement;
  const dark = root.dataset.theme ? root.dataset.theme === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches;
  root.dataset.theme = dark ? 'light' : 'dark';
  try { localStorage.setItem('oversee-theme', root.dataset.theme); } catch { /* private mode */ }
}

const NAV = [['/', 'Overview', 'o'], ['/alerts', 'Alerts', 'a'], ['/explore', 'Metrics', 'm'], ['/settings', 'Settings', 's']] as const;

/** The page for the current path. */
function Page({ path }: { path: string }): JSX.Element {
  let m: RegExpExecArray | null;
  if (path === '/' || path === '/login' || path === '/setup') return <OverviewPage />;
  if ((m = /^\/check\/(\d+)$/.exec(path))) return <CheckPage id={Number(m[1])} />;
  if ((m = /^\/host\/(\d+)$/.exec(path))) return <HostPage id={Number(m[1])} />;
  if (path === '/alerts') return <AlertsPage />;
  if (path === '/explore' || path.startsWith('/dashboards')) return <ExplorerPage />;
  if (path.startsWith('/settings')) return <SettingsPage />;
  return <p>No such page. <Link href="/">Back to the overview</Link></p>;
}

/** The whole app once logged in. */
export function App({ services, liveStatus, onLogout }: { services: AppServices; liveStatus: LiveStatus; onLogout: () => void }): JSX.Element {
  const [, setN] = useState(0);
  const [help, setHelp] = useState(false);
  const { router, user } = services;
  useEffect(() => router.subscribe(() => setN((n) => n + 1)), [router]);
  useEffect(() => prefetchOtherPages(), []);
  const path = router.location.path;

  useEffect(() => {
    let g = false;
    const onKey = (e: KeyboardEvent): void => {
      const t = e.target as HTMLElement | null;
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (t !== null && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA')) {
        if (e.key === 'Escape') t.blur();
        return;
      }
      if (e.key === '/') {
        const s = document.getElementById('search');
        if (s !== null) { e.preventDefault(); s.focus(); }
      } else if (e.key === '?') setHelp((h) => !h);
      else if (e.key === 'Escape') setHelp(false);
      else if (g) {
        const target = NAV.find(([, , k]) => k === e.key);
        if (target) router.navigate(target[0]);
        g = false;
        return;
      } else if (e.key === 'g') { g = true; return; }
      g = false;
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [router]);

  return (
    <Services.Provider value={services}>
      <a class="skip" href="#main">Skip to content</a>
      <header class="top">
        <Link href="/" class="brand"><span class="logo" aria-hidden="true" /> Oversee</Link>
        <nav aria-label="Main">
          {NAV.map(([href, label]) => {
            const current = href === '/' ? path === '/' : path.startsWith(href) || (href === '/explore' && path.startsWith('/dashboards'));
            return <Link key={href} href={href} aria-current={current ? 'page' : undefined}>{label}</Link>;
          })}
        </nav>
        <span class={`live live-${liveStatus}`} role="status" aria-live="polite">
          <span class="dot" aria-hidden="true" />
          {liveStatus === 'open' ? 'Live' : liveStatus === 'connecting' ? 'Connecting…' : 'Connection lost — reconnecting…'}
        </span>
        <button type="button" class="btn ghost" onClick={toggleTheme} aria-label="Switch light/dark theme" title="Switch light/dark theme">◐</button>
        <span class="me muted" title={user.grants
          ? user.grants.map((g) => `${g.role} in ${(g.projectId ?? g.project) === null ? 'every project' : services.model.projects.find((p) => p.id === (g.projectId ?? g.project) || p.name === g.project)?.name ?? String(g.projectId ?? g.project)}`).join(', ')
          : `${user.role}${user.projectId === null ? ' in every project' : ` in project ${user.projectId}`}`}>{user.name} · {user.role}</span>
        <button type="button" class="btn ghost" onClick={onLogout}>Log out</button>
      </header>
      <SevereBanner />
      <main id="main" class={`page${canAnywhere(user, 'editor') ? ' can-edit' : ''}`}>
        <Page path={path} />
      </main>
      {help ? (
        <div class="help" role="dialog" aria-label="Keyboard shortcuts">
          <h2>Keyboard</h2>
          <dl>
            <dt>/</dt><dd>search</dd><dt>j / k, ↓ / ↑</dt><dd>move in the list</dd><dt>Enter</dt><dd>open</dd>
            <dt>g o, g a, g m, g s</dt><dd>overview, alerts, metrics, settings</dd><dt>Esc</dt><dd>leave a field, close this</dd>
          </dl>
          <button type="button" class="btn" onClick={() => setHelp(false)}>Close</button>
        </div>
      ) : null}
    </Services.Provider>
  );
}
