// Turns stored changes into live events (called by the composition root after durable writes).
import type { Flip } from '../domain/types.js';
import type { Store } from '../store/types.js';
import type { LiveEvents } from './events.js';

/**
 * Publishes the current row of each check (a `check` event) and, when that report changed its
 * state, its flip (a `flip` event). Checks deleted meanwhile are skipped. `flips`, when given, are
 * the flips the report wrote (as reportStates returns them), so nothing is read back for them.
 */
export async function publishChecks(live: LiveEvents, store: Store, checkIds: readonly number[], flips?: readonly (Flip | null)[]): Promise<void> {
  const checks = await store.checks.getMany([...new Set(checkIds)]);
  const known = new Map<number, Flip>();
  for (const f of flips ?? []) if (f !== null) known.set(f.checkId, f);
  for (const check of checks) {
    live.publish({ type: 'check', projectId: check.projectId, check });
    if (check.lastChangeAt !== null && check.lastChangeAt === check.lastReportAt) {
      const flip = flips ? known.get(check.id) : (await store.history.flips({ checkId: check.id, limit: 1 })).items[0];
      if (flip !== undefined && flip.at === check.lastChangeAt) live.publish({ type: 'flip', projectId: check.projectId, flip });
    }
  }
}
