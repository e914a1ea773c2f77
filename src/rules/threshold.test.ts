import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateThreshold, levelsProblem, type ThresholdLevels } from './threshold.js';

const levels = (l: Partial<ThresholdLevels>): ThresholdLevels => ({ warnAbove: null, critAbove: null, warnBelow: null, critBelow: null, ...l });

describe('threshold rules', () => {
  const both = levels({ warnAbove: 80, critAbove: 90, warnBelow: 10, critBelow: 5 });
  const table: [string, ThresholdLevels, number | null, string, string][] = [
    ['inside the levels', both, 50, 'OK', 'avg(cpu) = 50'],
    ['above warn', both, 85, 'WARN', 'avg(cpu) = 85 > warn 80'],
    ['above crit (crit wins over warn)', both, 95.1234, 'ERR', 'avg(cpu) = 95.123 > crit 90'],
    ['exactly at warn is not above', both, 80, 'OK', 'avg(cpu) = 80'],
    ['below warn', both, 7, 'WARN', 'avg(cpu) = 7 < warn 10'],
    ['below crit', both, 1, 'ERR', 'avg(cpu) = 1 < crit 5'],
    ['only a crit level', levels({ critAbove: 1 }), 2, 'ERR', 'avg(cpu) = 2 > crit 1'],
    ['no data in the window', both, null, 'UNK', 'avg(cpu): no data'],
    ['NaN', both, Number.NaN, 'UNK', 'avg(cpu): no data'],
  ];
  for (const [what, l, value, state, info] of table) {
    it(`${what}: ${state}`, () => assert.deepEqual(evaluateThreshold(l, value, 'avg(cpu)'), { state, info }));
  }

  const problems: [Partial<ThresholdLevels>, string | null][] = [
    [{}, 'at least one level is required'],
    [{ warnAbove: 95, critAbove: 90 }, 'warnAbove must not be above critAbove'],
    [{ warnBelow: 1, critBelow: 5 }, 'warnBelow must not be below critBelow'],
    [{ warnAbove: 80, critAbove: 90, warnBelow: 10, critBelow: 5 }, null],
  ];
  for (const [l, want] of problems) it(`levelsProblem(${JSON.stringify(l)}) is ${String(want)}`, () => assert.equal(levelsProblem(levels(l)), want));
});
