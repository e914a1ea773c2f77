// Evaluates metric rules on a timer and reports each rule's outcome as the state of its check
// (source 'metric'), so flips and alerting work exactly as for reported states. A state is reported
// when it or its text changes, and at least every refresh interval otherwise (to keep it fresh
// without writing history on every run). Anomaly detectors live in memory and relearn from the
// stored history (the last two days) when the server starts.
import type { CheckState } from '../domain/types.js';
import type { Store } from '../store/types.js';
import type { QueryResult, TsdbQuery } from '../tsdb/index.js';
import type { Clock } from '../util/clock.js';
import { AnomalyDetector } from './anomaly.js';
import { evaluateThreshold, type ThresholdOutcome } from './threshold.js';
import type { AnomalyRule, MetricRule, RuleRepo, ThresholdRule } from './types.js';

/** The query side of the tsdb that rules need (Tsdb satisfies it). */
export interface RuleReader {
  query(q: TsdbQuery): Promise<QueryResult>;
}

/** Settings of the evaluator. */
export interface RuleEvaluatorOptions {
  store: Store;
  rules: RuleRepo;
  reader: RuleReader;
  clock: Clock;
  /** How often rules are evaluated (default 30 s). */
  intervalMs?: number;
  /** An unchanged outcome is reported again after this long (default 5 min). */
  refreshMs?: number;
  /** History an anomaly detector learns from at start (default 2 days). */
  learnMs?: number;
  onError?: (err: unknown, what: string) => void;
}

interface RuleState {
  last: ThresholdOutcome | null;
  lastReportAt: number;
  detector?: AnomalyDetector;
  /** Start of the last bucket fed to the detector. */
  fedUpTo?: number;
}

const MAX_POINTS = 10_000;

function tagText(tags: Readonly<Record<string, string>>): string {
  const parts = Object.entries(tags).map(([k, v]) => `${k}=${v}`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

function fmt(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}

function durationText(ms: number): string {
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : ms % 60_000 === 0 ? `${ms / 60_000}m` : `${ms / 1000}s`;
}

/** Runs every rule periodically; one instance per server. */
export class RuleEvaluator {
  private readonly states = new Map<number, RuleState>();
  private readonly intervalMs: number;
  private readonly refreshMs: number;
  private readonly learnMs: number;
  private readonly onError: (err: unknown, what: string) => void;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly o: RuleEvaluatorOptions) {
    this.intervalMs = o.intervalMs ?? 30_000;
    this.refreshMs = o.refreshMs ?? 300_000;
    this.learnMs = o.learnMs ?? 2 * 86_400_000;
    this.onError = o.onError ?? (() => undefined);
  }

  /** Starts the timer (unref'd). */
  start(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => { this.evaluateOnce().catch((err: unknown) => this.onError(err, 'rules')); }, this.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for a run in progress. */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.running.catch(() => undefined);
  }

  /** Evaluates every rule once (runs never overlap); a failing rule does not stop the others. */
  evaluateOnce(): Promise<void> {
    const run = this.running.catch(() => undefined).then(async () => {
      const rules = await this.o.rules.list();
      const live = new Set(rules.map((r) => r.id));
      for (const id of this.states.keys()) if (!live.has(id)) this.states.delete(id);
      for (const rule of rules) {
        try {
          await this.evaluate(rule);
        } catch (err) {
          this.onError(err, `rule ${rule.id}`);
        }
      }
    });
    this.running = run;
    return run;
  }

  private async evaluate(rule: MetricRule): Promise<void> {
    const now = this.o.clock.now();
    let state = this.states.get(rule.id);
    if (state === undefined) {
      state = { last: null, lastReportAt: 0 };
      this.states.set(rule.id, state);
    }
    const outcome = rule.kind === 'threshold' ? await this.threshold(rule, now) : await this.anomaly(rule, state, now);
    if (outcome === null) return;
    const changed = state.last === null || state.last.state !== outcome.state || state.last.info !== outcome.info;
    if (!changed && now - state.lastReportAt < this.refreshMs) return;
    await this.report(rule, outcome, now);
    state.last = outcome;
    state.lastReportAt = now;
  }

  /** The metric over the window, from buckets of a tenth of the window (so the window is covered within 10%). */
  private async threshold(rule: ThresholdRule, now: number): Promise<ThresholdOutcome> {
    const step = Math.max(1000, Math.floor(rule.windowMs / 10));
    const base = { projectId: rule.projectId, name: rule.metric, tags: rule.tags, from: now - rule.windowMs, to: now, step, groupBy: [] as string[] };
    const values = async (agg: TsdbQuery['agg']): Promise<number[]> =>
      ((await this.o.reader.query({ ...base, agg })).series[0]?.values ?? []).filter((v): v is number => v !== null);
    let value: number | null = null;
    switch (rule.agg) {
      case 'avg': {
        const [sums, counts] = await Promise.all([values('sum'), values('count')]);
        const n = counts.reduce((a, b) => a + b, 0);
        value = n === 0 ? null : sums.reduce((a, b) => a + b, 0) / n;
        break;
      }
      case 'min': { const v = await values('min'); value = v.length === 0 ? null : Math.min(...v); break; }
      case 'max': { const v = await values('max'); value = v.length === 0 ? null : Math.max(...v); break; }
      case 'sum': { const v = await values('sum'); value = v.length === 0 ? null : v.reduce((a, b) => a + b, 0); break; }
      case 'count': { const v = await values('count'); value = v.reduce((a, b) => a + b, 0); break; }
      case 'last': { const v = await values('last'); value = v.length === 0 ? null : v[v.length - 1]!; break; }
    }
    return evaluateThreshold(rule, value, `${rule.agg}(${rule.metric}${tagText(rule.tags)}) over ${durationText(rule.windowMs)}`);
  }

  /** Feeds the buckets completed since the last run (at first: the learning history); null when none. */
  private async anomaly(rule: AnomalyRule, state: RuleState, now: number): Promise<ThresholdOutcome | null> {
    const step = rule.stepMs;
    state.detector ??= new AnomalyDetector(rule.reaction, 'gauge');
    const learnFrom = now - Math.min(this.learnMs, MAX_POINTS * step);
    const from = state.fedUpTo === undefined ? Math.floor(learnFrom / step) * step : state.fedUpTo + step;
    const lastComplete = Math.floor(now / step) * step - step;
    if (from > lastComplete) return null;
    const r = await this.o.reader.query({ projectId: rule.projectId, name: rule.metric, tags: rule.tags, from, to: lastComplete + step - 1, step, agg: 'avg', groupBy: [] });
    const values = r.series[0]?.values ?? [];
    let outcome: { state: CheckState; info: string } | null = null;
    for (let i = 0; i < r.timestamps.length; i++) {
      const ts = r.timestamps[i]!;
      if (ts > lastComplete) break;
      state.fedUpTo = ts;
      const v = values[i];
      if (v === null || v === undefined) continue;
      const s = state.detector.observe(ts, v);
      outcome = s.expected === null
        ? { state: 'OK', info: `${rule.metric}${tagText(rule.tags)} = ${fmt(v)} (learning)` }
        : { state: s.state, info: `${rule.metric}${tagText(rule.tags)} = ${fmt(v)}, expected ${fmt(s.expected)} (z ${fmt(s.z)})` };
    }
    return outcome;
  }

  private async report(rule: MetricRule, outcome: ThresholdOutcome, now: number): Promise<void> {
    const { store } = this.o;
    const hostId = (await store.hosts.getWithKey(rule.projectId, rule.host))?.id ?? (await store.hosts.register(rule.projectId, rule.host, null, now)).id;
    await store.ingest.reportStates({
      hostId, at: now, address: null, source: 'metric', reason: rule.kind,
      services: [{ name: rule.check, state: outcome.state, info: outcome.info, periodS: null }],
    });
  }
}
