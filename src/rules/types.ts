// Metric rules: a threshold or an anomaly detector on a series (or a filtered group of series),
// whose outcome is the state of a check (source 'metric'), with flips like any reported state.
import type { TagFilter } from '../tsdb/index.js';
import type { ThresholdLevels } from './threshold.js';

/** Aggregations a threshold rule can apply over its window. */
export const THRESHOLD_AGGS = ['avg', 'min', 'max', 'sum', 'count', 'last'] as const;

/** One of THRESHOLD_AGGS. */
export type ThresholdAgg = (typeof THRESHOLD_AGGS)[number];

/** Fields every rule has. */
interface RuleBase {
  id: number;
  projectId: number;
  /** Host the rule's check belongs to (created without key if missing), e.g. `metrics`. */
  host: string;
  /** Name of the rule's check. */
  check: string;
  metric: string;
  /** Which series of the metric (exact value, `*`, or `a|b`); all of them are combined. */
  tags: TagFilter;
  createdAt: number;
}

/** The metric aggregated over the last `windowMs` against warn/crit levels. */
export interface ThresholdRule extends RuleBase, ThresholdLevels {
  kind: 'threshold';
  agg: ThresholdAgg;
  windowMs: number;
}

/** The metric averaged per `stepMs` and scored by the anomaly detector (OddEye reaction semantics). */
export interface AnomalyRule extends RuleBase {
  kind: 'anomaly';
  /** 0 learn and alert; −1 ignore lower; −2 ignore higher; −3 off. */
  reaction: number;
  stepMs: number;
}

/** A stored rule. */
export type MetricRule = ThresholdRule | AnomalyRule;

/** A rule before it is stored. */
export type NewMetricRule = Omit<ThresholdRule, 'id' | 'createdAt'> | Omit<AnomalyRule, 'id' | 'createdAt'>;

/** Storage of rules. */
export interface RuleRepo {
  list(projectId?: number): Promise<MetricRule[]>;
  get(id: number): Promise<MetricRule | null>;
  create(rule: NewMetricRule, now: number): Promise<MetricRule>;
  delete(id: number): Promise<boolean>;
}
