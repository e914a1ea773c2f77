// Graphite plaintext over TCP: `path value timestamp` lines (Graphite 1.1 `;tag=value` tags too).
// Lines are parsed as they arrive; a malformed (or over-long) line is counted and skipped. Each
// chunk's samples are committed durably before the connection is read further (backpressure), and
// a connection the sender half-closes is closed from this side only once its lines are durable.
// With a series limit (`[limits]`, quota.ts) lines of new series beyond it are dropped as they are
// parsed, counted as rejected (reason "quota"), and reported once per interval with the count.
import { createServer, type Server, type Socket } from 'node:net';
import { parseGraphiteLine } from '../protocols/graphite.js';
import type { SelfMetrics } from '../server/self-metrics.js';
import type { Clock } from '../util/clock.js';
import { appendAdmitted, type ListenerQuota, type QuotaBatch } from './quota.js';
import type { SampleSink } from './samples.js';

/** Longest line accepted (bytes of text); longer ones are dropped as malformed. */
export const GRAPHITE_MAX_LINE = 64 * 1024;

/** Settings of the Graphite listener. */
export interface GraphiteListenerOptions {
  /** Address to bind (the server's default is 127.0.0.1). */
  host: string;
  /** TCP port; 0 picks a free one (tests). */
  port: number;
  /** Project the series belong to. */
  projectId: number;
  samples: SampleSink;
  clock: Clock;
  metrics: SelfMetrics;
  maxLineLength?: number;
  /** Reports failures (a commit that failed; the connection is then closed). */
  onError?: (err: unknown, what: string) => void;
  /** Series limit of the project (quota.ts); absent or unlimited: every series is stored. */
  quota?: ListenerQuota | null;
  /** Told at most once per `quotaReportMs` (and on close) how many lines over the limit were dropped since. */
  onQuotaDrops?: (project: string, dropped: number) => void;
  /** Interval of onQuotaDrops in ms (default 10 000, statsd's flush interval). */
  quotaReportMs?: number;
}

/** A running Graphite listener. */
export interface GraphiteListener {
  port: number;
  /** Stops accepting, waits for the data already received to be stored, closes connections. Idempotent. */
  close(): Promise<void>;
}

/** Starts listening; resolves once bound. */
export async function startGraphiteListener(opts: GraphiteListenerOptions): Promise<GraphiteListener> {
  const { samples, clock, metrics, projectId } = opts;
  const maxLine = opts.maxLineLength ?? GRAPHITE_MAX_LINE;
  const onError = opts.onError ?? (() => undefined);
  const sockets = new Set<Socket>();
  const pending = new Set<Promise<void>>();
  const quota = opts.quota && opts.quota.quota.limitOf(opts.quota.project) !== null ? opts.quota : null;
  const onQuotaDrops = opts.onQuotaDrops ?? (() => undefined);
  // Lines dropped over the limit since the last report (reported by a timer, not per line).
  let unreportedDrops = 0;
  const reportDrops = (): void => {
    if (unreportedDrops === 0 || quota === null) return;
    const n = unreportedDrops;
    unreportedDrops = 0;
    onQuotaDrops(quota.project.name, n);
  };
  const reportTimer = quota === null ? null : setInterval(reportDrops, opts.quotaReportMs ?? 10_000);
  reportTimer?.unref();

  /** Parses complete lines into the sink (new series only as `admission` admits them); returns how many were appended. */
  const take = (lines: string[], admission: QuotaBatch | null): number => {
    const now = clock.now();
    let appended = 0;
    let bad = 0;
    let overQuota = 0;
    for (const line of lines) {
      if (line.trim() === '') continue;
      const m = parseGraphiteLine(line, now);
      if (m === null) { bad++; continue; }
      const refusal = appendAdmitted(admission, samples, projectId, m.path, m.tags, m.timestampMs, m.value);
      if (refusal === null) appended++;
      else if (refusal.quota) overQuota++;
      else bad++;
    }
    if (bad > 0) metrics.reportsRejected.inc({ protocol: 'graphite', reason: 'malformed' }, bad);
    if (overQuota > 0) {
      metrics.reportsRejected.inc({ protocol: 'graphite', reason: 'quota' }, overQuota);
      unreportedDrops += overQuota;
    }
    if (appended > 0) metrics.reportsAccepted.inc({ protocol: 'graphite' }, appended);
    return appended;
  };

  /** Commits with the socket paused; a failure closes the connection (the sender will reconnect). */
  const commit = (socket: Socket): Promise<void> => {
    socket.pause();
    const p = samples.commit().then(
      () => { socket.resume(); },
      (err: unknown) => { onError(err, 'graphite commit'); socket.destroy(); },
    ).finally(() => { pending.delete(p); });
    pending.add(p);
    return p;
  };

  const onConnection = (socket: Socket): void => {
    sockets.add(socket);
    socket.setEncoding('utf8');
    let buf = '';
    let discarding = false;
    let committed: Promise<void> = Promise.resolve();
    /** Takes complete lines and commits them: at once without a limit, else after the project's series are at hand (socket paused meanwhile). */
    const takeLines = (lines: string[]): void => {
      if (quota === null) {
        if (take(lines, null) > 0) committed = commit(socket);
        return;
      }
      socket.pause();
      const p: Promise<void> = committed.then(async () => {
        let admission: QuotaBatch;
        try {
          admission = await quota.quota.begin(quota.project);
        } catch (err) {
          onError(err, 'graphite series quota');
          socket.destroy();
          return;
        }
        if (take(lines, admission) > 0) await commit(socket);
        else socket.resume();
      }).finally(() => { pending.delete(p); });
      pending.add(p);
      committed = p;
    };
    socket.on('data', (chunk: string) => {
      let text = buf + chunk;
      if (discarding) {
        const nl = text.indexOf('\n');
        if (nl < 0) { buf = ''; return; }
        text = text.slice(nl + 1);
        discarding = false;
      }
      const last = text.lastIndexOf('\n');
      buf = last < 0 ? text : text.slice(last + 1);
      if (buf.length > maxLine) {
        metrics.reportsRejected.inc({ protocol: 'graphite', reason: 'malformed' });
        buf = '';
        discarding = true;
      }
      if (last >= 0) takeLines(text.slice(0, last).split('\n'));
    });
    // The connection is closed from this side only once everything it carried is durable.
    socket.on('end', () => {
      if (!discarding && buf !== '') takeLines([buf]);
      buf = '';
      void committed.then(() => socket.end());
    });
    socket.on('error', () => { socket.destroy(); });
    socket.on('close', () => { sockets.delete(socket); });
  };

  // Half-open: the sender's FIN does not close our side; the 'end' handler does once its lines are durable.
  const server: Server = createServer({ allowHalfOpen: true }, onConnection);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => { server.off('error', reject); resolve(); });
  });
  server.on('error', (err) => onError(err, 'graphite server'));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : opts.port;

  let closing: Promise<void> | null = null;
  return {
    port,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        await Promise.all([...pending]);
        for (const s of sockets) s.destroy();
        await stopped;
        if (reportTimer !== null) clearInterval(reportTimer);
        reportDrops();
      })();
      return closing;
    },
  };
}
