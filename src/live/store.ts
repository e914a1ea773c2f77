// A Store decorator that publishes live events for every durable change made through it, whatever
// the protocol: state reports (check and flip events), alerts, and deletions of checks and hosts.
// The composition root wraps the store once; everything else uses the wrapped store unchanged.
import type { Store } from '../store/types.js';
import type { LiveEvents } from './events.js';
import { publishChecks } from './publish.js';

const LIVE = Symbol('oversee.liveStore');

/** True when `store` already publishes live events (so callers do not publish twice). */
export function isLiveStore(store: Store): boolean {
  return (store as Store & { [LIVE]?: boolean })[LIVE] === true;
}

/**
 * Wraps `store`: after each successful write, publishes `check`/`flip` (reportStates), `alert`
 * (raiseAlerts) and `check-deleted` (checks.delete, hosts.delete) events. Other members are the
 * store's own (so a SqliteStore keeps `db`). `onError` gets failures of the follow-up reads.
 */
export function withLiveEvents<S extends Store>(store: S, live: LiveEvents, onError: (err: unknown) => void = () => undefined): S {
  const ingest: Store['ingest'] = {
    async reportStates(batch) {
      const out = await store.ingest.reportStates(batch);
      publishChecks(live, store, out.map((o) => o.checkId), out.map((o) => o.flip)).catch(onError);
      return out;
    },
    async raiseAlerts(alerts) {
      const out = await store.ingest.raiseAlerts(alerts);
      for (const alert of out) live.publish({ type: 'alert', projectId: alert.projectId, alert });
      return out;
    },
  };
  const checks: Store['checks'] = Object.create(store.checks, {
    delete: {
      value: async (id: number): Promise<boolean> => {
        const check = await store.checks.get(id);
        const gone = await store.checks.delete(id);
        if (gone && check !== null) live.publish({ type: 'check-deleted', projectId: check.projectId, checkId: id });
        return gone;
      },
    },
  }) as Store['checks'];
  const hosts: Store['hosts'] = Object.create(store.hosts, {
    delete: {
      value: async (id: number): Promise<boolean> => {
        const ids: { id: number; projectId: number }[] = [];
        let cursor: string | null = null;
        do {
          const page = await store.checks.list({ hostId: id, limit: 1000, cursor });
          ids.push(...page.items.map((c) => ({ id: c.id, projectId: c.projectId })));
          cursor = page.nextCursor;
        } while (cursor !== null);
        const gone = await store.hosts.delete(id);
        if (gone) for (const c of ids) live.publish({ type: 'check-deleted', projectId: c.projectId, checkId: c.id });
        return gone;
      },
    },
  }) as Store['hosts'];
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === LIVE) return true;
      if (prop === 'ingest') return ingest;
      if (prop === 'checks') return checks;
      if (prop === 'hosts') return hosts;
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
