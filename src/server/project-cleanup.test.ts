import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startHarness } from '../api/v1/test-support/harness.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { openSqliteTsdbStorage } from '../store/sqlite/tsdb-storage.js';
import { Tsdb } from '../tsdb/index.js';
import { sweepDeletedProjects } from './project-cleanup.js';

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
const quiet = { info: () => undefined, error: () => undefined };

test('the start-up sweep removes tsdb data of projects that no longer exist, and only theirs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'oversee-project-cleanup-'));
  const store = await openSqliteStore({ path: join(dir, 'oversee.db'), synchronous: 'NORMAL' });
  try {
    const tsdb = await Tsdb.open({ storage: openSqliteTsdbStorage({ db: store.db }), clock: { now: () => T0 }, commitDelayMs: 0 });
    const def = (await store.projects.getByName('default'))!;
    const gone = await store.projects.create('gone', T0);
    for (const p of [def.id, gone.id]) assert.equal(tsdb.append(p, 'm', { h: 'a' }, T0, 1), null);
    await tsdb.commit();
    assert.deepEqual(await sweepDeletedProjects(store, tsdb, quiet), [], 'nothing to sweep while both exist');
    // The project row went (as after a crash before its tsdb steps ran).
    assert.equal(await store.projects.delete(gone.id), true);
    assert.deepEqual(await sweepDeletedProjects(store, tsdb, quiet), [gone.id]);
    assert.deepEqual(tsdb.projectIds(), [def.id]);
    assert.equal((store.db.prepare('SELECT COUNT(*) AS n FROM tsdb_series WHERE project_id = ?').get(gone.id) as { n: number }).n, 0);
    assert.equal((store.db.prepare('SELECT COUNT(*) AS n FROM tsdb_series WHERE project_id = ?').get(def.id) as { n: number }).n, 1);
    await tsdb.close();
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('DELETE /api/v1/projects/:id calls onProjectDeleted once the project is gone, not for a refused delete', async () => {
  const deleted: number[] = [];
  const h = await startHarness(T0, { onProjectDeleted: (id) => { deleted.push(id); } });
  try {
    const p = await h.store.projects.create('tmp', T0);
    await h.store.hosts.register(p.id, 'x', null, T0);
    assert.equal((await h.call('DELETE', `/api/v1/projects/${p.id}`, h.tokens.admin)).status, 409);
    assert.deepEqual(deleted, []);
    assert.equal((await h.call('DELETE', `/api/v1/projects/${p.id}?force=true`, h.tokens.admin)).status, 204);
    assert.deepEqual(deleted, [p.id]);
    assert.equal((await h.call('DELETE', `/api/v1/projects/${p.id}?force=true`, h.tokens.admin)).status, 404);
    assert.deepEqual(deleted, [p.id]);
  } finally {
    await h.close();
  }
});
