// Time-series data of a deleted project: the project row and everything keyed to it in the store go
// in one transaction; its tsdb series, chunks and WAL samples follow in bounded steps afterwards
// (Tsdb.dropProject). Ids are never reused, so those rows are never visible again meanwhile.
import type { FastifyBaseLogger } from 'fastify';
import type { Store } from '../store/types.js';
import type { Tsdb } from '../tsdb/index.js';

/** Starts deleting a deleted project's tsdb data in the background; logs the outcome. */
export function dropProjectSeries(tsdb: Pick<Tsdb, 'dropProject'>, projectId: number, log: Pick<FastifyBaseLogger, 'info' | 'error'>): Promise<void> {
  return tsdb.dropProject(projectId).then(
    (rows) => { log.info({ projectId, rows }, 'deleted project: time-series data removed'); },
    (err: unknown) => { log.error({ err, projectId }, 'deleted project: removing its time-series data failed (retried at the next start)'); },
  );
}

/**
 * Removes the tsdb data of projects that no longer exist (a delete whose steps a stop or crash
 * interrupted); resolves to the project ids swept.
 */
export async function sweepDeletedProjects(store: Store, tsdb: Pick<Tsdb, 'dropProject' | 'projectIds'>, log: Pick<FastifyBaseLogger, 'info' | 'error'>): Promise<number[]> {
  const live = new Set((await store.projects.list()).map((p) => p.id));
  const gone = tsdb.projectIds().filter((id) => !live.has(id));
  for (const id of gone) await dropProjectSeries(tsdb, id, log);
  return gone;
}
