// Exec channel: runs a configured command (never one from an ingest request) with the message as
// JSON on stdin and as OVERSEE_* environment variables; a hung command is killed at the timeout.
import { spawn, type ChildProcess } from 'node:child_process';
import { isAbsolute } from 'node:path';
import { invalid } from '../../errors.js';
import { optInt, optStringList, optStringMap, rejectUnknown, reqString } from '../fields.js';
import { DeliveryError, type NotifyMessage, type Notifier } from '../types.js';

/** An exec channel's settings. The command runs without a shell; args are passed as-is. */
export interface ExecConfig {
  command: string;
  args: string[];
  env: Record<string, string>;
  timeoutMs: number | null;
}

/** Longest value of one variable: the OS limits the environment's size; stdin carries everything in full. */
export const MAX_ENV_VALUE = 4096;

/** The variables the command gets (besides PATH, HOME and the configured `env`); long texts are cut. */
export function execEnvironment(message: NotifyMessage): Record<string, string> {
  const first = message.events[0];
  const env: Record<string, string> = {
    OVERSEE_SUBJECT: message.subject,
    OVERSEE_TEXT: message.text,
    OVERSEE_HOST: message.hostName ?? '',
    OVERSEE_STATE: message.state ?? '',
    OVERSEE_EVENT_COUNT: String(message.events.length),
    OVERSEE_EVENT_KIND: first?.kind ?? '',
    OVERSEE_CHECK: first?.checkName ?? '',
    OVERSEE_OLD_STATE: first?.oldState ?? '',
    OVERSEE_INFO: first?.message ?? '',
    OVERSEE_AT: first ? new Date(first.at).toISOString() : '',
  };
  for (const [k, v] of Object.entries(env)) if (v.length > MAX_ENV_VALUE) env[k] = v.slice(0, MAX_ENV_VALUE);
  return env;
}

/** The exec notifier. */
export const exec = {
  type: 'exec',
  secretFields: ['env'],
  parseConfig(raw: Record<string, unknown>): ExecConfig {
    rejectUnknown(raw, ['command', 'args', 'env', 'timeout_ms']);
    const command = reqString(raw, 'command');
    if (!isAbsolute(command)) throw invalid('command', 'must be an absolute path (no shell, no PATH lookup)');
    return {
      command,
      args: optStringList(raw, 'args') ?? [],
      env: optStringMap(raw, 'env') ?? {},
      timeoutMs: optInt(raw, 'timeout_ms', 100, 600_000) ?? null,
    };
  },
  send(config: ExecConfig, message: NotifyMessage, ctx): Promise<void> {
    return runCommand(config, message, config.timeoutMs ?? ctx.timeoutMs);
  },
} satisfies Notifier<ExecConfig>;

// Exit 0 is success; any other exit or a timeout is transient; a command that cannot start
// (missing, not executable) is permanent. The command runs in its own process group so that the
// timeout kills its children too.
function runCommand(config: ExecConfig, message: NotifyMessage, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/', ...config.env, ...execEnvironment(message) };
    let child: ChildProcess;
    try {
      child = spawn(config.command, config.args, { env, stdio: ['pipe', 'ignore', 'pipe'], detached: true });
    } catch (err) {
      reject(new DeliveryError(`cannot run ${config.command}: ${err instanceof Error ? err.message : String(err)}`, false));
      return;
    }
    let stderr = '';
    let timedOut = false;
    let settled = false;
    const finish = (err: DeliveryError | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      if (stderr.length < 2000) stderr += chunk;
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      const permanent = err.code === 'ENOENT' || err.code === 'EACCES';
      finish(new DeliveryError(`cannot run ${config.command}: ${err.message}`, permanent));
    });
    // The command's exit decides. A background process it left behind may keep stderr open: wait
    // for stderr to close only briefly (for the error text), never for that process.
    let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    const settle = (): void => {
      if (!exited) return;
      if (timedOut) return finish(new DeliveryError(`timed out after ${timeoutMs} ms (killed)`, false));
      if (exited.code === 0) return finish(null);
      const why = exited.signal ? `killed by ${exited.signal}` : `exit code ${exited.code}`;
      finish(new DeliveryError(`${config.command}: ${why}${stderr ? `: ${stderr.trim().slice(0, 300)}` : ''}`, false));
    };
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      setTimeout(settle, 200).unref();
    });
    child.on('close', settle);
    child.stdin?.on('error', () => { /* the command may exit without reading stdin: not a failure by itself */ });
    child.stdin?.end(JSON.stringify(message));
  });
}
