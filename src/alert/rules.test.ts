// Table tests of the small rules: globs, reminders with acknowledgement, grouping and backoff.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelay } from './backoff.js';
import { globMatch } from './glob.js';
import { readyGroups, type PendingDelivery } from './grouping.js';
import { heartbeatPolicy } from './policies.js';
import { nextReminderAt, type ReminderSubject } from './reminders.js';

const globs: Array<[string, string | null, boolean]> = [
  ['*', 'anything', true], ['*', null, true], ['web*', 'web-1', true], ['web*', 'db-1', false], ['w?b', 'web', true],
  ['w?b', 'weeb', false], ['a.b', 'a.b', true], ['a.b', 'axb', false], ['(x)', '(x)', true], ['disk', null, false], ['Web', 'web', false],
];
for (const [pattern, value, hit] of globs) {
  test(`glob ${pattern} ${hit ? 'matches' : 'does not match'} ${String(value)}`, () => assert.equal(globMatch(pattern, value), hit));
}

const base: ReminderSubject = { state: 'ERR', lastNotifiedAt: 1000, acked: false, flapping: false };
const reminders: Array<{ name: string; s: ReminderSubject; interval: number; at: number | null }> = [
  { name: 'off by default (interval 0)', s: base, interval: 0, at: null },
  { name: 'ERR reminds one interval after the last notice', s: base, interval: 600_000, at: 601_000 },
  { name: 'WARN reminds too', s: { ...base, state: 'WARN' }, interval: 600_000, at: 601_000 },
  { name: 'OK never reminds', s: { ...base, state: 'OK' }, interval: 600_000, at: null },
  { name: 'an acknowledged problem does not remind', s: { ...base, acked: true }, interval: 600_000, at: null },
  { name: 'a flapping check does not remind', s: { ...base, flapping: true }, interval: 600_000, at: null },
];
for (const r of reminders) {
  test(`reminder: ${r.name}`, () => assert.equal(nextReminderAt(r.s, r.interval), r.at));
}

const p = (id: number, channel: string, groupKey: string, createdAt: number): PendingDelivery => ({ id, channel, groupKey, createdAt });
const groupings: Array<{ name: string; pending: PendingDelivery[]; now: number; window: number; ready: number[][]; wakeAt: number | null }> = [
  { name: 'window 0 sends each delivery alone', pending: [p(1, 'a', 'h1', 0), p(2, 'a', 'h1', 0)], now: 0, window: 0, ready: [[1], [2]], wakeAt: null },
  { name: 'a group waits for its window', pending: [p(1, 'a', 'h1', 0), p(2, 'a', 'h1', 4000)], now: 9999, window: 10_000, ready: [], wakeAt: 10_000 },
  { name: 'one host within the window → one message', pending: [p(1, 'a', 'h1', 0), p(2, 'a', 'h1', 4000)], now: 10_000, window: 10_000, ready: [[1, 2]], wakeAt: null },
  { name: 'two hosts → two messages', pending: [p(1, 'a', 'h1', 0), p(2, 'a', 'h2', 0)], now: 10_000, window: 10_000, ready: [[1], [2]], wakeAt: null },
  { name: 'one host, two channels → one message per channel', pending: [p(1, 'a', 'h1', 0), p(2, 'b', 'h1', 0)], now: 10_000, window: 10_000, ready: [[1], [2]], wakeAt: null },
  { name: 'the earliest open window wakes the engine', pending: [p(1, 'a', 'h1', 5000), p(2, 'a', 'h2', 2000)], now: 3000, window: 10_000, ready: [], wakeAt: 12_000 },
];
for (const g of groupings) {
  test(`grouping: ${g.name}`, () => {
    const got = readyGroups(g.pending, g.now, g.window);
    assert.deepEqual(got.ready.map((r) => r.ids), g.ready);
    assert.equal(got.wakeAt, g.wakeAt);
  });
}

const backoffs: Array<{ failures: number; random: number; delay: number }> = [
  { failures: 1, random: 1, delay: 5000 },
  { failures: 1, random: 0, delay: 2500 },
  { failures: 2, random: 1, delay: 10_000 },
  { failures: 4, random: 1, delay: 40_000 },
  { failures: 20, random: 1, delay: 1_800_000 },
  { failures: 20, random: 0, delay: 900_000 },
];
for (const b of backoffs) {
  test(`backoff after ${b.failures} failure(s) with jitter ${b.random} waits ${b.delay} ms`, () => {
    assert.equal(backoffDelay(b.failures, { baseMs: 5000, maxMs: 1_800_000 }, () => b.random), b.delay);
  });
}

const policies: Array<[string, { periodS: number; patienceS: number } | null]> = [
  ['Default', { periodS: 3600, patienceS: 1200 }],
  ['daily', { periodS: 86_400, patienceS: 7200 }],
  [' Daily ', { periodS: 86_400, patienceS: 7200 }],
  ['hourly', null],
];
for (const [name, expected] of policies) {
  test(`heartbeat policy "${name}"`, () => assert.deepEqual(heartbeatPolicy(name), expected));
}
