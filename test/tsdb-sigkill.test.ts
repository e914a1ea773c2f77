import { test } from 'node:test';
import assert from 'node:assert/strict';
import { killTwiceAndCheck } from './support/tsdb-sigkill.js';

const CHILD = new URL('./tsdb-sigkill-child.ts', import.meta.url).pathname;

test('every acknowledged sample survives SIGKILL of the writing process (twice in a row)', { timeout: 120_000 }, async () => {
  await killTwiceAndCheck(CHILD, 'kill.test', 'oversee-tsdb-kill-', (tsdb) => {
    assert.equal(tsdb.series({ projectId: 1 })[0]!.type, 'counter');
  });
});
