// The calls every metric protocol adapter makes: hand validated samples to the time-series store,
// then wait until they are durable before acknowledging. The adapters do not import the tsdb; the
// composition root passes it in (Tsdb satisfies SampleSink as it is).
import type { MetricType, Tags } from '../tsdb/types.js';

/** Where samples go: buffered appends, then one shared durable commit. */
export interface SampleSink {
  /** Buffers one sample; null when accepted, else why it is refused (bad name, too old, …). */
  append(projectId: number, name: string, tags: Tags, timestampMs: number, value: number, type?: MetricType): string | null;
  /** Resolves once every sample appended before the call is durable; rejects when they are not. */
  commit(): Promise<void>;
}
