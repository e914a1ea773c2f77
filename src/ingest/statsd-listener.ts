// statsd over UDP (PROTOCOLS.md §5): datagrams are parsed as they arrive (a malformed line is
// counted and skipped, the rest of the datagram kept), aggregated in memory, and flushed into the
// tsdb every flush interval (10 s by default) with one durable commit. The socket asks for a large
// receive buffer; datagrams the kernel dropped anyway are read from /proc/net/udp{,6} and exposed
// in self-metrics, as are samples lost to a failed commit. With a series limit (`[limits]`,
// quota.ts) a flush drops the samples of new series beyond it, counts them as rejected
// (reason "quota") and warns once per flush with the project and count.
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { Counter, Gauge, type Registry } from 'prom-client';
import { parseStatsdDatagramFast } from './statsd-fast.js';
import type { SelfMetrics } from '../server/self-metrics.js';
import { StatsdAggregator } from '../tsdb/statsd-aggregator.js';
import type { Clock } from '../util/clock.js';
import { appendAdmitted, type ListenerQuota, type QuotaBatch } from './quota.js';
import type { SampleSink } from './samples.js';

/** Receive buffer asked for by default (the kernel caps it at net.core.rmem_max). */
export const STATSD_DEFAULT_RCVBUF = 32 * 1024 * 1024;

/** Settings of the statsd listener. */
export interface StatsdListenerOptions {
  /** Address to bind, e.g. 127.0.0.1 (default of the server) or :: for every IPv6/IPv4 address. */
  host: string;
  /** UDP port; 0 picks a free one (tests). */
  port: number;
  /** Project the flushed series belong to. */
  projectId: number;
  samples: SampleSink;
  clock: Clock;
  metrics: SelfMetrics;
  /** Flush interval in ms (default 10 000). */
  flushIntervalMs?: number;
  /** Timer percentiles (default [90]). */
  percentiles?: readonly number[];
  /** Receive buffer to ask for in bytes (default STATSD_DEFAULT_RCVBUF). */
  recvBufferBytes?: number;
  /** Reports background failures (a flush that could not be made durable). */
  onError?: (err: unknown, what: string) => void;
  /**
   * Several nodes: flush timestamps are ≡ `slot` (mod `modulusMs`), each later than the previous
   * flush's, so flushes of two nodes holding different slots never share a timestamp (and neither
   * replaces the other's counts). Absent: a flush is stamped with the clock as it is.
   */
  flushSlot?: FlushSlot;
  /** Series limit of the project (quota.ts); absent or unlimited: every series is flushed. */
  quota?: ListenerQuota | null;
  /** Told once per flush that dropped samples of new series over the limit (the runtime logs a warning). */
  onQuotaDrops?: (project: string, dropped: number) => void;
}

/** A node's sample slot (see StatsdListenerOptions.flushSlot). */
export interface FlushSlot {
  slot: number;
  modulusMs: number;
}

/** The timestamp of a flush at `now`: the latest ≡ slot (mod modulus) not after now, and after `last`. */
export function slotTimestamp(now: number, last: number, s: FlushSlot): number {
  let t = Math.floor(now / s.modulusMs) * s.modulusMs + s.slot;
  if (t > now) t -= s.modulusMs;
  if (t <= last) t += Math.ceil((last - t + 1) / s.modulusMs) * s.modulusMs;
  return t;
}

/** A running statsd listener. */
export interface StatsdListener {
  /** The bound UDP port. */
  port: number;
  /** The receive buffer the kernel granted (bytes). */
  recvBufferBytes: number;
  /** Datagrams received so far. */
  received(): number;
  /** Flushes the current interval (and the self-metric counts) now; resolves once its samples are durable. */
  flush(): Promise<void>;
  /** Stops receiving, flushes what was aggregated, and releases the socket. Idempotent. */
  close(): Promise<void>;
}

/** The kernel's drop counter of the UDP socket bound to `port` (Linux /proc), or null when unknown. */
export function readUdpDrops(port: number, files: readonly string[] = ['/proc/net/udp', '/proc/net/udp6']): number | null {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  let found: number | null = null;
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 13 || !cols[1]!.endsWith(`:${hexPort}`)) continue;
      const drops = Number(cols[12]);
      if (Number.isFinite(drops)) found = (found ?? 0) + drops;
    }
  }
  return found;
}

function counterIn(registry: Registry, name: string, help: string): Counter {
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Counter) return existing;
  return new Counter({ name, help, registers: [registry] });
}

/**
 * Binds the socket and starts the flush timer:
 * 1. bind, then ask for the receive buffer; 2. each datagram → parse → aggregate;
 * 3. every interval (and on close) → aggregator.flush → append → one commit.
 */
export async function startStatsdListener(opts: StatsdListenerOptions): Promise<StatsdListener> {
  const { samples, clock, metrics, projectId } = opts;
  const quota = opts.quota && opts.quota.quota.limitOf(opts.quota.project) !== null ? opts.quota : null;
  const intervalMs = opts.flushIntervalMs ?? 10_000;
  const aggregator = new StatsdAggregator({ flushIntervalMs: intervalMs, ...(opts.percentiles ? { percentiles: opts.percentiles } : {}) });
  const onError = opts.onError ?? (() => undefined);
  const onQuotaDrops = opts.onQuotaDrops ?? (() => undefined);
  const datagrams = counterIn(metrics.registry, 'oversee_statsd_datagrams_total', 'statsd datagrams received.');
  const lost = counterIn(metrics.registry, 'oversee_statsd_lost_samples_total', 'Aggregated statsd samples lost because a flush could not be made durable or was refused.');

  const socket: Socket = createSocket({ type: opts.host.includes(':') ? 'udp6' : 'udp4', reuseAddr: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(opts.port, opts.host, () => { socket.off('error', reject); resolve(); });
  });
  socket.on('error', (err) => onError(err, 'statsd socket'));
  try {
    socket.setRecvBufferSize(opts.recvBufferBytes ?? STATSD_DEFAULT_RCVBUF);
  } catch (err) {
    onError(err, 'statsd receive buffer');
  }
  const port = socket.address().port;

  // Kernel drops of this socket, read when /metrics is scraped.
  const dropsName = 'oversee_statsd_udp_drops';
  const oldGauge = metrics.registry.getSingleMetric(dropsName);
  if (oldGauge !== undefined) metrics.registry.removeSingleMetric(dropsName);
  new Gauge({
    name: dropsName, help: 'Datagrams the kernel dropped on the statsd socket (receive buffer full), from /proc/net/udp.',
    registers: [metrics.registry],
    collect() { this.set(readUdpDrops(port) ?? 0); },
  });

  // Counted in plain numbers on the hot path and moved into the registry once a second (a labelled
  // prom-client increment per datagram costs more than parsing it).
  const counts = { datagrams: 0, accepted: 0, malformed: 0 };
  let received = 0;
  const publishCounts = (): void => {
    if (counts.datagrams > 0) datagrams.inc(counts.datagrams);
    if (counts.accepted > 0) metrics.reportsAccepted.inc({ protocol: 'statsd' }, counts.accepted);
    if (counts.malformed > 0) metrics.reportsRejected.inc({ protocol: 'statsd', reason: 'malformed' }, counts.malformed);
    counts.datagrams = counts.accepted = counts.malformed = 0;
  };
  const countTimer = setInterval(publishCounts, 1000);
  countTimer.unref();

  socket.on('message', (msg) => {
    counts.datagrams++;
    received++;
    const r = parseStatsdDatagramFast(msg.toString('utf8'));
    counts.malformed += r.malformed;
    if (r.metrics.length > 0) {
      aggregator.addAll(r.metrics);
      counts.accepted += r.metrics.length;
    }
  });

  let chain: Promise<void> = Promise.resolve();
  let lastFlushTs = -Infinity;
  const flush = (): Promise<void> => {
    const run = chain.then(async () => {
      const now = opts.flushSlot === undefined ? clock.now() : slotTimestamp(clock.now(), lastFlushTs, opts.flushSlot);
      lastFlushTs = now;
      const out = aggregator.flush(now);
      let admission: QuotaBatch | null = null;
      try {
        if (quota !== null && out.length > 0) admission = await quota.quota.begin(quota.project);
      } catch (err) {
        lost.inc(out.length); // the series could not be listed: nothing of this flush is stored
        throw err;
      }
      let appended = 0;
      let overQuota = 0;
      for (const s of out) {
        const refusal = appendAdmitted(admission, samples, projectId, s.name, s.tags, s.timestampMs, s.value, s.type);
        if (refusal === null) appended++;
        else if (refusal.quota) overQuota++;
        else lost.inc();
      }
      if (overQuota > 0 && quota !== null) {
        metrics.reportsRejected.inc({ protocol: 'statsd', reason: 'quota' }, overQuota);
        onQuotaDrops(quota.project.name, overQuota);
      }
      if (appended === 0) return;
      try {
        await samples.commit();
      } catch (err) {
        lost.inc(appended);
        throw err;
      }
    });
    chain = run.catch((err: unknown) => onError(err, 'statsd flush'));
    return run;
  };
  const timer = setInterval(() => { flush().catch(() => undefined); }, intervalMs);
  timer.unref();

  let closing: Promise<void> | null = null;
  return {
    port,
    recvBufferBytes: socket.getRecvBufferSize(),
    received: () => received,
    flush: () => { publishCounts(); return flush(); },
    close() {
      closing ??= (async () => {
        clearInterval(timer);
        clearInterval(countTimer);
        await new Promise<void>((resolve) => socket.close(() => resolve()));
        publishCounts();
        await flush().catch(() => undefined);
      })();
      return closing;
    },
  };
}
