import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Role } from '../domain/types.js';
import { OverseeError } from '../errors.js';
import { openSqliteStore, type SqliteStore } from '../store/sqlite/index.js';
import {
  authenticate, bearerToken, createToken, ensureAdminToken, generateToken, hashToken, roleAtLeast, TOKEN_PATTERN,
  TOUCH_INTERVAL_MS,
} from './auth.js';

describe('token format and hashing', () => {
  it('generates ovs_ + 43 base64url characters, different every time', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const t = generateToken();
      assert.match(t, /^ovs_[A-Za-z0-9_-]{43}$/);
      assert.equal(Buffer.from(t.slice(4), 'base64url').length, 32);
      seen.add(t);
    }
    assert.equal(seen.size, 200);
  });

  it('hashes a token to its SHA-256 hex digest', () => {
    const t = generateToken();
    assert.equal(hashToken(t), createHash('sha256').update(t).digest('hex'));
    assert.match(hashToken(t), /^[0-9a-f]{64}$/);
  });
});

describe('bearerToken', () => {
  const cases: [string | undefined, string | null][] = [
    [undefined, null],
    ['', null],
    ['Bearer ovs_abc', 'ovs_abc'],
    ['bearer   ovs_abc  ', 'ovs_abc'],
    ['Basic dXNlcjpwYXNz', null],
    ['Bearer', null],
    ['Bearer a b', null],
  ];
  for (const [header, want] of cases) {
    it(`reads ${JSON.stringify(header)} as ${JSON.stringify(want)}`, () => {
      assert.equal(bearerToken(header), want);
    });
  }
});

describe('roleAtLeast', () => {
  const cases: [Role, Role, boolean][] = [
    ['viewer', 'viewer', true], ['viewer', 'editor', false], ['viewer', 'admin', false],
    ['editor', 'viewer', true], ['editor', 'editor', true], ['editor', 'admin', false],
    ['admin', 'viewer', true], ['admin', 'editor', true], ['admin', 'admin', true],
  ];
  for (const [have, need, want] of cases) {
    it(`${have} ${want ? 'may' : 'may not'} act as ${need}`, () => assert.equal(roleAtLeast(have, need), want));
  }
});

describe('tokens in the store', () => {
  let dir: string;
  let store: SqliteStore;
  let now = 1_700_000_000_000;
  const clock = { now: () => now };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oversee-auth-'));
    store = await openSqliteStore({ path: join(dir, 'o.db'), synchronous: 'NORMAL' });
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ensureAdminToken creates one all-projects admin token on an empty store, then returns null', async () => {
    const first = await ensureAdminToken(store, clock);
    assert.ok(first !== null);
    assert.match(first, TOKEN_PATTERN);
    assert.equal(await ensureAdminToken(store, clock), null);
    assert.equal(await store.tokens.count(), 1);
    const p = await authenticate(store, clock, first);
    assert.equal(p?.role, 'admin');
    assert.equal(p?.projectId, null);
  });

  it('stores only the hash of a created token, never the secret', async () => {
    const { token, record } = await createToken(store, { name: 'ci', role: 'viewer', projectId: null }, clock);
    const stored = await store.tokens.findByHash(hashToken(token));
    assert.equal(stored?.id, record.id);
    assert.notEqual(stored?.hash, token);
    const raw = JSON.stringify(store.db.prepare('SELECT * FROM api_tokens').all());
    assert.ok(!raw.includes(token.slice(4)), 'the secret appears nowhere in the table');
  });

  it('authenticates a created token with its role and project', async () => {
    const def = await store.projects.getByName('default');
    assert.ok(def);
    const { token, record } = await createToken(store, { name: 'ed', role: 'editor', projectId: def.id }, clock);
    assert.deepEqual(await authenticate(store, clock, token), {
      tokenId: record.id, name: 'ed', role: 'editor', projectId: def.id, grants: [{ projectId: def.id, role: 'editor' }],
    });
  });

  const rejected: [string, string][] = [
    ['a malformed token', 'not-a-token'],
    ['a well-formed but unknown token', generateToken()],
    ['a known token with its last character changed', ''],
  ];
  for (const [what, value] of rejected) {
    it(`rejects ${what}`, async () => {
      let t = value;
      if (t === '') {
        const { token } = await createToken(store, { name: 'x', role: 'viewer', projectId: null }, clock);
        t = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
      }
      assert.equal(await authenticate(store, clock, t), null);
    });
  }

  it('refreshes lastUsedAt at most once per interval', async () => {
    const { token, record } = await createToken(store, { name: 'touch', role: 'viewer', projectId: null }, clock);
    const lastUsed = async (): Promise<number | null> => (await store.tokens.list()).find((t) => t.id === record.id)?.lastUsedAt ?? null;
    assert.equal(await lastUsed(), null);
    const t0 = now;
    await authenticate(store, clock, token);
    assert.equal(await lastUsed(), t0);
    now = t0 + TOUCH_INTERVAL_MS - 1;
    await authenticate(store, clock, token);
    assert.equal(await lastUsed(), t0);
    now = t0 + TOUCH_INTERVAL_MS;
    await authenticate(store, clock, token);
    assert.equal(await lastUsed(), t0 + TOUCH_INTERVAL_MS);
  });

  const invalid: [string, { name: string; role: Role; projectId: number | null }, string][] = [
    ['an empty name', { name: '  ', role: 'viewer', projectId: null }, 'OVS_ERR_VALIDATION'],
    ['a name over 100 characters', { name: 'n'.repeat(101), role: 'viewer', projectId: null }, 'OVS_ERR_VALIDATION'],
    ['an unknown role', { name: 'r', role: 'root' as Role, projectId: null }, 'OVS_ERR_VALIDATION'],
    ['an unknown project', { name: 'p', role: 'viewer', projectId: 9999 }, 'OVS_ERR_NOT_FOUND'],
  ];
  for (const [what, input, code] of invalid) {
    it(`createToken refuses ${what} with ${code}`, async () => {
      await assert.rejects(createToken(store, input, clock), (err: unknown) => err instanceof OverseeError && err.code === code);
    });
  }
});
