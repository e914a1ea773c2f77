// `nagios` probe (Oversee): runs a Nagios/monitoring-plugins plugin (no shell). The value is the exit
// code (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN; a timeout or signal counts as 3), or with
// `perfdata = "label"` that perfdata item's value (`errval` when missing). The plugin's state, text
// and all perfdata travel with pushed reports.
import { checkParams, type ParamSchema } from '../../protocols/goma-monitor.js';
import { runCommand } from '../run-command.js';
import { pluginReport } from '../plugin-result.js';
import { mergeEnv } from './env.js';
import type { ProbeFactory } from './types.js';

const SCHEMA = {
  command: { type: 'string', required: true },
  args: { type: 'string[]' },
  env: { type: 'string[]' },
  perfdata: { type: 'string' },
  errval: { type: 'number' },
} as const satisfies ParamSchema;

const STATE_VALUE = { OK: 0, WARN: 1, FAIL: 2, ERR: 2, UNK: 3 } as const;

/** The nagios probe. */
export const nagiosProbe = {
  type: 'nagios',
  create(params, origin, path) {
    const p = checkParams(params, SCHEMA, origin, path);
    const env = mergeEnv(p.env);
    const errval = p.errval ?? 3;
    return {
      describe: () => `probe:nagios:${p.command}`,
      async probe(timeoutMs) {
        const r = await runCommand({ file: p.command, args: p.args ?? [] }, { timeoutMs, env, maxOutputBytes: 64 * 1024 });
        const rep = pluginReport(r, timeoutMs / 1000);
        let value: number = STATE_VALUE[rep.state];
        if (p.perfdata !== undefined) value = rep.metrics.find((m) => m.name === p.perfdata)?.value ?? errval;
        return { value, state: rep.state, info: rep.info, metrics: rep.metrics };
      },
    };
  },
} satisfies ProbeFactory;
