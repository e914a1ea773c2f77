import assert from 'node:assert/strict';
import { test } from 'node:test';
import { activeWindow, findSilence, silenceExpired, silences } from './silences.js';
import type { Silence } from './types.js';

const H = 3_600_000;
const D = 24 * H;
const T0 = Date.UTC(2026, 0, 5, 22, 0, 0); // a Monday, 22:00 UTC

const silence = (o: Partial<Silence>): Silence => ({
  id: 1, project: null, host: '*', check: '*', startsAt: T0, endsAt: T0 + 2 * H, recurrence: 'none', until: null,
  comment: '', createdBy: 'test', createdAt: 0, ...o,
});

const windows: Array<{ name: string; s: Silence; at: number; active: boolean }> = [
  { name: 'before the start', s: silence({}), at: T0 - 1, active: false },
  { name: 'at the start (inclusive)', s: silence({}), at: T0, active: true },
  { name: 'inside', s: silence({}), at: T0 + H, active: true },
  { name: 'at the end (exclusive)', s: silence({}), at: T0 + 2 * H, active: false },
  { name: 'daily, next night', s: silence({ recurrence: 'daily' }), at: T0 + D + H, active: true },
  { name: 'daily, next noon', s: silence({ recurrence: 'daily' }), at: T0 + D + 12 * H, active: false },
  { name: 'daily, 100 days later', s: silence({ recurrence: 'daily' }), at: T0 + 100 * D + 30 * 60_000, active: true },
  { name: 'daily, a window starting after until', s: silence({ recurrence: 'daily', until: T0 + 2 * D }), at: T0 + 2 * D + H, active: false },
  { name: 'daily, the last window before until', s: silence({ recurrence: 'daily', until: T0 + 2 * D }), at: T0 + D + H, active: true },
  { name: 'weekly, next day', s: silence({ recurrence: 'weekly' }), at: T0 + D + H, active: false },
  { name: 'weekly, next week', s: silence({ recurrence: 'weekly' }), at: T0 + 7 * D + H, active: true },
];
for (const w of windows) {
  test(`silence window: ${w.name} → ${w.active ? 'active' : 'inactive'}`, () => {
    assert.equal(activeWindow(w.s, w.at) !== null, w.active);
  });
}

const subjects: Array<{ name: string; s: Silence; project: string; host: string; check: string | null; hit: boolean }> = [
  { name: 'host glob matches', s: silence({ host: 'db-*' }), project: 'p', host: 'db-1', check: 'disk', hit: true },
  { name: 'host glob misses', s: silence({ host: 'db-*' }), project: 'p', host: 'web-1', check: 'disk', hit: false },
  { name: 'check glob with ?', s: silence({ check: 'disk?' }), project: 'p', host: 'h', check: 'disk1', hit: true },
  { name: 'check glob on a host-level alert without check', s: silence({ check: 'disk' }), project: 'p', host: 'h', check: null, hit: false },
  { name: 'project must be equal when given', s: silence({ project: 'other' }), project: 'p', host: 'h', check: 'c', hit: false },
  { name: 'regex characters are literal', s: silence({ host: 'a.b' }), project: 'p', host: 'axb', check: 'c', hit: false },
];
for (const t of subjects) {
  test(`silence subject: ${t.name}`, () => {
    assert.equal(silences(t.s, { project: t.project, hostName: t.host, checkName: t.check }, T0 + H), t.hit);
  });
}

test('a recovery after the silence ended is not silenced, while the problem during it was', () => {
  const all = [silence({ host: 'web1' })];
  const subject = { project: 'p', hostName: 'web1', checkName: 'http' };
  assert.ok(findSilence(all, subject, T0 + 30 * 60_000));
  assert.equal(findSilence(all, subject, T0 + 3 * H), null);
});

const expiry: Array<{ s: Silence; now: number; expired: boolean }> = [
  { s: silence({}), now: T0 + 2 * H, expired: true },
  { s: silence({}), now: T0 + H, expired: false },
  { s: silence({ recurrence: 'daily' }), now: T0 + 1000 * D, expired: false },
  { s: silence({ recurrence: 'daily', until: T0 + D }), now: T0 + D + 2 * H, expired: true },
];
for (const [i, e] of expiry.entries()) {
  test(`silenceExpired case ${i}: ${e.expired}`, () => assert.equal(silenceExpired(e.s, e.now), e.expired));
}
