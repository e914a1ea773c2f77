// `oversee user add` / `user list` against a real store file in a temp data dir.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { loadConfig } from '../config/index.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { verifyPassword } from '../users/password.js';
import { openSqliteUserStore } from '../users/sqlite-store.js';
import { registerUserCommands } from './user-commands.js';

async function run(args: string[]): Promise<string> {
  const program = new Command('oversee').exitOverride();
  let out = '';
  registerUserCommands(program, { out: (t) => { out += t; }, err: () => undefined });
  await program.parseAsync(args, { from: 'user' });
  return out;
}

test('user add creates an admin with a generated password that verifies, and user list shows it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'oversee-cli-user-'));
  try {
    const config = await loadConfig({ flags: { data: dir }, env: {} });
    await (await openSqliteStore({ path: config.store.path })).close();
    const out = await run(['user', 'add', 'ann', '--role', 'admin', '--data', dir]);
    const password = /^Password \(shown once\): (\S+)$/m.exec(out)?.[1];
    assert.ok(password, out);
    const store = await openSqliteStore({ path: config.store.path });
    try {
      const user = await openSqliteUserStore(store.db).getUserByName('ann');
      assert.equal(user?.role, 'admin');
      assert.equal(user?.projectId, null);
      assert.equal(await verifyPassword(password, user!.passwordHash), true);
    } finally {
      await store.close();
    }
    assert.match(await run(['user', 'list', '--data', dir]), /^\d+\tann\tadmin\t\*$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('user add refuses a data dir without a store', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'oversee-cli-user-'));
  try {
    await assert.rejects(run(['user', 'add', 'ann', '--data', join(dir, 'none')]), /no store at/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
