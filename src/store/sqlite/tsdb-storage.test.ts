import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTsdbStorageContract } from '../../tsdb/storage-contract.js';
import { openSqliteTsdbStorage } from './tsdb-storage.js';

runTsdbStorageContract('sqlite file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'oversee-tsdb-storage-'));
  const path = join(dir, 'tsdb.sqlite');
  return {
    storage: openSqliteTsdbStorage({ path }),
    reopen: async () => openSqliteTsdbStorage({ path }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

runTsdbStorageContract('sqlite on a shared connection', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'oversee-tsdb-shared-'));
  const path = join(dir, 'store.sqlite');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  const others: Database.Database[] = [];
  return {
    storage: openSqliteTsdbStorage({ db }),
    reopen: async () => {
      const again = new Database(path);
      others.push(again);
      return openSqliteTsdbStorage({ db: again });
    },
    cleanup: async () => {
      for (const o of others) o.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

test('the tsdb tables are registered as module "tsdb" and leave a shared connection open', async () => {
  const db = new Database(':memory:');
  const s = openSqliteTsdbStorage({ db });
  await s.close();
  const row = db.prepare("SELECT MAX(version) AS v FROM schema_migrations WHERE module = 'tsdb'").get() as { v: number };
  assert.equal(row.v, 1);
  db.close();
});
