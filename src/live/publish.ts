// Turns stored changes into live events (called by the composition root after durable writes).
import type { Store } from '../store/types.js';
import type { LiveEvents } from './events.js';

/** Publishes the current row of each check (a `check` event); checks deleted meanwhile are skipped. */
export async function publishChecks(live: LiveEvents, store: Store, checkIds: readonly number[]): Promise<void> {
  for (const id of new Set(checkIds)) {
    const check = await store.checks.get(id);
    if (check !== null) live.publish({ type: 'check', projectId: check.projectId, check });
  }
}
