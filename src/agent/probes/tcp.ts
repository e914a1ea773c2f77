// `tcp` probe (Oversee): the value is the TCP connect time in seconds; a failed or timed-out connect
// gives `errval` (default −1, below the default min, so it fails). Set `max` to the slowest
// acceptable connect time.
import { connect } from 'node:net';
import { checkParams, errorAt, type ParamSchema } from '../../protocols/goma-monitor.js';
import type { ProbeFactory } from './types.js';

const SCHEMA = {
  host: { type: 'string', required: true },
  port: { type: 'number', required: true },
  errval: { type: 'number' },
} as const satisfies ParamSchema;

/** Connects once; resolves with seconds taken or an error message. */
export function connectTime(host: string, port: number, timeoutMs: number): Promise<{ seconds: number } | { error: string }> {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const sock = connect({ host, port });
    const timer = setTimeout(() => { sock.destroy(); resolve({ error: `timed out after ${timeoutMs} ms` }); }, timeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      sock.destroy();
      resolve({ seconds });
    });
    sock.once('error', (e) => { clearTimeout(timer); resolve({ error: e.message }); });
  });
}

/** The tcp probe. */
export const tcpProbe = {
  type: 'tcp',
  create(params, origin, path) {
    const p = checkParams(params, SCHEMA, origin, path);
    if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) throw errorAt(origin, `${path}.port`, `must be an integer 1..65535, got ${p.port}`);
    const errval = p.errval ?? -1;
    return {
      describe: () => `probe:tcp:${p.host}:${p.port}`,
      async probe(timeoutMs) {
        const r = await connectTime(p.host, p.port, timeoutMs);
        if ('error' in r) return { value: errval, info: `connect to ${p.host}:${p.port}: ${r.error}` };
        return { value: r.seconds, info: `connected in ${(r.seconds * 1000).toFixed(1)} ms`, metrics: [{ name: 'connect_time', value: r.seconds, unit: 's' }] };
      },
    };
  },
} satisfies ProbeFactory;
