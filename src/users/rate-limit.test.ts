import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoginLimiter } from './rate-limit.js';

test('refuses after maxFailures within the window and allows again when it ends', () => {
  const l = new LoginLimiter({ maxFailures: 3, windowMs: 1000 });
  for (let i = 0; i < 3; i++) {
    assert.equal(l.retryAfter(['ip:a'], 100), 0);
    l.fail(['ip:a'], 100);
  }
  assert.equal(l.retryAfter(['ip:a'], 400), 700);
  assert.equal(l.retryAfter(['ip:b'], 400), 0, 'another key is not affected');
  assert.equal(l.retryAfter(['ip:a'], 1100), 0);
});

test('a success clears the failures of its keys', () => {
  const l = new LoginLimiter({ maxFailures: 2, windowMs: 1000 });
  l.fail(['user:x'], 0);
  l.succeed(['user:x']);
  l.fail(['user:x'], 1);
  assert.equal(l.retryAfter(['user:x'], 2), 0);
});
