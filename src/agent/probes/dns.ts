// `dns` probe (Oversee): the value is the resolution time in seconds; a failure, a timeout or an
// answer without any of the `expect`ed records gives `errval` (default −1, so it fails).
import { Resolver } from 'node:dns/promises';
import { checkParams, errorAt, type ParamSchema } from '../../protocols/goma-monitor.js';
import type { ProbeFactory } from './types.js';

const SCHEMA = {
  name: { type: 'string', required: true },
  record: { type: 'string' },
  server: { type: 'string' },
  expect: { type: 'string[]' },
  errval: { type: 'number' },
} as const satisfies ParamSchema;

const TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'NS', 'TXT', 'SRV', 'PTR', 'SOA', 'CAA'] as const;

/** Flattens any answer shape of resolve() into strings for `expect` matching and info. */
function answerStrings(answer: unknown): string[] {
  if (Array.isArray(answer)) return answer.map((a: unknown) => (typeof a === 'string' ? a : Array.isArray(a) ? a.join('') : JSON.stringify(a)));
  return [JSON.stringify(answer)];
}

/** The dns probe. */
export const dnsProbe = {
  type: 'dns',
  create(params, origin, path) {
    const p = checkParams(params, SCHEMA, origin, path);
    // `type` names the probe in goma tables, so the record type is `record` (default A).
    const recordType = (p.record ?? 'A').toUpperCase();
    if (!(TYPES as readonly string[]).includes(recordType)) throw errorAt(origin, `${path}.record`, `unknown record type ${recordType}`);
    const errval = p.errval ?? -1;
    return {
      describe: () => `probe:dns:${p.name}/${recordType}`,
      async probe(timeoutMs) {
        const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
        if (p.server !== undefined) resolver.setServers([p.server]);
        const t0 = process.hrtime.bigint();
        const timer = setTimeout(() => resolver.cancel(), timeoutMs);
        try {
          const answer = answerStrings(await resolver.resolve(p.name, recordType));
          const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
          if (p.expect !== undefined && !p.expect.some((e) => answer.includes(e))) {
            return { value: errval, info: `${p.name} ${recordType}: got ${answer.join(', ')}, expected one of ${p.expect.join(', ')}` };
          }
          return { value: seconds, info: `${p.name} ${recordType}: ${answer.join(', ')}`, metrics: [{ name: 'resolve_time', value: seconds, unit: 's' }] };
        } catch (err) {
          return { value: errval, info: `${p.name} ${recordType}: ${(err as Error).message}` };
        } finally {
          clearTimeout(timer);
        }
      },
    };
  },
} satisfies ProbeFactory;
