// goma `exec` probe: 0 when the command exits 0, else 1; with `parse`, stdout is the value and any
// failure gives `errval` (default 0). Commands run without a shell, in `/`, as goma does.
import { checkParams, type ParamSchema } from '../../protocols/goma-monitor.js';
import { runCommand } from '../run-command.js';
import { mergeEnv } from './env.js';
import type { ProbeFactory } from './types.js';

const SCHEMA = {
  command: { type: 'string', required: true },
  args: { type: 'string[]' },
  parse: { type: 'boolean' },
  errval: { type: 'number' },
  env: { type: 'string[]' },
} as const satisfies ParamSchema;

/** The exec probe. */
export const execProbe = {
  type: 'exec',
  create(params, origin, path) {
    const p = checkParams(params, SCHEMA, origin, path);
    const env = mergeEnv(p.env);
    const errval = p.errval ?? 0;
    return {
      describe: () => `probe:exec:${p.command}`,
      async probe(timeoutMs) {
        const r = await runCommand({ file: p.command, args: p.args ?? [] }, { timeoutMs, env, cwd: '/', separateStderr: true, maxOutputBytes: 64 * 1024 });
        const info = (r.output + r.stderr).trim();
        if (p.parse) {
          const v = Number(r.output.trim());
          const ok = r.exitCode === 0 && r.output.trim() !== '' && Number.isFinite(v);
          return { value: ok ? v : errval, info };
        }
        return { value: r.exitCode === 0 ? 0 : 1, info };
      },
    };
  },
} satisfies ProbeFactory;
