// Measures the anomaly detector on synthetic series (for tests and `npm run bench`): daily
// seasonality plus noise and a slow drift, with injected spikes, level shifts and slow ramps. Reports
// recall (injected events flagged) and false alarms (alarm episodes outside events) per series-day.
import { AnomalyDetector, type AnomalyOptions } from './anomaly.js';

/** Settings of a measurement run. */
export interface AnomalyEvalOptions {
  seed?: number;
  series?: number;
  days?: number;
  /** Sample interval (default 60 s). */
  stepMs?: number;
  detector?: AnomalyOptions;
}

/** Figures of a run. */
export interface AnomalyEvalResult {
  seriesDays: number;
  events: { spike: number; shift: number; drift: number };
  detected: { spike: number; shift: number; drift: number };
  recall: number;
  falseAlarms: number;
  falseAlarmsPerSeriesDay: number;
}

/** A small seeded PRNG (mulberry32): the same seed gives the same series. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY = 86_400_000;
const HOUR = 3_600_000;

/**
 * Runs the detector over `series` synthetic series of `days` days:
 * 1. value = 100 + 30·sin(day phase) + drift (up to +10 over the run) + N(0, σ=3) noise;
 * 2. from day 3 on, one event per day at a random time: a spike (one value ±10σ), a level shift
 *    (+8σ for 2 h) or a slow drift (a ramp to +10σ over 6 h, held 2 h);
 * 3. an event counts as detected when an alarm is raised at the spike, within the first 10 minutes
 *    of the shift, or at any time during the drift; alarm episodes that start elsewhere (outside an
 *    event and the 2 h after it) are false alarms.
 */
export function measureAnomalyDetection(opts: AnomalyEvalOptions = {}): AnomalyEvalResult {
  const rnd = prng(opts.seed ?? 42);
  const gauss = (): number => Math.sqrt(-2 * Math.log(rnd() || 1e-12)) * Math.cos(2 * Math.PI * rnd());
  const nSeries = opts.series ?? 10;
  const days = opts.days ?? 14;
  const step = opts.stepMs ?? 60_000;
  const sigma = 3;
  const res: AnomalyEvalResult = { seriesDays: nSeries * days, events: { spike: 0, shift: 0, drift: 0 }, detected: { spike: 0, shift: 0, drift: 0 }, recall: 0, falseAlarms: 0, falseAlarmsPerSeriesDay: 0 };
  for (let s = 0; s < nSeries; s++) {
    const det = new AnomalyDetector(0, 'gauge', opts.detector);
    // Events: [start, end, kind, sign].
    const events: { start: number; end: number; kind: 'spike' | 'shift' | 'drift'; sign: number }[] = [];
    for (let d = 3; d < days; d++) {
      const start = d * DAY + Math.floor(rnd() * (DAY - 10 * HOUR) / step) * step;
      const r = rnd();
      const kind = r < 0.4 ? 'spike' : r < 0.8 ? 'shift' : 'drift';
      events.push({ start, end: kind === 'spike' ? start : start + (kind === 'shift' ? 2 : 8) * HOUR, kind, sign: rnd() < 0.5 ? -1 : 1 });
      res.events[kind]++;
    }
    let wasAlarm = false;
    let ev = 0;
    const flagged = new Set<number>();
    for (let t = 0; t < days * DAY; t += step) {
      while (ev < events.length && events[ev]!.end + 2 * HOUR < t) ev++;
      const e = events[ev];
      const inEvent = e !== undefined && t >= e.start && t <= e.end;
      const inGrace = e !== undefined && t >= e.start && t <= e.end + 2 * HOUR;
      let v = 100 + 30 * Math.sin((2 * Math.PI * (t % DAY)) / DAY) + (10 * t) / (days * DAY) + sigma * gauss();
      if (inEvent) {
        // spike: one value ±10σ; shift: +8σ at once; drift: a ramp to +10σ over 6 h, held for 2 h.
        v += e.kind === 'spike' ? e.sign * 10 * sigma : e.kind === 'shift' ? 8 * sigma : 10 * sigma * Math.min(1, (t - e.start) / (6 * HOUR));
      }
      const alarm = det.observe(t, v).state !== 'OK';
      if (alarm && inEvent && e !== undefined && (e.kind !== 'shift' || t < e.start + 10 * 60_000)) flagged.add(ev);
      if (alarm && !wasAlarm && !inGrace) res.falseAlarms++;
      wasAlarm = alarm;
    }
    for (const i of flagged) res.detected[events[i]!.kind]++;
  }
  const total = res.events.spike + res.events.shift + res.events.drift;
  res.recall = total === 0 ? 1 : (res.detected.spike + res.detected.shift + res.detected.drift) / total;
  res.falseAlarmsPerSeriesDay = res.falseAlarms / res.seriesDays;
  return res;
}
