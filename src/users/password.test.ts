import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword, passwordProblem, verifyPassword } from './password.js';

test('a hashed password verifies and a different one does not', async () => {
  const stored = await hashPassword('correct horse');
  assert.match(stored, /^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  assert.equal(await verifyPassword('correct horse', stored), true);
  assert.equal(await verifyPassword('correct horsf', stored), false);
});

test('two hashes of one password differ (fresh salt)', async () => {
  assert.notEqual(await hashPassword('same one'), await hashPassword('same one'));
});

test('a malformed stored hash never verifies', async () => {
  for (const bad of ['', 'plain', 'scrypt$x$8$1$AA==$AA==', 'bcrypt$16384$8$1$AA==$AA==', 'scrypt$16384$8$1$AA==$']) {
    assert.equal(await verifyPassword('anything', bad), false, bad);
  }
});

test('passwords shorter than 8 characters are refused', () => {
  assert.match(passwordProblem('short') ?? '', /at least 8/);
  assert.equal(passwordProblem('long enough'), null);
});
