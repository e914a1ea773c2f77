import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { runStoreContract } from '../contract.js';
import { CORE_MIGRATIONS } from './core-migrations.js';
import { openSqliteStore } from './index.js';
import { GroupCommitter } from './group-commit.js';
import { runMigrations } from './migrations-runner.js';

function tempFile(): { path: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'oversee-store-'));
  return { dir, path: join(dir, 'oversee.db') };
}

runStoreContract('sqlite', async () => {
  const { dir, path } = tempFile();
  let store = await openSqliteStore({ path });
  return {
    store,
    reopen: async () => (store = await openSqliteStore({ path })),
    cleanup: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); },
  };
});

describe('sqlite store specifics', () => {
  it('migrates an empty file and every earlier schema version to the latest, idempotently', () => {
    const latest = CORE_MIGRATIONS.length;
    for (let from = 0; from <= latest; from++) {
      const { dir, path } = tempFile();
      const db = new Database(path);
      assert.equal(runMigrations(db, 'core', CORE_MIGRATIONS.slice(0, from)), from);
      assert.equal(runMigrations(db, 'core', CORE_MIGRATIONS), latest);
      assert.equal(runMigrations(db, 'core', CORE_MIGRATIONS), latest);
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]).sort();
      for (const t of ['alerts', 'api_tokens', 'checks', 'flips', 'hosts', 'projects', 'schema_migrations', 'state_reports']) {
        assert.ok(tables.includes(t), `table ${t} after migrating from ${from}`);
      }
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a migration list with a gap', () => {
    const db = new Database(':memory:');
    assert.throws(() => runMigrations(db, 'x', [{ version: 2, description: 'gap', up: () => {} }]), /version 2 follows 0/);
    db.close();
  });

  it('rolls back one failing write of a group commit and commits the others', async () => {
    const { dir, path } = tempFile();
    const store = await openSqliteStore({ path });
    const p = (await store.projects.getByName('default'))!;
    const results = await Promise.allSettled([
      store.projects.create('a', 1),
      store.projects.create('default', 2),
      store.hosts.register(p.id, 'h', null, 3),
    ]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.deepEqual((await store.projects.list()).map((x) => x.name), ['default', 'a']);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('uses WAL; by default SQLite does not fsync in COMMIT (the WAL is fsynced off the event loop), FULL on request', async () => {
    const { dir, path } = tempFile();
    const store = await openSqliteStore({ path });
    assert.equal(store.db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(store.db.pragma('synchronous', { simple: true }), 1);
    await store.close();
    const full = await openSqliteStore({ path, synchronous: 'FULL' });
    assert.equal(full.db.pragma('synchronous', { simple: true }), 2);
    await full.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('settles a group commit only after its durability step, and a failed step rejects the whole batch', async () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (v INTEGER)');
    let release: (err?: Error) => void = () => undefined;
    const gc = new GroupCommitter(db, 100, () => new Promise<void>((res, rej) => { release = (err) => (err ? rej(err) : res()); }));
    let settled = 0;
    const batch = [1, 2, 3].map((v) => gc.run(() => db.prepare('INSERT INTO t VALUES (?)').run(v)).then(() => { settled++; }));
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    assert.equal((db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n, 3, 'committed');
    assert.equal(settled, 0, 'but nobody told before the durability step');
    release();
    await Promise.all(batch);
    assert.equal(settled, 3);
    const failing = gc.run(() => db.prepare('INSERT INTO t VALUES (4)').run());
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    release(new Error('EIO'));
    await assert.rejects(failing, /EIO/);
    db.close();
  });
});
