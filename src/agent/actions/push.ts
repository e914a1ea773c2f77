// `push` action (Oversee): reports every probe result to the Oversee server through the durable
// outbox, as an OverC service named after the monitor (or `service`): state OK while the value is in
// [min,max], else FAIL (or the Nagios plugin's own state), with the value and perfdata as metrics.
// `period` defaults to what the server needs to see a report in time: max(interval/0.8, interval+timeout).
import { checkParams, errorAt, type ParamSchema } from '../../protocols/goma-monitor.js';
import type { OvercState } from '../../client/index.js';
import { formatValue, type ActionFactory } from './types.js';

const SCHEMA = { service: { type: 'string' }, period: { type: 'number' } } as const satisfies ParamSchema;

/** The push action. */
export const pushAction = {
  type: 'push',
  create(params, origin, path, ctx) {
    const p = checkParams(params, SCHEMA, origin, path);
    const outbox = ctx.outbox;
    if (!outbox) throw errorAt(origin, path, 'push needs a server: start the agent with -s URL -i name:key (or OVERSEE_SERVER / OVERSEE_SERVER_ID)');
    if (p.period !== undefined && p.period <= 0) throw errorAt(origin, `${path}.period`, 'must be greater than 0');
    let last: OvercState | undefined;
    return {
      describe: () => `action:push:${p.service ?? ''}`,
      async handle() { /* every value is pushed by observe() */ },
      observe(o) {
        const state: OvercState = o.failing ? (o.result.state !== undefined && o.result.state !== 'OK' ? o.result.state : 'FAIL') : (o.result.state === 'WARN' ? 'WARN' : 'OK');
        const range = `[${formatValue(o.min)}, ${formatValue(o.max)}]`;
        const info = `${o.result.info ? `${o.result.info}\n` : ''}value ${formatValue(o.value)} ${o.failing ? 'outside' : 'within'} ${range}`;
        const period = p.period ?? Math.ceil(Math.max(o.intervalS / 0.8, o.intervalS + o.timeoutS));
        outbox.enqueue({
          kind: 'status',
          change: state !== last,
          service: { name: p.service ?? o.monitor, state, info, period, metrics: [{ name: 'value', value: o.value }, ...(o.result.metrics ?? [])] },
        });
        last = state;
      },
    };
  },
} satisfies ActionFactory;
