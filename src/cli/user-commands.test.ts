// `oversee user add/list/passwd/remove` and `token create` against a real SQLite store file in a temp
// data dir and against a real PostgreSQL (fresh schema), both opened as `serve` opens them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { authenticate, ensureAdminToken } from '../api/auth.js';
import { loadConfig } from '../config/index.js';
import { openPostgresStore } from '../store/postgres/index.js';
import { dropSchema, freshSchemaName, pgSkipReason, pgTestUrl } from '../store/postgres/test-support.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { verifyPassword } from '../users/password.js';
import { openSqliteUserStore } from '../users/sqlite-store.js';
import { registerServeCommands } from './serve-commands.js';
import { openConfiguredStore } from './store-access.js';
import { registerUserCommands } from './user-commands.js';

async function run(args: string[]): Promise<string> {
  const program = new Command('oversee').exitOverride();
  let out = '';
  registerUserCommands(program, { out: (t) => { out += t; }, err: () => undefined });
  await program.parseAsync(args, { from: 'user' });
  return out;
}

/** Runs `token create` and returns what it printed on stdout (the secret). */
async function runToken(args: string[]): Promise<string> {
  const program = new Command('oversee').exitOverride();
  registerServeCommands(program);
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  const errWrite = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array): boolean => { out += String(chunk); return true; }) as typeof process.stdout.write;
  process.stderr.write = ((): boolean => true) as typeof process.stderr.write;
  try {
    await program.parseAsync(['token', 'create', ...args], { from: 'user' });
  } finally {
    process.stdout.write = write;
    process.stderr.write = errWrite;
  }
  return out.trim();
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
      assert.deepEqual(user?.grants, [{ projectId: null, role: 'admin' }]);
      assert.equal(await verifyPassword(password, user!.passwordHash), true);
    } finally {
      await store.close();
    }
    assert.match(await run(['user', 'list', '--data', dir]), /^\d+\tann\t\*:admin$/m);
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

/** The same command sequence on any store: grants, list, passwd, remove, token create. */
async function exerciseCommands(storeFlag: string[], prepare: () => Promise<void>): Promise<void> {
  await prepare();
  await run(['user', 'add', 'root', '--role', 'admin', ...storeFlag]);
  const out = await run(['user', 'add', 'alice', '--grant', 'web:admin', '--grant', 'db:viewer', ...storeFlag]);
  assert.match(out, /^Password \(shown once\): \S+$/m);
  await assert.rejects(run(['user', 'add', 'bob', '--grant', 'web:boss', ...storeFlag]), /--grant "web:boss": expected PROJECT:ROLE/);
  await assert.rejects(run(['user', 'add', 'bob', '--grant', 'nope:viewer', ...storeFlag]), /no project named "nope"/);
  await assert.rejects(run(['user', 'add', 'bob', '--grant', 'web:viewer', '--role', 'admin', ...storeFlag]), /either --grant/);
  await assert.rejects(run(['user', 'add', 'ALICE', ...storeFlag]), /a user named "ALICE" exists/);
  const list = await run(['user', 'list', ...storeFlag]);
  assert.match(list, /^\d+\talice\tweb:admin db:viewer$/m, list);
  assert.match(list, /^\d+\troot\t\*:admin$/m, list);

  const opened = await openConfiguredStore({ store: storeFlag[1]! }, {});
  let before: string;
  try {
    before = (await opened.users.getUserByName('alice'))!.passwordHash;
  } finally {
    await opened.close();
  }
  const passwd = await run(['user', 'passwd', 'alice', ...storeFlag]);
  const password = /^Password \(shown once\): (\S+)$/m.exec(passwd)?.[1];
  assert.ok(password);

  const token = await runToken(['--name', 'ci', '--role', 'editor', '--project', 'web', ...storeFlag]);
  assert.match(token, /^ovs_[A-Za-z0-9_-]{43}$/);
  await assert.rejects(runToken(['--role', 'editor', '--project', 'nope', ...storeFlag]), /no project named "nope"/);

  const check = await openConfiguredStore({ store: storeFlag[1]! }, {});
  try {
    const alice = (await check.users.getUserByName('alice'))!;
    assert.notEqual(alice.passwordHash, before);
    assert.equal(await verifyPassword(password, alice.passwordHash), true);
    const web = (await check.store.projects.getByName('web'))!;
    const principal = await authenticate(check.store, { now: () => Date.now() }, token);
    assert.deepEqual(principal?.grants, [{ projectId: web.id, role: 'editor' }]);
  } finally {
    await check.close();
  }

  await assert.rejects(run(['user', 'remove', 'root', ...storeFlag]), /last admin of every project/);
  await run(['user', 'remove', 'alice', ...storeFlag]);
  await assert.rejects(run(['user', 'remove', 'alice', ...storeFlag]), /no user named "alice"/);
  assert.doesNotMatch(await run(['user', 'list', ...storeFlag]), /alice/);
}

test('user and token commands on a SQLite store given by --store', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'oversee-cli-user-'));
  const path = join(dir, 'oversee.db');
  try {
    await exerciseCommands(['--store', path], async () => {
      const store = await openSqliteStore({ path });
      await store.projects.create('web', 1);
      await store.projects.create('db', 1);
      await store.close();
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const pgUrl = pgTestUrl();
const pgSkip = await pgSkipReason(pgUrl);

describe('on PostgreSQL (fresh schema)', { skip: pgSkip ?? false }, () => {
  const schema = freshSchemaName('ovs_cli');
  const url = `${pgUrl}${pgUrl.includes('?') ? '&' : '?'}schema=${schema}`;
  before(async () => {
    const store = await openPostgresStore({ url: pgUrl, schema });
    await store.projects.create('web', 1);
    await store.projects.create('db', 1);
    await store.close();
  });
  after(async () => { await dropSchema(pgUrl, schema); });

  test('user add/list/passwd/remove and token create work with --store postgres://…', async () => {
    await exerciseCommands(['--store', url], async () => undefined);
  });

  test('OVERSEE_STORE selects PostgreSQL as it does for serve', async () => {
    const opened = await openConfiguredStore({}, { OVERSEE_STORE: url });
    try {
      assert.ok(await opened.store.projects.getByName('web'), 'the schema prepared above');
    } finally {
      await opened.close();
    }
  });

  test('ensureAdminToken: nodes starting together on one database print exactly one token', async () => {
    const race = freshSchemaName('ovs_race');
    const stores = await Promise.all(Array.from({ length: 6 }, () => openPostgresStore({ url: pgUrl, schema: race })));
    try {
      const printed = (await Promise.all(stores.map((s) => ensureAdminToken(s)))).filter((t) => t !== null);
      assert.equal(printed.length, 1, `tokens printed: ${printed.length}`);
      assert.equal(await stores[0]!.tokens.count(), 1);
      assert.equal(await ensureAdminToken(stores[1]!), null);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await dropSchema(pgUrl, race);
    }
  });
});
