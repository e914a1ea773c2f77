// Turns stored changes into live events (called by the composition root after durable writes).
import type { Store } from '../store/types.js';
import type { LiveEvents } from './events.js';

/**
 * Publishes the current row of each check (a `check` event) and, when that report changed its
 * state, the newest flip (a `flip` event). Checks deleted meanwhile are skipped.
 */
export async function publishChecks(live: LiveEvents, store: Store, checkIds: readonly number[]): Promise<void> {
  for (const id of new Set(checkIds)) {
    const check = await store.checks.get(id);
    if (check === null) continue;
    live.publish({ type: 'check', projectId: check.projectId, check });
    if (check.lastChangeAt !== null && check.lastChangeAt === check.lastReportAt) {
      const flip = (await store.history.flips({ checkId: id, limit: 1 })).items[0];
      if (flip !== undefined && flip.at === check.lastChangeAt) live.publish({ type: 'flip', projectId: check.projectId, flip });
    }
  }
}
