// The one call every metric protocol adapter makes: hand validated samples of one project to the
// time-series store. The adapters do not know the tsdb; the composition root passes a SampleSink.
import type { MetricType } from '../tsdb/types.js';

/** One sample to store: a series (name + tags) and a point. */
export interface IngestSample {
  name: string;
  tags: Record<string, string>;
  /** Milliseconds since the epoch. */
  timestampMs: number;
  value: number;
  type: MetricType;
}

/** Where samples go. `write` resolves once every sample is durable and rejects (nothing acknowledged) otherwise. */
export interface SampleSink {
  /** Why a sample would be refused by the store (bad name, too many tags), or null; checked before `write`. */
  problem(name: string, tags: Readonly<Record<string, string>>): string | null;
  write(projectId: number, samples: readonly IngestSample[]): Promise<void>;
}
