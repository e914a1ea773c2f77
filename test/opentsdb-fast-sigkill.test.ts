// The SIGKILL durability test of tsdb-sigkill.test.ts, with the samples put through the OpenTSDB
// byte-level fast path (Tsdb.appendKeyed) instead of Tsdb.append.
import { test } from 'node:test';
import { killTwiceAndCheck } from './support/tsdb-sigkill.js';

const CHILD = new URL('./opentsdb-fast-sigkill-child.ts', import.meta.url).pathname;

test('OpenTSDB fast path: every acknowledged sample survives SIGKILL of the writing process (twice in a row)', { timeout: 120_000 }, async () => {
  await killTwiceAndCheck(CHILD, 'kill.fast', 'oversee-otsdb-fast-kill-');
});

const THREADS_CHILD = new URL('./opentsdb-threads-sigkill-child.ts', import.meta.url).pathname;

test('OpenTSDB through a parser thread, chunks encoded in a thread: every acknowledged sample survives SIGKILL (twice in a row)', { timeout: 120_000 }, async () => {
  await killTwiceAndCheck(THREADS_CHILD, 'kill.threads', 'oversee-otsdb-threads-kill-');
});
