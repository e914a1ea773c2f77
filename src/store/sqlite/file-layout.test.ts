import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tsdb } from '../../tsdb/index.js';
import { applyNewFileLayout, NEW_FILE_PAGE_SIZE, reclaimFreePages } from './file-layout.js';
import { openSqliteStore } from './index.js';
import { openSqliteTsdbStorage } from './tsdb-storage.js';

function tempDir(): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'oversee-layout-'));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('a new store file gets 8 KiB pages and incremental auto_vacuum; an existing file keeps its layout', async () => {
  const { dir, done } = tempDir();
  try {
    const store = await openSqliteStore({ path: join(dir, 'new.db'), synchronous: 'NORMAL' });
    assert.equal(store.db.pragma('page_size', { simple: true }), NEW_FILE_PAGE_SIZE);
    assert.equal(store.db.pragma('auto_vacuum', { simple: true }), 2);
    assert.equal(store.db.pragma('journal_mode', { simple: true }), 'wal');
    await store.close();
    const old = new Database(join(dir, 'old.db'));
    old.exec('CREATE TABLE t (x)');
    old.close();
    const reopened = await openSqliteStore({ path: join(dir, 'old.db'), synchronous: 'NORMAL' });
    assert.equal(reopened.db.pragma('page_size', { simple: true }), 4096);
    assert.equal(reopened.db.pragma('auto_vacuum', { simple: true }), 0);
    assert.equal(await reclaimFreePages(reopened.db), 0, 'nothing to do without incremental auto_vacuum');
    await reopened.close();
    const standalone = openSqliteTsdbStorage({ path: join(dir, 'tsdb.sqlite') });
    await standalone.close();
    const check = new Database(join(dir, 'tsdb.sqlite'), { readonly: true });
    assert.equal(check.pragma('auto_vacuum', { simple: true }), 2);
    check.close();
    const mem = new Database(':memory:');
    mem.exec('CREATE TABLE t (x)');
    assert.equal(applyNewFileLayout(mem), false);
    mem.close();
  } finally {
    done();
  }
});

test('reclaimFreePages gives freed pages back, bounded per call; maintain() does it after compaction', async () => {
  const { dir, done } = tempDir();
  try {
    const path = join(dir, 'oversee.db');
    const store = await openSqliteStore({ path, synchronous: 'NORMAL' });
    store.db.exec('CREATE TABLE junk (b BLOB)');
    const ins = store.db.prepare('INSERT INTO junk VALUES (?)');
    store.db.transaction(() => { for (let i = 0; i < 2000; i++) ins.run(Buffer.alloc(4000, i)); })();
    store.db.exec('DELETE FROM junk');
    const free = store.db.pragma('freelist_count', { simple: true }) as number;
    assert.ok(free > 900, `free pages ${free}`);
    const step = await reclaimFreePages(store.db, 100 * NEW_FILE_PAGE_SIZE, 30);
    assert.equal(step, 100 * NEW_FILE_PAGE_SIZE);
    assert.equal(store.db.pragma('freelist_count', { simple: true }), free - 100);
    // The tsdb's maintenance reclaims the rest (and what its own checkpoint freed).
    const now = Date.now();
    const clock = { now: () => now };
    const tsdb = await Tsdb.open({ storage: openSqliteTsdbStorage({ db: store.db, durable: () => store.durable() }), clock, commitDelayMs: 0 });
    for (let i = 0; i < 1000; i++) tsdb.append(1, 'm', { k: String(i % 10) }, now - 3_600_000 + i * 1000, i);
    await tsdb.commit();
    await tsdb.maintain();
    assert.equal(store.db.pragma('freelist_count', { simple: true }), 0);
    assert.equal((await tsdb.query({ projectId: 1, name: 'm', from: now - 3_600_000, to: now, step: 3_600_000, agg: 'count', groupBy: [] })).series[0]!.values.reduce((a, b) => a! + b!, 0), 1000);
    await tsdb.close();
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    const pages = store.db.pragma('page_count', { simple: true }) as number;
    await store.close();
    assert.equal(statSync(path).size, pages * NEW_FILE_PAGE_SIZE);
    assert.ok(pages < 200, `file of ${pages} pages after reclaiming`);
  } finally {
    done();
  }
});
