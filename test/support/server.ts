// Spawns the built `bin/oversee` as a real process for cross-process tests (run `npm run build` first;
// `npm test` does). Every failure message carries the process's output so a broken start is readable.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The repository root (where bin/ and dist/ are). */
export const REPO_ROOT = new URL('../../', import.meta.url).pathname;

/** The executable under test. */
export const OVERSEE_BIN = join(REPO_ROOT, 'bin', 'oversee');

const LISTENING = /^Oversee listening on (http:\/\/\S+)$/m;
const ADMIN_TOKEN = /^Admin API token \(shown once\): (ovs_\S+)$/m;
const MAX_OUTPUT = 256 * 1024;

/** How a process ended. */
export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running `oversee serve`. */
export interface ServerProcess {
  /** Base URL from the listening line (the real port). */
  url: string;
  dataDir: string;
  /** The admin token printed on first start, or null when the data dir already had tokens. */
  adminToken: string | null;
  proc: ChildProcess;
  /** Everything the process wrote so far (stdout and stderr interleaved, last 256 KiB). */
  output(): string;
  /** Resolves when the process has exited. */
  exited: Promise<ExitInfo>;
  /** SIGTERM and wait for the exit (SIGKILL after 15 s); resolves with how it ended. */
  stop(): Promise<ExitInfo>;
  /** Sends `signal` (default SIGKILL) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<ExitInfo>;
}

/** Options of startServerProcess. */
export interface StartProcessOptions {
  /** Data directory (default: a fresh temp dir, left in place for the caller to inspect or remove). */
  dataDir?: string;
  /** Extra arguments after `serve --port 0 --data DIR`. */
  args?: string[];
  /** Extra environment; inherited OVERSEE_* variables are dropped so the test decides them. */
  env?: Record<string, string>;
  /** How long to wait for the listening line (default 20 s). */
  timeoutMs?: number;
}

/** A fresh temporary directory. */
export function makeTempDir(prefix = 'oversee-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** The environment for a child: the parent's without OVERSEE_* and test-runner variables, plus `extra`. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('OVERSEE_') && k !== 'NODE_TEST_CONTEXT') env[k] = v;
  }
  return { ...env, ...extra };
}

function assertBuilt(): void {
  if (!existsSync(join(REPO_ROOT, 'dist', 'cli', 'main.js'))) {
    throw new Error(`${join(REPO_ROOT, 'dist')} is missing: run \`npm run build\` before cross-process tests`);
  }
}

/** Spawns `node bin/oversee serve --port 0 --data DIR --statsd-port 0 --graphite-port 0 ...args` and resolves once it is listening. */
export async function startServerProcess(opts: StartProcessOptions = {}): Promise<ServerProcess> {
  assertBuilt();
  const dataDir = opts.dataDir ?? (await makeTempDir('oversee-data-'));
  // statsd/Graphite listeners are off unless a test asks for them (their default ports would clash between parallel tests).
  const args = [OVERSEE_BIN, 'serve', '--port', '0', '--data', dataDir, '--statsd-port', '0', '--graphite-port', '0', ...(opts.args ?? [])];
  const proc = spawn(process.execPath, args, { cwd: REPO_ROOT, env: childEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let stdout = '';
  const append = (chunk: Buffer, isStdout: boolean): void => {
    const text = chunk.toString('utf8');
    if (isStdout) stdout += text;
    output = (output + text).slice(-MAX_OUTPUT);
  };
  proc.stdout?.on('data', (c: Buffer) => append(c, true));
  proc.stderr?.on('data', (c: Buffer) => append(c, false));

  // Never leave a server behind when the test process ends early.
  const killOnExit = (): void => { proc.kill('SIGKILL'); };
  process.on('exit', killOnExit);
  const exited = new Promise<ExitInfo>((resolve) => {
    proc.on('exit', (code, signal) => {
      process.off('exit', killOnExit);
      resolve({ code, signal });
    });
  });
  const hasExited = (): boolean => proc.exitCode !== null || proc.signalCode !== null;

  const timeoutMs = opts.timeoutMs ?? 20_000;
  const url = await new Promise<string>((resolve, reject) => {
    const describe = (why: string): Error => new Error(`oversee serve ${why}\n--- command: node ${args.join(' ')}\n--- output:\n${output}`);
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(describe(`printed no listening line within ${timeoutMs} ms`));
    }, timeoutMs);
    const check = (): void => {
      const m = LISTENING.exec(stdout);
      if (m?.[1]) {
        clearTimeout(timer);
        proc.stdout?.off('data', check);
        resolve(m[1]);
      }
    };
    proc.stdout?.on('data', check);
    void exited.then((info) => {
      clearTimeout(timer);
      reject(describe(`exited before listening (code ${info.code}, signal ${info.signal})`));
    });
  });
  const adminToken = ADMIN_TOKEN.exec(stdout)?.[1] ?? null;

  const kill = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<ExitInfo> => {
    if (!hasExited()) proc.kill(signal);
    return exited;
  };
  const stop = async (): Promise<ExitInfo> => {
    if (hasExited()) return exited;
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
    const info = await exited;
    clearTimeout(timer);
    return info;
  };
  return { url, dataDir, adminToken, proc, output: () => output, exited, stop, kill };
}

/** Runs `node bin/oversee ...args` to completion and returns its exit code and output. */
export async function runOversee(
  args: string[], opts: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  assertBuilt();
  const proc = spawn(process.execPath, [OVERSEE_BIN, ...args], { cwd: opts.cwd ?? REPO_ROOT, env: childEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (c: Buffer) => { stdout += c.toString('utf8'); });
  proc.stderr.on('data', (c: Buffer) => { stderr += c.toString('utf8'); });
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
  const { code, signal } = await new Promise<ExitInfo>((resolve) => proc.on('close', (c, s) => resolve({ code: c, signal: s })));
  clearTimeout(timer);
  if (signal === 'SIGKILL') throw new Error(`oversee ${args.join(' ')} did not finish within ${timeoutMs} ms\n--- stdout:\n${stdout}\n--- stderr:\n${stderr}`);
  return { code, signal, stdout, stderr };
}
