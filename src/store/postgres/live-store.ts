// The live-event decorator of the PostgreSQL store: withLiveEvents (src/live/store.ts), except that
// a batch of reports is published from ONE query for all its checks instead of one per check, so
// publishing does not take pool connections away from ingest under load.
import type { LiveEvents } from '../../live/events.js';
import { withLiveEvents } from '../../live/store.js';
import type { StateReportOutcome, Store } from '../types.js';
import type { PostgresStore } from './index.js';
import { type CheckRow, toCheck } from './rows.js';

/** Wraps `store` so that every durable change is published on `live` (see the file comment). */
export function withPgLiveEvents(store: PostgresStore, live: LiveEvents, onError: (err: unknown) => void = () => undefined): PostgresStore {
  const wrapped = withLiveEvents(store, live, onError);
  const ingest: Store['ingest'] = {
    async reportStates(batch) {
      const out = await store.ingest.reportStates(batch);
      publishOutcomes(store, live, out).catch(onError);
      return out;
    },
    raiseAlerts: (alerts) => wrapped.ingest.raiseAlerts(alerts),
  };
  return new Proxy(wrapped, {
    get(target, prop, receiver) {
      if (prop === 'ingest') return ingest;
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}

/** A `check` event per reported check (its row now) and a `flip` event after it when the report changed its state. */
async function publishOutcomes(store: PostgresStore, live: LiveEvents, out: readonly StateReportOutcome[]): Promise<void> {
  if (out.length === 0) return;
  const ids = [...new Set(out.map((o) => o.checkId))];
  const rows = (await store.pool.query<CheckRow>(
    'SELECT c.*, h.name AS host_name FROM checks c JOIN hosts h ON h.id = c.host_id WHERE c.id = ANY($1::bigint[])', [ids])).rows;
  const byId = new Map(rows.map((r) => [r.id, toCheck(r)]));
  const flips = new Map(out.filter((o) => o.flip !== null).map((o) => [o.checkId, o.flip]));
  for (const id of ids) {
    const check = byId.get(id);
    if (check === undefined) continue; // deleted meanwhile
    live.publish({ type: 'check', projectId: check.projectId, check });
    const flip = flips.get(id);
    if (flip) live.publish({ type: 'flip', projectId: check.projectId, flip });
  }
}
