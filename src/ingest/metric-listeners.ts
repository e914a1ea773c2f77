// The socket listeners of the metric protocols in one call for the composition root: statsd over
// UDP and Graphite plaintext over TCP, on the server's host, each disabled by port 0. Both apply
// the project's series limit (quota.ts) when one is given.
import type { SelfMetrics } from '../server/self-metrics.js';
import type { Clock } from '../util/clock.js';
import { startGraphiteListener, type GraphiteListener } from './graphite-listener.js';
import type { ListenerQuota } from './quota.js';
import type { SampleSink } from './samples.js';
import { startStatsdListener, type FlushSlot, type StatsdListener } from './statsd-listener.js';

/** What startMetricListeners needs. */
export interface MetricListenerOptions {
  /** Address to bind (the server's `host`, default 127.0.0.1). */
  host: string;
  /** statsd UDP port; 0 disables the listener. */
  statsdPort: number;
  /** Graphite TCP port; 0 disables the listener. */
  graphitePort: number;
  /** Project the series go to (the default project). */
  projectId: number;
  samples: SampleSink;
  clock: Clock;
  metrics: SelfMetrics;
  /** statsd flush interval in ms (default 10 000). */
  statsdFlushMs?: number;
  /** Several nodes: this node's sample slot for statsd flush timestamps (see StatsdListenerOptions). */
  statsdFlushSlot?: FlushSlot;
  onError?: (err: unknown, what: string) => void;
  /** Series limit of the project (quota.ts); absent: no limit. */
  quota?: ListenerQuota | null;
  /** Told once per statsd flush / Graphite report interval how many samples of new series over the limit were dropped. */
  onQuotaDrops?: (protocol: 'statsd' | 'graphite', project: string, dropped: number) => void;
}

/** The running listeners (null when disabled). */
export interface MetricListeners {
  statsd: StatsdListener | null;
  graphite: GraphiteListener | null;
  /** Closes both (statsd flushes its last interval first). Idempotent. */
  close(): Promise<void>;
}

/** Starts the enabled listeners; if the second fails to bind, the first is closed again. */
export async function startMetricListeners(o: MetricListenerOptions): Promise<MetricListeners> {
  const common = {
    host: o.host, projectId: o.projectId, samples: o.samples, clock: o.clock, metrics: o.metrics, quota: o.quota ?? null, ...(o.onError ? { onError: o.onError } : {}),
  };
  const onDrops = o.onQuotaDrops;
  const statsd = o.statsdPort === 0 ? null
    : await startStatsdListener({
      ...common, port: o.statsdPort, ...(o.statsdFlushMs !== undefined ? { flushIntervalMs: o.statsdFlushMs } : {}),
      ...(o.statsdFlushSlot !== undefined ? { flushSlot: o.statsdFlushSlot } : {}),
      ...(onDrops ? { onQuotaDrops: (project: string, n: number) => onDrops('statsd', project, n) } : {}),
    });
  let graphite: GraphiteListener | null = null;
  try {
    graphite = o.graphitePort === 0 ? null : await startGraphiteListener({
      ...common, port: o.graphitePort,
      ...(o.statsdFlushMs !== undefined ? { quotaReportMs: o.statsdFlushMs } : {}),
      ...(onDrops ? { onQuotaDrops: (project: string, n: number) => onDrops('graphite', project, n) } : {}),
    });
  } catch (err) {
    await statsd?.close();
    throw err;
  }
  let closing: Promise<void> | null = null;
  return {
    statsd,
    graphite,
    close() {
      closing ??= Promise.all([statsd?.close(), graphite?.close()]).then(() => undefined);
      return closing;
    },
  };
}
