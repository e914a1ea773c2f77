// OddEye's dynamic alerting: every ordinary OddEye series is scored by an anomaly detector as its
// values arrive, with the element's `reaction` (0 learn and alert, −1 ignore lower, −2 ignore higher,
// −3 off). Only a change of a series' anomaly state is reported, as the check `anomaly: <metric>{tags}`
// (source 'oddeye') under the host of `tags.host` — so a series gets a check the first time it leaves
// its band, and the check returns to OK when the values do. Detectors live in memory (they relearn
// for one day after a restart) and their number is bounded.
import type { CheckState } from '../domain/types.js';
import type { OddEyeElement } from '../protocols/oddeye.js';
import { oddEyeTypeToMetricType } from '../protocols/oddeye.js';
import { AnomalyDetector } from '../rules/anomaly.js';
import type { ReportedState } from '../domain/check-state.js';

/** Most series tracked at once (about 2 KB each); further series are not scored. */
export const ODDEYE_MAX_DETECTORS = 50_000;

/** A change of anomaly state to report, for one host. */
export interface AnomalyChange {
  host: string;
  report: ReportedState;
}

interface Tracked {
  detector: AnomalyDetector;
  reaction: number;
  lastTs: number;
  state: CheckState;
}

/** The check name of a series: `anomaly: metric{k=v,…}` (the host tag is the check's host, so it is left out). */
export function anomalyCheckName(metric: string, tags: Readonly<Record<string, string>>): string {
  const parts = Object.keys(tags).filter((k) => k !== 'host').sort().map((k) => `${k}=${tags[k]}`);
  return `anomaly: ${metric}${parts.length === 0 ? '' : `{${parts.join(',')}}`}`.slice(0, 255);
}

function fmt(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}

/** Scores OddEye series; one instance per server (per project id in the key). */
export class OddEyeAnomalies {
  private readonly series = new Map<string, Tracked>();

  constructor(private readonly maxDetectors = ODDEYE_MAX_DETECTORS, private readonly defaultHost = 'oddeye') {}

  /** How many series are tracked. */
  get size(): number {
    return this.series.size;
  }

  /**
   * Scores one stored element and returns the state change to report, if any:
   * 1. reaction −3 drops the series' detector (and reports OK once if it was not OK);
   * 2. a changed reaction starts a new detector; values older than the last one are skipped;
   * 3. a state different from the last one is a change.
   */
  observe(projectId: number, el: OddEyeElement): AnomalyChange | null {
    const key = `${projectId}\u0000${anomalyCheckName(el.metric, el.tags)}\u0000${el.tags.host ?? ''}`;
    let t = this.series.get(key);
    const host = el.tags.host ?? this.defaultHost;
    const name = anomalyCheckName(el.metric, el.tags);
    if (el.reaction <= -3 || el.reaction > 0) {
      if (t === undefined) return null;
      this.series.delete(key);
      return t.state === 'OK' ? null : { host, report: { name, state: 'OK', info: 'anomaly detection turned off (reaction)', periodS: null } };
    }
    if (t === undefined || t.reaction !== el.reaction) {
      if (t === undefined && this.series.size >= this.maxDetectors) return null;
      t = { detector: new AnomalyDetector(el.reaction, oddEyeTypeToMetricType(el.type)), reaction: el.reaction, lastTs: -Infinity, state: t?.state ?? 'OK' };
      this.series.set(key, t);
    }
    if (el.timestampMs <= t.lastTs) return null;
    t.lastTs = el.timestampMs;
    const s = t.detector.observe(el.timestampMs, el.value);
    if (s.value === null || s.expected === null || s.state === t.state) return null;
    t.state = s.state;
    const info = s.state === 'OK'
      ? `back in band: ${fmt(s.value)}, expected ${fmt(s.expected)}`
      : `${fmt(s.value)} is ${s.z > 0 ? 'above' : 'below'} the expected ${fmt(s.expected)} (z ${fmt(s.z)})`;
    return { host, report: { name, state: s.state, info, periodS: null } };
  }
}
