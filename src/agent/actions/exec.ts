// goma `exec` action: runs a command per event with GOMA_MONITOR, GOMA_EVENT (init|fail|recover),
// GOMA_VALUE (on fail), GOMA_DURATION (seconds, on recover) and GOMA_VERSION in its environment.
import { checkParams, type ParamSchema } from '../../protocols/goma-monitor.js';
import { VERSION } from '../../version.js';
import { runCommand } from '../run-command.js';
import { mergeEnv } from '../probes/env.js';
import { formatValue, type ActionFactory } from './types.js';

const SCHEMA = {
  command: { type: 'string', required: true },
  args: { type: 'string[]' },
  env: { type: 'string[]' },
  timeout: { type: 'number' },
} as const satisfies ParamSchema;

/** The exec action. */
export const execAction = {
  type: 'exec',
  create(params, origin, path) {
    const p = checkParams(params, SCHEMA, origin, path);
    const base = mergeEnv(p.env);
    // goma: timeout 0 (default) means none; a day stands in for "none" here.
    const timeoutMs = p.timeout && p.timeout > 0 ? p.timeout * 1000 : 86_400_000;
    return {
      describe: () => `action:exec:${p.command}`,
      async handle(ev) {
        const env: NodeJS.ProcessEnv = { ...base, GOMA_MONITOR: ev.monitor, GOMA_EVENT: ev.event, GOMA_VERSION: VERSION };
        if (ev.value !== undefined) env['GOMA_VALUE'] = formatValue(ev.value);
        if (ev.durationS !== undefined) env['GOMA_DURATION'] = String(ev.durationS);
        const r = await runCommand({ file: p.command, args: p.args ?? [] }, { timeoutMs, env, cwd: '/' });
        if (r.exitCode !== 0) throw new Error(`${p.command} ${r.spawnError ?? (r.timedOut ? 'timed out' : `exited ${r.exitCode ?? r.signal}`)}: ${r.output.trim().slice(0, 200)}`);
      },
    };
  },
} satisfies ActionFactory;
