// Anomaly detection on one series, pure and incremental (OddEye `reaction` semantics, PROTOCOLS.md
// §2), additive Holt-Winters style: expected = level + seasonal offset of the time-of-day slot (daily
// seasonality by default). The level moves slowly (hours), so slow drifts still stand out; the spread
// is the exponentially weighted RMS of the residuals, pooled over all slots and clipped, so that it
// is stable and an anomaly cannot widen it. z = (value − expected) / spread; |z| beyond warnZ / errZ
// is WARN / ERR. Nothing is scored before one whole season was seen.
// reaction −1 ignores lower-than-expected values, −2 higher-than-expected, −3 neither learns nor
// alerts. Counters are scored on their per-second rate; a lower value is a reset: never an anomaly.
// Anomalous values are learned with a tenth of the weight, so a lasting level shift is absorbed
// over hours, not at once.
import type { CheckState } from '../domain/types.js';
import type { MetricType } from '../tsdb/types.js';

/** Detector settings; every field has a default. Weights are per value (tuned for one value a minute). */
export interface AnomalyOptions {
  /** Length of a seasonal slot (default 10 min). */
  slotMs?: number;
  /** Length of the season (default 1 day; a week is 7 × 86 400 000). */
  seasonMs?: number;
  /** Weight of a new value in its slot's seasonal offset (default 0.02: a slot adapts over days). */
  seasonAlpha?: number;
  /** Weight of a new value in the level (default 0.002: hours, so that slow drifts still show). */
  levelAlpha?: number;
  /** Weight of a new residual in the spread (default 0.001). */
  residAlpha?: number;
  /** |z| above this is WARN (default 4.5). */
  warnZ?: number;
  /** |z| above this is ERR (default 7). */
  errZ?: number;
  /** Smallest spread, relative to |expected| (default 0.001), so that a flat series does not alarm on noise. */
  minRelSpread?: number;
  /** Smallest spread in absolute terms (default 1e-9). */
  minAbsSpread?: number;
}

/** The score of one value. */
export interface AnomalyScore {
  /** The value scored (a counter's rate), or null when it was not scored (counter reset or first value, reaction −3). */
  value: number | null;
  /** The expected value, or null while the detector is still learning its first season. */
  expected: number | null;
  z: number;
  state: CheckState;
}

/** The learned baseline of one series; feed values in time order. */
export class AnomalyDetector {
  private readonly o: Required<AnomalyOptions>;
  /** Seasonal offset per slot (value − level), and how many values each slot has seen. */
  private readonly offset: Float64Array;
  private readonly seen: Uint32Array;
  private level = 0;
  private n = 0;
  private firstTs: number | null = null;
  /** Exponentially weighted mean square of the residuals (value − expected), pooled over all slots. */
  private residSq = 0;
  private residN = 0;
  private prev: { ts: number; value: number } | null = null;

  constructor(private readonly reaction: number, private readonly type: MetricType, opts: AnomalyOptions = {}) {
    this.o = {
      slotMs: opts.slotMs ?? 600_000, seasonMs: opts.seasonMs ?? 86_400_000, seasonAlpha: opts.seasonAlpha ?? 0.02,
      levelAlpha: opts.levelAlpha ?? 0.002, residAlpha: opts.residAlpha ?? 0.001, warnZ: opts.warnZ ?? 4.5, errZ: opts.errZ ?? 7,
      minRelSpread: opts.minRelSpread ?? 0.001, minAbsSpread: opts.minAbsSpread ?? 1e-9,
    };
    if (!(this.o.slotMs > 0) || this.o.seasonMs % this.o.slotMs !== 0) throw new Error('anomaly: seasonMs must be a whole number of slots');
    const slots = this.o.seasonMs / this.o.slotMs;
    this.offset = new Float64Array(slots);
    this.seen = new Uint32Array(slots);
  }

  private slotOf(ts: number): number {
    return Math.floor((((ts % this.o.seasonMs) + this.o.seasonMs) % this.o.seasonMs) / this.o.slotMs);
  }

  /**
   * Scores `value` at `ts` and learns from it:
   * 1. counters become per-second rates (a drop is a reset: not scored, not learned);
   * 2. expected = level + the slot's seasonal offset; nothing is scored during the first season;
   * 3. z is judged by the reaction; 4. the value is learned (anomalies with a tenth of the weight).
   */
  observe(ts: number, value: number): AnomalyScore {
    const none: AnomalyScore = { value: null, expected: null, z: 0, state: 'OK' };
    let x = value;
    if (this.type === 'counter') {
      const prev = this.prev;
      this.prev = { ts, value };
      if (prev === null || ts <= prev.ts || value < prev.value) return none;
      x = ((value - prev.value) * 1000) / (ts - prev.ts);
    }
    if (!Number.isFinite(x) || this.reaction === -3) return none;
    this.firstTs ??= ts;
    const slot = this.slotOf(ts);
    const expected = this.n === 0 ? x : this.level + this.offset[slot]!;
    const scored = ts - this.firstTs >= this.o.seasonMs && this.residN > 0;
    let z = 0;
    let state: CheckState = 'OK';
    if (scored) {
      const spread = Math.max(Math.sqrt(this.residSq), this.o.minRelSpread * Math.abs(expected), this.o.minAbsSpread);
      z = (x - expected) / spread;
      const counts = !(this.reaction === -1 && z < 0) && !(this.reaction === -2 && z > 0);
      if (counts && Math.abs(z) > this.o.errZ) state = 'ERR';
      else if (counts && Math.abs(z) > this.o.warnZ) state = 'WARN';
    }
    this.learn(x, slot, expected, scored, Math.abs(z) > this.o.warnZ ? 0.1 : 1);
    return scored ? { value: x, expected, z, state } : { ...none, value: x };
  }

  /**
   * Updates level, the slot's offset and the spread. Once scoring, a residual beyond 2.5 spreads is
   * not learned into the spread (so a slow drift cannot widen the band step by step); the ones kept
   * are divided by 0.9, the mean square of a normal variable cut at ±2.5, to stay unbiased.
   */
  private learn(x: number, slot: number, expected: number, scored: boolean, weight: number): void {
    const r2 = (x - expected) ** 2;
    if (this.n > 0 && !(scored && r2 > 6.25 * this.residSq)) {
      this.residSq += Math.max(this.o.residAlpha, 1 / (this.residN + 1)) * ((scored ? r2 / 0.9 : r2) - this.residSq);
      this.residN++;
    }
    // Level: fast at first (plain average), then slow; it follows the deseasonalised value.
    const la = Math.max(this.o.levelAlpha, 1 / (this.n + 1)) * weight;
    this.level += la * (x - this.offset[slot]! - this.level);
    this.n++;
    const sa = Math.max(this.o.seasonAlpha, 1 / (this.seen[slot]! + 1)) * weight;
    this.offset[slot] = this.offset[slot]! + sa * (x - this.level - this.offset[slot]!);
    this.seen[slot] = this.seen[slot]! + 1;
  }
}
