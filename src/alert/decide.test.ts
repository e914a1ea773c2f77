import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CheckState } from '../domain/types.js';
import type { NotifyEvent } from '../notify/types.js';
import { decide, type DecideInput } from './decide.js';
import { defaultCheckState, type AlertEvent } from './store-types.js';
import { DEFAULT_ALERT_SETTINGS, type Route, type Silence } from './types.js';

const T0 = 1_000_000;
const ev = (id: number, o: Partial<AlertEvent> & { old?: CheckState; state?: CheckState | null; host?: string; kind?: NotifyEvent['kind'] }): AlertEvent => {
  const event: NotifyEvent = {
    key: `flip:${id}`, kind: o.kind ?? 'problem', at: o.at ?? T0, projectId: 1, project: 'p', hostName: o.host ?? 'web1', checkName: 'disk',
    oldState: o.old ?? 'OK', state: o.state === undefined ? 'ERR' : o.state, reason: 'reported', title: '', message: '', tags: [],
  };
  return { id, source: o.source ?? 'flip', sourceId: id, checkId: o.checkId === undefined ? 7 : o.checkId, at: event.at, releaseAt: o.releaseAt ?? event.at, status: 'held', note: null, event };
};
const route: Route = { name: 'all', projects: null, hosts: null, checks: null, states: null, tags: null, kinds: null, channels: ['hook', 'off'], isDefault: false };
const input = (o: Partial<DecideInput>): DecideInput => ({
  now: T0, held: [], states: new Map(), flapHistories: new Map(), silences: [], routes: [route], channels: ['hook'], settings: DEFAULT_ALERT_SETTINGS, ...o,
});
const silence: Silence = { id: 3, project: null, host: 'web1', check: '*', startsAt: T0 - 1, endsAt: T0 + 1000, recurrence: 'none', until: null, comment: 'work', createdBy: 't', createdAt: 0 };
const summary = (i: DecideInput): string[] => decide(i).batch.decisions.map((d) => `${d.eventId}:${d.status}:${d.channels.join('+')}`);

const cases: Array<{ name: string; input: DecideInput; expect: string[] }> = [
  { name: 'a due flip is routed to enabled channels only', input: input({ held: [ev(1, {})] }), expect: ['1:routed:hook'] },
  { name: 'a flip inside a silence is silenced', input: input({ held: [ev(1, {})], silences: [silence] }), expect: ['1:silenced:'] },
  { name: 'a recovery after the silence is routed', input: input({ now: T0 + 2000, held: [ev(1, { at: T0 + 1500, old: 'ERR', state: 'OK', kind: 'recovery' })], silences: [silence] }), expect: ['1:routed:hook'] },
  { name: 'no matching route → unrouted', input: input({ held: [ev(1, {})], routes: [{ ...route, hosts: ['db*'] }] }), expect: ['1:unrouted:'] },
  { name: 'a flip and its revert within the per-check reduction are dropped', input: input({
    now: T0 + 60_000, held: [ev(1, {}), ev(2, { at: T0 + 10_000, old: 'ERR', state: 'OK' })],
    states: new Map([[7, { ...defaultCheckState(7), reductionMs: 60_000 }]]),
  }), expect: ['1:dropped:', '2:dropped:'] },
  { name: 'a not-yet-due flip waits', input: input({ held: [ev(1, { releaseAt: T0 + 5 })] , settings: { ...DEFAULT_ALERT_SETTINGS, reductionMs: 5 } }), expect: [] },
  { name: 'a flip of a flapping check is recorded as flapping', input: input({ held: [ev(1, {})], states: new Map([[7, { ...defaultCheckState(7), flapping: true }]]) }), expect: ['1:flapping:'] },
  { name: 'a host-level alert is routed by itself', input: input({ held: [ev(1, { source: 'alert', checkId: null, state: null, kind: 'alert' })] }), expect: ['1:routed:hook'] },
];
for (const c of cases) {
  test(`decide: ${c.name}`, () => assert.deepEqual(summary(c.input), c.expect));
}

test('decide: a not-yet-due flip sets the wake time to its release', () => {
  const r = decide(input({ held: [ev(1, {})], settings: { ...DEFAULT_ALERT_SETTINGS, reductionMs: 5000 } }));
  assert.equal(r.wakeAt, T0 + 5000);
});

test('decide: enough recent changes start flapping with one extra event and the flip held back', () => {
  const history: CheckState[] = [...Array(15).fill('OK'), 'ERR', 'OK', 'ERR', 'OK', 'ERR', 'OK'] as CheckState[];
  const r = decide(input({ held: [ev(1, {})], flapHistories: new Map([[7, history]]) }));
  assert.deepEqual(r.batch.decisions.map((d) => d.status), ['flapping']);
  assert.deepEqual(r.batch.created.map((c) => [c.event.kind, c.decision.status]), [['flapping-started', 'routed']]);
  assert.equal(r.batch.patches.get(7)?.flapping, true);
});

test('decide: a routed problem records the notified state and schedules a reminder when enabled', () => {
  const r = decide(input({ held: [ev(1, {})], settings: { ...DEFAULT_ALERT_SETTINGS, reminderIntervalMs: 600_000 } }));
  assert.deepEqual(r.batch.patches.get(7), { notifiedState: 'ERR', lastNotifiedAt: T0, nextReminderAt: T0 + 600_000 });
});
