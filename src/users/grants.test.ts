// Users with grants (a role per project): the /api/v1/users API (grants field, the old role/projectId
// still working, field-named errors, who may grant what) and the migration that turns each existing
// user's role/projectId into one grant, on SQLite and on a real PostgreSQL (fresh schema).
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PG_CORE_MIGRATIONS } from '../store/postgres/core-migrations.js';
import { runPgMigrations } from '../store/postgres/migrations-runner.js';
import { openPostgresStore } from '../store/postgres/index.js';
import { PG_USERS_MIGRATIONS, PgUserStore } from '../store/postgres/users.js';
import { dropSchema, freshSchemaName, pgSkipReason, pgTestUrl } from '../store/postgres/test-support.js';
import { CORE_MIGRATIONS } from '../store/sqlite/core-migrations.js';
import { runMigrations } from '../store/sqlite/migrations-runner.js';
import { appFixture, type AppFixture } from '../test-support/app-fixture.js';
import { openSqliteUserStore, USERS_MIGRATIONS } from './sqlite-store.js';
import { addUser, login, type SessionClient } from './test-support/session.js';

describe('/api/v1/users with grants', () => {
  let f: AppFixture;
  let root: SessionClient;
  let web = 0;
  let db = 0;
  beforeEach(async () => {
    f = await appFixture();
    web = (await f.store.projects.create('web', 1)).id;
    db = (await f.store.projects.create('db', 1)).id;
    await addUser(f.store, 'root', 'admin');
    root = await login(f.app, 'root');
  });
  afterEach(async () => { await f.close(); });

  test('creates a user with grants by project name, id or null, and shows them with the summary', async () => {
    const res = await root.inject({
      method: 'POST', url: '/api/v1/users',
      payload: { name: 'alice', password: 'correct horse', grants: [{ project: 'web', role: 'admin' }, { project: db, role: 'viewer' }, { project: 'web', role: 'viewer' }] },
    });
    assert.equal(res.statusCode, 201, res.body);
    const u = res.json() as { grants: unknown; role: string; projectId: number | null };
    assert.deepEqual(u.grants, [{ projectId: web, role: 'admin' }, { projectId: db, role: 'viewer' }], 'one grant per project, the highest');
    assert.deepEqual([u.role, u.projectId], ['admin', web], 'summary: the strongest single-project grant');
    const list = (await root.inject({ method: 'GET', url: '/api/v1/users' })).json() as { items: { name: string; grants: unknown }[] };
    assert.deepEqual(list.items.find((x) => x.name === 'alice')?.grants, u.grants);
    const everywhere = await root.inject({ method: 'POST', url: '/api/v1/users', payload: { name: 'olga', password: 'correct horse', grants: [{ project: null, role: 'viewer' }, { project: 'db', role: 'editor' }] } });
    assert.deepEqual((everywhere.json() as { role: string; projectId: null }).role, 'viewer');
  });

  test('role/projectId still work (= one grant), and PATCH with role alone keeps the project', async () => {
    const res = await root.inject({ method: 'POST', url: '/api/v1/users', payload: { name: 'bob', password: 'correct horse', role: 'editor', projectId: db } });
    assert.equal(res.statusCode, 201, res.body);
    const bob = res.json() as { id: number; grants: unknown };
    assert.deepEqual(bob.grants, [{ projectId: db, role: 'editor' }]);
    const patched = await root.inject({ method: 'PATCH', url: `/api/v1/users/${bob.id}`, payload: { role: 'viewer' } });
    assert.deepEqual((patched.json() as { grants: unknown }).grants, [{ projectId: db, role: 'viewer' }]);
    const regrant = await root.inject({ method: 'PATCH', url: `/api/v1/users/${bob.id}`, payload: { grants: [{ project: 'web', role: 'editor' }, { project: 'db', role: 'admin' }] } });
    assert.deepEqual((regrant.json() as { grants: unknown }).grants, [{ projectId: web, role: 'editor' }, { projectId: db, role: 'admin' }]);
    const ambiguous = await root.inject({ method: 'PATCH', url: `/api/v1/users/${bob.id}`, payload: { role: 'viewer' } });
    assert.equal(ambiguous.statusCode, 400, 'role alone cannot say which of two grants it means');
    assert.match(ambiguous.body, /role: the user has roles in several projects; send grants/);
  });

  test('bad grants answer 400 naming the field, and nothing is created', async () => {
    const cases: [unknown, RegExp][] = [
      [[{ project: 'nope', role: 'viewer' }], /^grants\[0\]\.project: no project "nope"/],
      [[{ project: 'web', role: 'viewer' }, { project: 999, role: 'viewer' }], /^grants\[1\]\.project: no project "?999/],
      [[{ project: 'web', role: 'boss' }], /grants\/0\/role|grants\[0\]\.role|role/],
      [[], /grants/],
      [[{ project: 'web' }], /role/],
    ];
    for (const [grants, message] of cases) {
      const res = await root.inject({ method: 'POST', url: '/api/v1/users', payload: { name: 'carl', password: 'correct horse', grants } });
      assert.equal(res.statusCode, 400, `${JSON.stringify(grants)}: ${res.body}`);
      assert.match((res.json() as { error: { message: string } }).error.message, message);
    }
    const both = await root.inject({ method: 'POST', url: '/api/v1/users', payload: { name: 'carl', password: 'correct horse', role: 'admin', grants: [{ project: 'web', role: 'viewer' }] } });
    assert.equal(both.statusCode, 400);
    assert.match(both.body, /either grants or role/);
    const none = await root.inject({ method: 'POST', url: '/api/v1/users', payload: { name: 'carl', password: 'correct horse' } });
    assert.equal(none.statusCode, 400);
    assert.match(none.body, /role: required/);
    assert.equal((await root.inject({ method: 'GET', url: '/api/v1/users' })).body.includes('carl'), false);
  });

  test('an admin of one project grants only in that project and cannot demote the last admin of every project', async () => {
    await root.inject({ method: 'POST', url: '/api/v1/users', payload: { name: 'alice', password: 'correct horse', grants: [{ project: 'web', role: 'admin' }, { project: 'db', role: 'viewer' }] } });
    const alice = await login(f.app, 'alice');
    const ok = await alice.inject({ method: 'POST', url: '/api/v1/users', payload: { name: 'wes', password: 'correct horse', grants: [{ project: 'web', role: 'editor' }] } });
    assert.equal(ok.statusCode, 201, ok.body);
    for (const grants of [[{ project: 'db', role: 'viewer' }], [{ project: null, role: 'viewer' }], [{ project: 'web', role: 'viewer' }, { project: 'db', role: 'viewer' }]]) {
      const res = await alice.inject({ method: 'POST', url: '/api/v1/users', payload: { name: 'dan', password: 'correct horse', grants } });
      assert.equal(res.statusCode, 403, `${JSON.stringify(grants)}: ${res.body}`);
    }
    const users = (await alice.inject({ method: 'GET', url: '/api/v1/users' })).json() as { items: { name: string }[] };
    assert.deepEqual(users.items.map((u) => u.name).sort(), ['wes'], 'she lists only the users she administers');
    const rootId = (await f.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: root.cookie } })).json().user.id as number;
    const demote = await root.inject({ method: 'PATCH', url: `/api/v1/users/${rootId}`, payload: { grants: [{ project: 'web', role: 'admin' }] } });
    assert.equal(demote.statusCode, 409);
  });
});

const url = pgTestUrl();
const skip = await pgSkipReason(url);

describe('migration of users to grants', () => {
  test('SQLite: users step 2 turns each role/projectId into one grant', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oversee-grants-'));
    const db = new Database(join(dir, 'o.db'));
    try {
      db.pragma('foreign_keys = ON');
      runMigrations(db, 'core', CORE_MIGRATIONS);
      const web = Number(db.prepare("INSERT INTO projects (name, ingest_token, created_at) VALUES ('web', 't', 1)").run().lastInsertRowid);
      runMigrations(db, 'users', USERS_MIGRATIONS.filter((m) => m.version === 1));
      db.prepare("INSERT INTO users (name, password_hash, role, project_id, created_at) VALUES ('ann', 'h', 'admin', NULL, 1), ('ed', 'h', 'editor', ?, 1)").run(web);
      const users = openSqliteUserStore(db); // applies step 2
      const list = await users.listUsers();
      assert.deepEqual(list.map((u) => [u.name, u.grants]), [['ann', [{ projectId: null, role: 'admin' }]], ['ed', [{ projectId: web, role: 'editor' }]]]);
      assert.deepEqual(list.map((u) => [u.role, u.projectId]), [['admin', null], ['editor', web]]);
      db.prepare('DELETE FROM projects WHERE id = ?').run(web);
      assert.deepEqual((await users.getUserByName('ed'))?.grants, [], 'deleting the project removes the grant, not the user');
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('PostgreSQL', { skip: skip ?? false }, () => {
    const schema = freshSchemaName('ovs_grants');
    let pool: pg.Pool;
    before(async () => { pool = new pg.Pool({ connectionString: url, options: `-c search_path=${schema}` }); });
    after(async () => {
      await pool.end();
      await dropSchema(url, schema);
    });

    test('users step 2 turns each role/projectId into one grant; the store then keeps grants', async () => {
      await runPgMigrations(pool, schema, 'core', PG_CORE_MIGRATIONS);
      const web = (await pool.query<{ id: number }>("INSERT INTO projects (name, ingest_token, created_at) VALUES ('web', 't', 1) RETURNING id")).rows[0]!.id;
      await runPgMigrations(pool, schema, 'users', PG_USERS_MIGRATIONS.filter((m) => m.version === 1));
      await pool.query("INSERT INTO users (name, password_hash, role, project_id, created_at) VALUES ('ann', 'h', 'admin', NULL, 1), ('ed', 'h', 'editor', $1, 1)", [web]);
      const store = await openPostgresStore({ url, schema }); // applies step 2 like a starting server
      try {
        const users = new PgUserStore(store.pool);
        const list = await users.listUsers();
        assert.deepEqual(list.map((u) => [u.name, u.grants]), [['ann', [{ projectId: null, role: 'admin' }]], ['ed', [{ projectId: Number(web), role: 'editor' }]]]);
        const db = await store.projects.create('db', 1);
        const alice = await users.createUser({ name: 'alice', grants: [{ projectId: Number(web), role: 'admin' }, { projectId: db.id, role: 'viewer' }], passwordHash: 'h', now: 1 });
        assert.deepEqual(alice.grants, [{ projectId: Number(web), role: 'admin' }, { projectId: db.id, role: 'viewer' }]);
        assert.deepEqual((await users.updateUser(alice.id, { role: 'editor' }))?.grants, [{ projectId: Number(web), role: 'editor' }], 'role alone: one grant in the summary project');
        await store.projects.delete(Number(web));
        assert.deepEqual((await users.getUser(alice.id))?.grants, [], 'grants of a deleted project go with it');
      } finally {
        await store.close();
      }
    });
  });
});
