import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyReport, deadlineFor } from './check-state.js';
import type { CheckState } from './types.js';

const T = 1_000_000;
const rep = (state: CheckState, info = 'i', periodS: number | null = 60) => ({ name: 'c', state, info, periodS });
const prev = (state: CheckState, expired = false, patienceS: number | null = null) => ({ state, lastChangeAt: T - 5000, expired, patienceS });

describe('applyReport', () => {
  const cases: [string, ReturnType<typeof prev> | undefined, ReturnType<typeof rep>, [CheckState, CheckState, string] | null][] = [
    ['a new OK check: no flip', undefined, rep('OK'), null],
    ['a new ERR check: compared with OK', undefined, rep('ERR', 'down'), ['OK', 'ERR', 'down']],
    ['a new UNK check: compared with OK', undefined, rep('UNK'), ['OK', 'UNK', 'i']],
    ['the same state again: no flip', prev('WARN'), rep('WARN'), null],
    ['a change: flip', prev('OK'), rep('WARN', 'slow'), ['OK', 'WARN', 'slow']],
    ['a report after expiry, same state: back online', prev('ERR', true), rep('ERR', 'x'), ['ERR', 'ERR', 'back online: x']],
    ['a report after expiry, OK: back online', prev('ERR', true), rep('OK', ''), ['ERR', 'OK', 'back online']],
  ];
  for (const [what, p, r, flip] of cases) {
    it(what, () => {
      const { update, flip: f } = applyReport(p, r, T);
      assert.deepEqual(f && [f.oldState, f.newState, f.info], flip);
      assert.equal(update.state, r.state);
      assert.equal(update.expired, false);
      assert.equal(update.lastReportAt, T);
      assert.equal(update.lastChangeAt, flip || !p ? T : T - 5000);
    });
  }
  it('sets the deadline from period and the check patience', () => {
    assert.equal(applyReport(prev('OK', false, 30), rep('OK', '', 60), T).update.deadlineAt, T + 90_000);
    assert.equal(applyReport(undefined, rep('OK', '', null), T).update.deadlineAt, null);
    assert.equal(deadlineFor(T, 0, 10), null);
  });
});
