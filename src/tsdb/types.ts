// Vocabulary of the time-series store shared by its modules and its callers.

/** How a series' values behave. counter: monotonic, a lower value is a reset; rate: already per second; percent: 0..100. */
export type MetricType = 'gauge' | 'counter' | 'rate' | 'percent';

/** All metric types. */
export const METRIC_TYPES: readonly MetricType[] = ['gauge', 'counter', 'rate', 'percent'];

/** Tags of a series: string to string, order does not matter. */
export type Tags = Readonly<Record<string, string>>;
