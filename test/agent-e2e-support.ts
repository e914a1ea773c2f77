// Helpers for the agent/client end-to-end tests: reading back what the server stored, free ports,
// long-running CLI processes, and the Nagios plugins requirement (skip locally, fail in CI).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { OVERSEE_BIN, REPO_ROOT, childEnv } from './support/server.js';

/** Where Debian's monitoring-plugins-basic puts the plugins. */
export const PLUGINS = '/usr/lib/nagios/plugins';

/** Skip reason when the plugins are missing (printed); throws under CI=true, where they are required. */
export function pluginsSkipReason(): string | false {
  if (existsSync(`${PLUGINS}/check_dummy`)) return false;
  const reason = `${PLUGINS}/check_dummy is missing (apt-get install monitoring-plugins-basic)`;
  if (process.env['CI'] === 'true') throw new Error(`CI=true: ${reason}`);
  console.log(`# skipping: ${reason}`);
  return reason;
}

/** A TCP port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const addr = srv.address();
  await new Promise<void>((r) => srv.close(() => r()));
  if (!addr || typeof addr !== 'object') throw new Error('no port');
  return addr.port;
}

/** One page of a `/api/v1` list. */
interface Page<T> { items: T[]; nextCursor: string | null }

/** A stored check as the REST API shows it (fields used here). */
export interface StoredCheck { id: number; hostName: string; name: string; state: string; info: string; periodS: number | null }
/** A stored flip. */
export interface StoredFlip { oldState: string; newState: string; reason: string; info: string; at: number }
/** A stored alert. */
export interface StoredAlert { message: string; checkId: number | null; title: string }

/** Reads the server's REST API with the admin token. */
export class ServerReader {
  constructor(private readonly url: string, private readonly token: string) {}

  async get<T>(path: string): Promise<T> {
    const r = await fetch(this.url + path, { headers: { authorization: `Bearer ${this.token}` } });
    if (!r.ok) throw new Error(`GET ${path}: ${r.status} ${await r.text()}`);
    return (await r.json()) as T;
  }

  async checks(): Promise<StoredCheck[]> {
    return (await this.get<Page<StoredCheck>>('/api/v1/checks?limit=500')).items;
  }

  async check(host: string, name: string): Promise<StoredCheck | undefined> {
    return (await this.checks()).find((c) => c.hostName === host && c.name === name);
  }

  /** Flips of a check, oldest first. */
  async flips(checkId: number): Promise<StoredFlip[]> {
    return (await this.get<Page<StoredFlip>>(`/api/v1/checks/${checkId}/flips?limit=500`)).items.reverse();
  }

  async alerts(): Promise<StoredAlert[]> {
    return (await this.get<Page<StoredAlert>>('/api/v1/alerts?limit=500')).items.reverse();
  }
}

/** Polls `fn` until it returns a truthy value (or throws after `ms`). */
export async function eventually<T>(fn: () => Promise<T | undefined | false>, ms = 20_000, what = 'condition'): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`${what} not reached within ${ms} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A long-running `oversee …` process with its output. */
export interface CliProcess {
  proc: ChildProcess;
  output(): string;
  /** SIGTERM, wait (SIGKILL after 10 s). */
  stop(): Promise<number | null>;
}

/** Spawns `node bin/oversee ...args` without waiting for it. */
export function spawnOversee(args: string[], env: Record<string, string> = {}): CliProcess {
  const proc = spawn(process.execPath, [OVERSEE_BIN, ...args], { cwd: REPO_ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout?.on('data', (c: Buffer) => { out += c.toString(); });
  proc.stderr?.on('data', (c: Buffer) => { out += c.toString(); });
  const killOnExit = (): void => { proc.kill('SIGKILL'); };
  process.on('exit', killOnExit);
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => { process.off('exit', killOnExit); resolve(code); }));
  return {
    proc,
    output: () => out,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
}
