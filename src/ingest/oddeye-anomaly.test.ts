import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OddEyeElement } from '../protocols/oddeye.js';
import { anomalyCheckName, OddEyeAnomalies } from './oddeye-anomaly.js';

const DAY = 86_400_000;
const MIN = 60_000;
const el = (t: number, value: number, over: Partial<OddEyeElement> = {}): OddEyeElement => ({
  metric: 'cpu', timestampMs: t, value, tags: { host: 'h1', core: '0' }, type: 'none', reaction: 0, status: null, message: '', ...over,
});
/** A day and a bit of a steady series with a little noise. */
function learn(a: OddEyeAnomalies, over: Partial<OddEyeElement> = {}): number {
  let t = 0;
  for (; t <= DAY + 60 * MIN; t += MIN) assert.equal(a.observe(1, el(t, 50 + ((t / MIN) % 7) - 3, over)), null);
  return t;
}

describe('OddEye dynamic alerting', () => {
  it('names the check after the metric and its tags other than host', () => {
    assert.equal(anomalyCheckName('cpu', { host: 'h', b: '2', a: '1' }), 'anomaly: cpu{a=1,b=2}');
    assert.equal(anomalyCheckName('load', { host: 'h' }), 'anomaly: load');
  });

  it('reports a spike once as a change, then the return into the band once', () => {
    const a = new OddEyeAnomalies();
    const t = learn(a);
    const up = a.observe(1, el(t, 500));
    assert.equal(up?.host, 'h1');
    assert.equal(up?.report.name, 'anomaly: cpu{core=0}');
    assert.equal(up?.report.state, 'ERR');
    assert.match(up!.report.info, /^500 is above the expected [\d.]+ \(z [\d.]+\)$/);
    assert.equal(a.observe(1, el(t + MIN, 600)), null, 'still ERR: no new change');
    const back = a.observe(1, el(t + 2 * MIN, 50));
    assert.equal(back?.report.state, 'OK');
    assert.match(back!.report.info, /^back in band/);
  });

  const reactions: [string, number, number, string | null][] = [
    ['reaction −1 ignores a drop', -1, 0, null],
    ['reaction −1 alerts on a rise', -1, 500, 'ERR'],
    ['reaction −2 ignores a rise', -2, 500, null],
    ['reaction −2 alerts on a drop', -2, -400, 'ERR'],
  ];
  for (const [what, reaction, value, state] of reactions) {
    it(what, () => {
      const a = new OddEyeAnomalies();
      const t = learn(a, { reaction });
      assert.equal(a.observe(1, el(t, value, { reaction }))?.report.state ?? null, state);
    });
  }

  it('reaction −3 tracks nothing, and turning it to −3 clears a raised anomaly', () => {
    const a = new OddEyeAnomalies();
    assert.equal(a.observe(1, el(0, 1, { reaction: -3 })), null);
    assert.equal(a.size, 0);
    const t = learn(a);
    assert.equal(a.observe(1, el(t, 900))?.report.state, 'ERR');
    const off = a.observe(1, el(t + MIN, 900, { reaction: -3 }));
    assert.deepEqual([off?.report.state, off?.report.info], ['OK', 'anomaly detection turned off (reaction)']);
    assert.equal(a.size, 0);
  });

  it('counter resets are not anomalies', () => {
    const a = new OddEyeAnomalies();
    let v = 0;
    let t = 0;
    for (; t <= DAY + 60 * MIN; t += MIN) a.observe(1, el(t, (v += 100 + ((t / MIN) % 3)), { type: 'counter' }));
    assert.equal(a.observe(1, el(t, 3, { type: 'counter' })), null);
    assert.equal(a.observe(1, el(t + MIN, 104, { type: 'counter' })), null);
  });

  it('skips values older than the last one, and bounds the number of tracked series', () => {
    const a = new OddEyeAnomalies(2);
    const t = learn(a);
    assert.equal(a.observe(1, el(t - 5 * MIN, 10_000)), null, 'out of order');
    a.observe(1, el(0, 1, { metric: 'b' }));
    a.observe(1, el(0, 1, { metric: 'c' }));
    assert.equal(a.size, 2);
  });
});
