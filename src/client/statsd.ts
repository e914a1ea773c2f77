// statsd sender over UDP (PROTOCOLS.md §5): counters, timers, histograms, gauges, sets, DogStatsD tags.
// Lines are packed into datagrams of at most `maxDatagramBytes` and sent on the next tick.
import { createSocket, type Socket } from 'node:dgram';

/** Options of a statsd client. */
export interface StatsdClientOptions {
  host?: string;
  port?: number;
  /** Prepended to every metric name (e.g. `web1.`). */
  prefix?: string;
  /** Tags added to every metric. */
  tags?: Record<string, string>;
  /** Datagram size limit (default 1432: fits an Ethernet MTU). */
  maxDatagramBytes?: number;
  /** Random source for sample rates (default Math.random). */
  random?: () => number;
}

/** Per-call options. */
export interface MetricOptions {
  tags?: Record<string, string>;
  /** Sample rate in (0, 1]: the metric is sent with this probability and `|@rate`. */
  sampleRate?: number;
}

const NAME_BAD = /[:|@#\n]/g;

/** A statsd client; call close() when done. Send errors are counted, never thrown. */
export class StatsdClient {
  private readonly socket: Socket;
  private readonly host: string;
  private readonly port: number;
  private readonly prefix: string;
  private readonly tags: Record<string, string>;
  private readonly maxBytes: number;
  private readonly random: () => number;
  private queue: string[] = [];
  private flushScheduled = false;
  private pending = 0;
  private idleWaiters: Array<() => void> = [];
  /** Datagrams that failed to send. */
  sendErrors = 0;

  constructor(opts: StatsdClientOptions = {}) {
    this.host = opts.host ?? '127.0.0.1';
    this.port = opts.port ?? 8125;
    this.prefix = opts.prefix ?? '';
    this.tags = opts.tags ?? {};
    this.maxBytes = opts.maxDatagramBytes ?? 1432;
    this.random = opts.random ?? Math.random;
    this.socket = createSocket(this.host.includes(':') ? 'udp6' : 'udp4');
    this.socket.on('error', () => { this.sendErrors++; });
    this.socket.unref();
  }

  /** Counter: `name:value|c`. */
  increment(name: string, value = 1, opts: MetricOptions = {}): void { this.add(name, String(value), 'c', opts); }
  /** Gauge: `name:value|g`; with `delta`, sends `+N`/`-N` to adjust. */
  gauge(name: string, value: number, opts: MetricOptions & { delta?: boolean } = {}): void {
    this.add(name, opts.delta && value >= 0 ? `+${value}` : String(value), 'g', opts);
  }
  /** Timer in milliseconds: `name:ms|ms`. */
  timing(name: string, ms: number, opts: MetricOptions = {}): void { this.add(name, String(ms), 'ms', opts); }
  /** Histogram: `name:value|h`. */
  histogram(name: string, value: number, opts: MetricOptions = {}): void { this.add(name, String(value), 'h', opts); }
  /** Set: counts distinct members per flush, `name:member|s`. */
  set(name: string, member: string | number, opts: MetricOptions = {}): void { this.add(name, String(member).replace(NAME_BAD, '_'), 's', opts); }

  /** Formats one line (exported behaviour for tests through `format`). */
  format(name: string, value: string, type: string, opts: MetricOptions = {}): string {
    let line = `${(this.prefix + name).replace(NAME_BAD, '_')}:${value}|${type}`;
    if (opts.sampleRate !== undefined && opts.sampleRate < 1) line += `|@${opts.sampleRate}`;
    const tags = { ...this.tags, ...opts.tags };
    const tagText = Object.entries(tags).map(([k, v]) => (v === '' ? k : `${k}:${v}`).replace(/[,|#\n]/g, '_')).join(',');
    if (tagText) line += `|#${tagText}`;
    return line;
  }

  private add(name: string, value: string, type: string, opts: MetricOptions): void {
    if (opts.sampleRate !== undefined && opts.sampleRate < 1 && this.random() >= opts.sampleRate) return;
    this.queue.push(this.format(name, value, type, opts));
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Sends queued lines now, packed into datagrams. */
  flush(): void {
    this.flushScheduled = false;
    const lines = this.queue;
    this.queue = [];
    let packet = '';
    const send = (p: string): void => {
      this.pending++;
      this.socket.send(p, this.port, this.host, (err) => {
        if (err) this.sendErrors++;
        if (--this.pending === 0) for (const w of this.idleWaiters.splice(0)) w();
      });
    };
    for (const line of lines) {
      if (packet !== '' && Buffer.byteLength(packet) + 1 + Buffer.byteLength(line) > this.maxBytes) {
        send(packet);
        packet = '';
      }
      packet = packet === '' ? line : `${packet}\n${line}`;
    }
    if (packet !== '') send(packet);
  }

  /** Sends what is queued and closes the socket. */
  async close(): Promise<void> {
    this.flush();
    if (this.pending > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}
