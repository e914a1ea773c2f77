// Shared pieces: links that use the router, state badges (colour AND text), async loading.
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useServices } from './context.js';
import { STATE_LABEL, type CheckState } from './lib/types.js';

/** An <a> that navigates inside the app without a reload. */
export function Link(props: JSX.IntrinsicElements['a'] & { href: string }): JSX.Element {
  const { router } = useServices();
  const onClick = (e: MouseEvent): void => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    router.navigate(props.href);
  };
  return <a {...props} onClick={onClick} />;
}

/** A state shown as a coloured badge with its word (and an "expired" mark). */
export function StateBadge({ state, expired }: { state: CheckState; expired?: boolean }): JSX.Element {
  return (
    <span class={`badge s-${state}`} title={STATE_LABEL[state]}>
      <span class="dot" aria-hidden="true" />{state}{expired ? <span class="expired-mark"> · expired</span> : null}
    </span>
  );
}

/** Result of useAsync. */
export interface Async<T> { data: T | undefined; error: Error | undefined; loading: boolean; reload(): void }

/** Runs `fn` when `deps` change; gives data, error and a reload. */
export function useAsync<T>(fn: () => Promise<T>, deps: unknown[]): Async<T> {
  const [state, setState] = useState<{ data: T | undefined; error: Error | undefined; loading: boolean }>({ data: undefined, error: undefined, loading: true });
  const [tick, setTick] = useState(0);
  const reload = (): void => setTick((n) => n + 1);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    fn().then(
      (data) => { if (live) setState({ data, error: undefined, loading: false }); },
      (error: unknown) => { if (live) setState({ data: undefined, error: error instanceof Error ? error : new Error(String(error)), loading: false }); },
    );
    return () => { live = false; };
  }, [...deps, tick]);
  return { ...state, reload };
}

/** Renders children with the data, or a loading line, or the error. */
export function Loaded<T>({ value, children }: { value: Async<T>; children: (data: T) => ComponentChildren }): JSX.Element {
  if (value.error) return <p class="error" role="alert">{value.error.message}</p>;
  if (value.data === undefined) return <p class="muted">Loading…</p>;
  return <>{children(value.data)}</>;
}

/** Re-renders the component whenever the overview model changes. */
export function useModelVersion(): number {
  const { model } = useServices();
  const [, setN] = useState(0);
  useEffect(() => model.subscribe(() => setN((n) => n + 1)), [model]);
  return model.version;
}

/** A button that runs an async action, shows it is busy, and reports failures as a toast. */
export function ActionButton({ onAction, children, danger, confirm: question, ...rest }: {
  onAction: () => Promise<unknown>; children: ComponentChildren; danger?: boolean; confirm?: string;
} & Omit<JSX.IntrinsicElements['button'], 'onClick' | 'children'>): JSX.Element {
  const { toast } = useServices();
  const [busy, setBusy] = useState(false);
  const run = async (): Promise<void> => {
    if (question !== undefined && !window.confirm(question)) return;
    setBusy(true);
    try { await onAction(); } catch (err) { toast(err instanceof Error ? err.message : String(err), 'error'); } finally { setBusy(false); }
  };
  return <button type="button" {...rest} class={`btn${danger ? ' danger' : ''}`} disabled={busy} onClick={() => void run()}>{children}</button>;
}
