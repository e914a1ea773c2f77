// Pages other than the overview load on first use (their own chunks), so the overview's first
// paint does not wait for settings, explorer or chart code; prefetchPages warms them when idle.
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';

type Page<P> = (props: P) => JSX.Element;

/** A page component whose module `load` imports on first render (a "Loading…" line meanwhile). */
export interface LazyPage<P> {
  (props: P): JSX.Element;
  /** Starts the import now (idempotent); resolves when the page can render at once. */
  preload(): Promise<void>;
}

/** Wraps a dynamic import of a page component; a failed import shows a message with a reload link. */
export function lazyPage<P extends object>(load: () => Promise<Page<P>>): LazyPage<P> {
  let component: Page<P> | null = null;
  let failure: string | null = null;
  let pending: Promise<void> | null = null;
  const preload = (): Promise<void> => (pending ??= load().then(
    (c) => { component = c; },
    (err: unknown) => { failure = err instanceof Error ? err.message : String(err); pending = null; },
  ));
  const Lazy = (props: P): JSX.Element => {
    const [, setN] = useState(0);
    useEffect(() => {
      if (component !== null) return;
      let live = true;
      void preload().then(() => { if (live) setN((n) => n + 1); });
      return () => { live = false; };
    }, []);
    if (component !== null) { const C = component; return <C {...props} />; }
    if (failure !== null) return <p class="error" role="alert">This page could not load ({failure}). <a href={location.href}>Reload</a></p>;
    return <p class="muted">Loading…</p>;
  };
  return Object.assign(Lazy, { preload });
}

/** How long after the app's first render the other pages start loading (not while it paints). */
const PREFETCH_DELAY_MS = 1000;

/** Imports the given pages a second after the first render, when the browser is idle. */
export function prefetchPages(pages: readonly LazyPage<never>[]): void {
  const idle = (globalThis as { requestIdleCallback?: (cb: () => void, o?: { timeout: number }) => number }).requestIdleCallback;
  const go = (): void => { for (const p of pages) void p.preload(); };
  setTimeout(() => { if (idle !== undefined) idle(go, { timeout: 2000 }); else go(); }, PREFETCH_DELAY_MS);
}
