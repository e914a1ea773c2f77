// Graphite plaintext over TCP: `path value timestamp` lines (Graphite 1.1 `;tag=value` tags too).
// Lines are parsed as they arrive; a malformed (or over-long) line is counted and skipped. Each
// chunk's samples are committed durably before the connection is read further (backpressure), and
// a connection the sender half-closes is closed from this side only once its lines are durable.
import { createServer, type Server, type Socket } from 'node:net';
import { parseGraphiteLine } from '../protocols/graphite.js';
import type { SelfMetrics } from '../server/self-metrics.js';
import type { Clock } from '../util/clock.js';
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

  /** Parses complete lines into the sink; returns how many were appended. */
  const take = (lines: string[]): number => {
    const now = clock.now();
    let appended = 0;
    let bad = 0;
    for (const line of lines) {
      if (line.trim() === '') continue;
      const m = parseGraphiteLine(line, now);
      if (m === null || samples.append(projectId, m.path, m.tags, m.timestampMs, m.value) !== null) bad++;
      else appended++;
    }
    if (bad > 0) metrics.reportsRejected.inc({ protocol: 'graphite', reason: 'malformed' }, bad);
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
      if (last >= 0 && take(text.slice(0, last).split('\n')) > 0) committed = commit(socket);
    });
    // The connection is closed from this side only once everything it carried is durable.
    socket.on('end', () => {
      if (!discarding && buf !== '' && take([buf]) > 0) committed = commit(socket);
      buf = '';
      void committed.then(() => socket.end());
    });
    socket.on('error', () => { socket.destroy(); });
    socket.on('close', () => { sockets.delete(socket); });
  };

  const server: Server = createServer(onConnection);
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
      })();
      return closing;
    },
  };
}
