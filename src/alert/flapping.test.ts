import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CheckState } from '../domain/types.js';
import { DEFAULT_FLAP_SETTINGS, flapTransition, percentStateChange } from './flapping.js';

const S = (s: string): CheckState[] => [...s].map((c) => ({ o: 'OK', e: 'ERR', w: 'WARN', u: 'UNK' })[c] as CheckState);

const percents: Array<{ name: string; states: CheckState[]; percent: number }> = [
  { name: 'no history', states: [], percent: 0 },
  { name: 'stable', states: S('o'.repeat(21)), percent: 0 },
  { name: 'a change at every result', states: S('oe'.repeat(10) + 'o'), percent: 100 },
  { name: 'one change, newest (weight 1.25)', states: S('o'.repeat(20) + 'e'), percent: 6.25 },
  { name: 'one change, oldest (weight 0.75)', states: S('oe' + 'e'.repeat(19)), percent: 3.75 },
  { name: 'four newest changes', states: S('o'.repeat(17) + 'eoeo'), percent: ((16 + 17 + 18 + 19) * 0.5 / 19 + 3) * 5 },
  { name: 'only the newest 21 results count', states: S('oeoeoeoe' + 'o'.repeat(21)), percent: 0 },
  { name: 'a short history counts as if the first state held before', states: S('oe'), percent: 6.25 },
  { name: 'WARN to ERR is a change too', states: S('w'.repeat(20) + 'e'), percent: 6.25 },
];
for (const { name, states, percent } of percents) {
  test(`percent state change: ${name} = ${percent.toFixed(2)} %`, () => {
    assert.ok(Math.abs(percentStateChange(states) - percent) < 1e-9, `got ${percentStateChange(states)}`);
  });
}

const transitions: Array<{ was: boolean; percent: number; expect: 'started' | 'stopped' | null }> = [
  { was: false, percent: 19.9, expect: null },
  { was: false, percent: 20, expect: 'started' },
  { was: true, percent: 20, expect: null },
  { was: true, percent: 5, expect: null },
  { was: true, percent: 4.9, expect: 'stopped' },
  { was: false, percent: 4.9, expect: null },
];
for (const { was, percent, expect } of transitions) {
  test(`a check ${was ? 'flapping' : 'not flapping'} at ${percent} % → ${expect ?? 'no change'}`, () => {
    assert.equal(flapTransition(was, percent, DEFAULT_FLAP_SETTINGS), expect);
  });
}

test('a burst of changes yields exactly one "started" and, once stable again, one "stopped"', () => {
  const feed = S('o'.repeat(10) + 'eo'.repeat(8) + 'o'.repeat(30));
  const history: CheckState[] = [];
  let flapping = false;
  const events: string[] = [];
  for (const s of feed) {
    history.push(s);
    const t = flapTransition(flapping, percentStateChange(history));
    if (t) {
      events.push(t);
      flapping = t === 'started';
    }
  }
  assert.deepEqual(events, ['started', 'stopped']);
});
