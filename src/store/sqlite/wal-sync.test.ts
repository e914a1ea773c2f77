import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { WalSync } from './wal-sync.js';

/** A WalSync over a scratch file whose fdatasync calls the test completes by hand. */
function manual() {
  const dir = mkdtempSync(join(tmpdir(), 'oversee-walsync-'));
  writeFileSync(join(dir, 'db-wal'), 'x');
  const calls: ((err: Error | null) => void)[] = [];
  const ws = new WalSync(join(dir, 'db'), (_fd, cb) => { calls.push(cb); });
  return { ws, calls, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

describe('WalSync', () => {
  it('settles a sync only when its fdatasync completes', async () => {
    const { ws, calls, cleanup } = manual();
    let settled = false;
    const p = ws.sync().then(() => { settled = true; });
    await new Promise((r) => setImmediate(r));
    assert.equal(settled, false);
    assert.equal(calls.length, 1);
    calls[0]!(null);
    await p;
    assert.equal(settled, true);
    cleanup();
  });

  it('callers during a sync in flight share ONE next sync (their commits may postdate the first)', async () => {
    const { ws, calls, cleanup } = manual();
    const first = ws.sync();
    const later = [ws.sync(), ws.sync(), ws.sync()];
    assert.equal(calls.length, 1, 'no second sync while one is in flight');
    calls[0]!(null);
    await first;
    assert.equal(calls.length, 2, 'one more sync for the three that waited');
    calls[1]!(null);
    await Promise.all(later);
    assert.equal(calls.length, 2);
    cleanup();
  });

  it('rejects every waiter of a failed sync, and later syncs still work', async () => {
    const { ws, calls, cleanup } = manual();
    const a = ws.sync();
    calls[0]!(new Error('EIO'));
    await assert.rejects(a, /EIO/);
    const b = ws.sync();
    calls[1]!(null);
    await b;
    cleanup();
  });

  it('fsyncs a real file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oversee-walsync-'));
    writeFileSync(join(dir, 'db-wal'), 'x');
    const ws = new WalSync(join(dir, 'db'));
    await Promise.all([ws.sync(), ws.sync()]);
    await ws.close();
    await assert.rejects(ws.sync(), /closed/);
    rmSync(dir, { recursive: true, force: true });
  });
});
