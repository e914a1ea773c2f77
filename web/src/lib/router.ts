// A small History-API router: the current path and query, navigate(), and link interception.

/** The current location, split. */
export interface Location { path: string; query: URLSearchParams }

/** Tracks the location; one instance per app. */
export class Router {
  private listeners = new Set<() => void>();
  location: Location = Router.read();
  /** Asked before navigate() leaves the current path (false stays); a page with unsaved changes sets it. */
  leaveGuard: (() => boolean) | null = null;

  constructor() {
    window.addEventListener('popstate', () => this.update());
  }

  private static read(): Location {
    return { path: window.location.pathname, query: new URLSearchParams(window.location.search) };
  }

  private update(): void {
    this.location = Router.read();
    for (const fn of this.listeners) fn();
  }

  /** Goes to `href` (pushes history unless `replace`). */
  navigate(href: string, replace = false): void {
    if (href === window.location.pathname + window.location.search) return;
    if (this.leaveGuard !== null && href.split('?')[0] !== window.location.pathname && !this.leaveGuard()) return;
    if (replace) history.replaceState(null, '', href);
    else history.pushState(null, '', href);
    this.update();
    window.scrollTo(0, 0);
  }

  /** Replaces the query string (filters in the URL) without a new history entry. */
  setQuery(params: Record<string, string>): void {
    const qs = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== ''));
    const s = qs.toString();
    history.replaceState(null, '', `${window.location.pathname}${s ? `?${s}` : ''}`);
    this.location = Router.read();
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => { this.listeners.delete(fn); };
  }
}
