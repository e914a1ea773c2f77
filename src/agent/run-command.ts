// Runs a probe or plugin command with a timeout and bounded output. On timeout the whole process
// group is killed (plugins often fork); output beyond the cap is counted and discarded, never buffered.
import { spawn } from 'node:child_process';

/** What to run: a shell command line, or a file with arguments (no shell). */
export type CommandSpec = { shell: string } | { file: string; args?: string[] };

/** Options of one run. */
export interface RunOptions {
  timeoutMs: number;
  /** Bytes of combined stdout+stderr kept (default 64 KiB). */
  maxOutputBytes?: number;
  cwd?: string;
  /** Full environment of the child (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Keep stdout and stderr apart (default: one combined buffer, in arrival order). */
  separateStderr?: boolean;
}

/** How the run ended. */
export interface RunResult {
  /** Exit code; null when killed by a signal or never started. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** stdout (+ stderr unless separated), truncated to the cap. */
  output: string;
  stderr: string;
  /** Bytes discarded beyond the cap. */
  truncatedBytes: number;
  timedOut: boolean;
  /** Set when the command could not be started at all (e.g. ENOENT for a file). */
  spawnError: string | undefined;
  durationMs: number;
}

/** Runs `spec`; never rejects. */
export function runCommand(spec: CommandSpec, opts: RunOptions): Promise<RunResult> {
  const started = Date.now();
  const cap = opts.maxOutputBytes ?? 64 * 1024;
  const file = 'shell' in spec ? '/bin/sh' : spec.file;
  const args = 'shell' in spec ? ['-c', spec.shell] : spec.args ?? [];
  return new Promise<RunResult>((resolve) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let kept = 0;
    let truncatedBytes = 0;
    let timedOut = false;
    let settled = false;
    const collect = (target: Buffer[]) => (chunk: Buffer): void => {
      const room = cap - kept;
      if (room <= 0) { truncatedBytes += chunk.length; return; }
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
      truncatedBytes += chunk.length - part.length;
      kept += part.length;
      target.push(part);
    };
    const child = spawn(file, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child.stdout.on('data', collect(out));
    child.stderr.on('data', collect(opts.separateStderr ? err : out));
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null, spawnError?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      let output = Buffer.concat(out).toString('utf8');
      if (truncatedBytes > 0) output += `\n… [output truncated: ${truncatedBytes} more bytes]`;
      resolve({ exitCode, signal, output, stderr: Buffer.concat(err).toString('utf8'), truncatedBytes, timedOut, spawnError, durationMs: Date.now() - started });
    };
    const killGroup = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
      // Grandchildren may hold the pipes open: do not wait for them longer than a moment.
      setTimeout(() => finish(null, 'SIGKILL'), 200).unref();
    }, opts.timeoutMs);
    child.on('error', (e) => finish(null, null, e.message));
    child.on('close', (code, signal) => finish(code, signal));
  });
}
