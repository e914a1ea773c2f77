import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AnomalyDetector } from './anomaly.js';
import { measureAnomalyDetection, prng } from './anomaly-eval.js';

const DAY = 86_400_000;
const MIN = 60_000;

/** Feeds two days of a seasonal series with noise (σ = 1) and returns the detector ready to score. */
function trained(reaction: number): { det: AnomalyDetector; next: (t: number) => number } {
  const rnd = prng(3);
  const gauss = (): number => Math.sqrt(-2 * Math.log(rnd() || 1e-12)) * Math.cos(2 * Math.PI * rnd());
  const det = new AnomalyDetector(reaction, 'gauge');
  const base = (t: number): number => 50 + 10 * Math.sin((2 * Math.PI * (t % DAY)) / DAY);
  for (let t = 0; t < 2 * DAY; t += MIN) det.observe(t, base(t) + gauss());
  return { det, next: base };
}

describe('anomaly detection (OddEye reaction semantics)', () => {
  const t = 2 * DAY + 6 * 3_600_000;
  const cases: [string, number, number, string][] = [
    ['reaction 0: a high spike is ERR', 0, +12, 'ERR'],
    ['reaction 0: a low spike is ERR', 0, -12, 'ERR'],
    ['reaction 0: a moderate excursion is WARN', 0, +7.5, 'WARN'],
    ['reaction 0: normal noise is OK', 0, +1, 'OK'],
    ['reaction −1 ignores lower-than-expected', -1, -12, 'OK'],
    ['reaction −1 still alerts on higher', -1, +12, 'ERR'],
    ['reaction −2 ignores higher-than-expected', -2, +12, 'OK'],
    ['reaction −2 still alerts on lower', -2, -12, 'ERR'],
    ['reaction −3 neither learns nor alerts', -3, +100, 'OK'],
  ];
  for (const [what, reaction, delta, state] of cases) {
    it(what, () => {
      const { det, next } = trained(reaction);
      const s = det.observe(t, next(t) + delta);
      assert.equal(s.state, state, `z = ${s.z}`);
      if (reaction === -3) assert.equal(s.expected, null);
    });
  }

  it('scores nothing during the first season', () => {
    const det = new AnomalyDetector(0, 'gauge');
    for (let x = 0; x < DAY; x += MIN) assert.equal(det.observe(x, x % (2 * MIN) === 0 ? 1 : 1000).state, 'OK');
  });

  it('counters are scored on their rate, and a reset (lower value) is never an anomaly', () => {
    const det = new AnomalyDetector(0, 'counter');
    let v = 0;
    for (let x = 0; x < 2 * DAY; x += MIN) det.observe(x, (v += 600 + (x % 7)));
    const reset = det.observe(2 * DAY, 5);
    assert.deepEqual([reset.state, reset.value], ['OK', null]);
    const after = det.observe(2 * DAY + MIN, 5 + 603);
    assert.equal(after.state, 'OK', 'the rate after a reset is normal');
    assert.ok(Math.abs((after.value ?? 0) - 10.05) < 0.001);
    const burst = det.observe(2 * DAY + 2 * MIN, 608 + 60_000);
    assert.equal(burst.state, 'ERR', 'a 100× rate is an anomaly');
  });

  it('measured on synthetic series (spikes, level shifts, slow drifts): recall ≥ 0.95, false alarms ≤ 0.05 per series-day', () => {
    const r = measureAnomalyDetection({ seed: 42, series: 20, days: 14 });
    console.log(`anomaly detection: recall ${r.recall.toFixed(3)} (spikes ${r.detected.spike}/${r.events.spike}, shifts ${r.detected.shift}/${r.events.shift}, drifts ${r.detected.drift}/${r.events.drift}), false alarms ${r.falseAlarmsPerSeriesDay.toFixed(4)} per series-day over ${r.seriesDays} series-days`);
    assert.ok(r.recall >= 0.95, `recall ${r.recall}`);
    assert.ok(r.falseAlarmsPerSeriesDay <= 0.05, `false alarms ${r.falseAlarmsPerSeriesDay}`);
  });
});
