// Tsdb.dropProject on the real SQLite file storage and a fresh schema of the real PostgreSQL: a deleted
// project's series, chunks and WAL samples are gone from memory and storage (also after reopening),
// and another project's data is untouched.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { dropSchema, freshSchemaName, pgSkipReason, pgTestUrl } from '../store/postgres/test-support.js';
import { openPostgresTsdbStorage } from '../store/postgres/tsdb-storage.js';
import { openSqliteTsdbStorage } from '../store/sqlite/tsdb-storage.js';
import { Tsdb } from './index.js';
import type { TsdbStorage } from './storage.js';

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
const clock = { now: () => T0 + 60_000 };

interface Opened { open(): Promise<TsdbStorage>; cleanup(): Promise<void> }

const backends: Array<[string, () => Promise<Opened | string>]> = [
  ['SQLite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oversee-tsdb-drop-'));
    const path = join(dir, 'tsdb.sqlite');
    return { open: async () => openSqliteTsdbStorage({ path }), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }],
  ['PostgreSQL', async () => {
    const url = pgTestUrl();
    const skip = await pgSkipReason(url);
    if (skip !== null) return skip;
    const schema = freshSchemaName();
    return { open: () => openPostgresTsdbStorage({ url, schema, poolSize: 2 }), cleanup: () => dropSchema(url, schema) };
  }],
];

for (const [name, make] of backends) {
  describe(`Tsdb.dropProject (${name})`, () => {
    test("forgets the project's series and deletes its chunks, series rows and WAL samples; other projects keep theirs", async (t) => {
      const b = await make();
      if (typeof b === 'string') { t.skip(b); return; }
      try {
        let tsdb = await Tsdb.open({ storage: await b.open(), clock, commitDelayMs: 0 });
        const fill = (from: number, n: number): void => {
          for (let i = from; i < from + n; i++) {
            for (const project of [2, 3]) {
              assert.equal(tsdb.append(project, `cpu.${i % 7}`, { host: `h${i % 5}` }, T0 + i * 10, i), null);
            }
          }
        };
        fill(0, 300);
        await tsdb.commit();
        await tsdb.checkpoint(); // chunks
        fill(300, 100);
        await tsdb.commit(); // and WAL records
        const before = tsdb.series({ projectId: 2 }).length;
        assert.equal(before, 35);
        const q = { name: 'cpu.1', from: T0, to: T0 + 60_000, step: 60_000, agg: 'sum' as const };
        const kept = await tsdb.query({ projectId: 3, ...q });
        assert.equal(kept.series.length, 5, 'project 3 has data to keep');

        const deleted = await tsdb.dropProject(2, 7); // small steps: several batches
        assert.ok(deleted >= 35, `rows deleted: ${deleted}`);
        assert.deepEqual(tsdb.series({ projectId: 2 }), []);
        assert.deepEqual(tsdb.tree(2, ''), []);
        assert.deepEqual((await tsdb.query({ projectId: 2, ...q })).series, []);
        assert.deepEqual(await tsdb.query({ projectId: 3, ...q }), kept);
        assert.equal(await tsdb.dropProject(2), 0, 'nothing left the second time');
        await tsdb.close();

        // Reopened: nothing of project 2 comes back from the series rows, chunks or WAL.
        tsdb = await Tsdb.open({ storage: await b.open(), clock, commitDelayMs: 0 });
        assert.deepEqual(tsdb.series({ projectId: 2 }), []);
        assert.equal(tsdb.series({ projectId: 3 }).length, 35);
        assert.deepEqual(await tsdb.query({ projectId: 3, ...q }), kept);
        // A new project reusing id 2 (SQLite may reuse the highest deleted rowid) starts empty.
        assert.equal(tsdb.append(2, 'cpu.1', { host: 'new' }, T0 + 5000, 1), null);
        await tsdb.commit();
        const fresh = await tsdb.query({ projectId: 2, ...q });
        assert.deepEqual(fresh.series.map((s) => [s.tags, s.values.filter((v) => v !== null)]), [[{ host: 'new' }, [1]]]);
        await tsdb.close();
      } finally {
        await b.cleanup();
      }
    });
  });
}
