import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CheckState } from '../domain/types.js';
import { reduceChanges, type HeldChange } from './reduction.js';

const c = (id: number, at: number, oldState: CheckState, newState: CheckState): HeldChange => ({ id, at, oldState, newState });

const cases: Array<{ name: string; held: HeldChange[]; now: number; delay: number; release: number[]; drop: number[]; wakeAt: number | null }> = [
  { name: 'no delay releases every change at once', held: [c(1, 0, 'OK', 'ERR'), c(2, 5, 'ERR', 'OK')], now: 5, delay: 0, release: [1, 2], drop: [], wakeAt: null },
  { name: 'a change waits for its delay', held: [c(1, 100, 'OK', 'ERR')], now: 150, delay: 60, release: [], drop: [], wakeAt: 160 },
  { name: 'a change that holds for the delay is released', held: [c(1, 100, 'OK', 'ERR')], now: 160, delay: 60, release: [1], drop: [], wakeAt: null },
  { name: 'a change reverted within the delay is dropped with its revert', held: [c(1, 100, 'OK', 'ERR'), c(2, 130, 'ERR', 'OK')], now: 160, delay: 60, release: [], drop: [1, 2], wakeAt: null },
  { name: 'a revert exactly at the end of the delay still cancels', held: [c(1, 100, 'OK', 'ERR'), c(2, 160, 'ERR', 'OK')], now: 160, delay: 60, release: [], drop: [1, 2], wakeAt: null },
  { name: 'a revert after the delay does not cancel; the revert waits its own delay', held: [c(1, 100, 'OK', 'ERR'), c(2, 170, 'ERR', 'OK')], now: 200, delay: 60, release: [1], drop: [], wakeAt: 230 },
  { name: 'a detour through WARN back to OK is dropped whole', held: [c(1, 0, 'OK', 'ERR'), c(2, 10, 'ERR', 'WARN'), c(3, 20, 'WARN', 'OK')], now: 60, delay: 60, release: [], drop: [1, 2, 3], wakeAt: null },
  { name: 'a change to another bad state is not a revert', held: [c(1, 0, 'OK', 'ERR'), c(2, 10, 'ERR', 'WARN')], now: 80, delay: 60, release: [1, 2], drop: [], wakeAt: null },
  { name: 'after a cancelled pair the next change is judged on its own', held: [c(1, 0, 'OK', 'ERR'), c(2, 10, 'ERR', 'OK'), c(3, 20, 'OK', 'ERR')], now: 60, delay: 60, release: [], drop: [1, 2], wakeAt: 80 },
];
for (const t of cases) {
  test(`reduction: ${t.name}`, () => {
    assert.deepEqual(reduceChanges(t.held, t.now, t.delay), { release: t.release, drop: t.drop, wakeAt: t.wakeAt });
  });
}
