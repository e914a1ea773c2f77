// A private, real PostgreSQL server for one test: initdb into a temp dir, started with pg_ctl on a
// free port of 127.0.0.1 (trust auth, its socket in the temp dir), stoppable (`-m fast` or a
// crash-style `-m immediate`) and startable again on the same port and data dir, removed at the end.
// As root the server runs as the `postgres` user (runuser), the temp dir chowned to it.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** How a private server is stopped: `fast` (clean shutdown) or `immediate` (crash-style, recovery on the next start). */
export type PgStopMode = 'fast' | 'immediate';

/** A private PostgreSQL server (see the file comment). */
export interface PgServer {
  /** Superuser URL of its `postgres` database: postgres://postgres@127.0.0.1:PORT/postgres. */
  readonly url: string;
  readonly port: number;
  /** The temp dir holding the data dir (`data/`), the socket and the server log (`server.log`). */
  readonly dir: string;
  /** Stops the server (`pg_ctl stop -m MODE -w`). */
  stop(mode?: PgStopMode): Promise<void>;
  /** Starts it again on the same port and data dir (`pg_ctl start -w`); after `immediate` this runs crash recovery. */
  start(): Promise<void>;
  /** The last `bytes` of the server log (for failure messages). */
  log(bytes?: number): string;
  /** Stops it (immediate) if running and removes the temp dir. Idempotent. */
  destroy(): Promise<void>;
}

/** The PostgreSQL bin dir: env OVERSEE_TEST_PG_BIN, else the newest /usr/lib/postgresql/<ver>/bin with initdb; null if none. */
export function pgBinDir(): string | null {
  const fromEnv = process.env.OVERSEE_TEST_PG_BIN;
  if (fromEnv) return existsSync(join(fromEnv, 'initdb')) ? fromEnv : null;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb')) && existsSync(join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

const isRoot = (): boolean => process.getuid?.() === 0;

/** The uid/gid of the `postgres` account (from /etc/passwd), or null. */
function postgresAccount(): { uid: number; gid: number } | null {
  try {
    const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
    const [, , uid, gid] = line?.split(':') ?? [];
    return uid && gid ? { uid: Number(uid), gid: Number(gid) } : null;
  } catch {
    return null;
  }
}

/**
 * Why a private server cannot be started here (null when it can). Under CI=true a missing binary or
 * account is not a reason to skip: this throws, so the suite fails instead.
 */
export function pgServerSkipReason(): string | null {
  let reason: string | null = null;
  if (pgBinDir() === null) reason = 'no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql/<ver>/bin or $OVERSEE_TEST_PG_BIN';
  else if (isRoot() && postgresAccount() === null) reason = 'running as root and there is no `postgres` account to run the server as';
  if (reason === null) return null;
  if (process.env.CI === 'true') throw new Error(`${reason} (CI=true: the private PostgreSQL server test is required, not skipped)`);
  console.log(`# skipping private PostgreSQL server tests: ${reason}`);
  return reason;
}

/** A free TCP port on 127.0.0.1 below the usual ephemeral range, so outgoing connections do not take it while the server is down. */
async function freePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const ok = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (ok) return port;
  }
  throw new Error('no free port for the private PostgreSQL server');
}

/** Runs a PostgreSQL binary (as `postgres` when we are root); rejects with its output when it fails. */
function run(bin: string, args: string[], timeoutMs = 60_000): Promise<string> {
  const [cmd, argv] = isRoot() ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PG')) env[k] = v;
  env.LC_ALL = 'C';
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { env, cwd: '/', stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString('utf8'); });
    child.stderr.on('data', (c: Buffer) => { out += c.toString('utf8'); });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => { clearTimeout(timer); reject(err); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${argv.join(' ')} failed (code ${code}, signal ${signal}):\n${out}`));
    });
  });
}

/** The postmaster's pid from postmaster.pid, or null when it is not running. */
function postmasterPid(dataDir: string): number | null {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** initdb + pg_ctl start of a private server (a few seconds); call `destroy()` when done. */
export async function startPgServer(opts: { sharedBuffers?: string; maxConnections?: number } = {}): Promise<PgServer> {
  const bin = pgBinDir();
  if (!bin) throw new Error('no PostgreSQL server binaries (see pgServerSkipReason)');
  const dir = await mkdtemp(join(tmpdir(), 'oversee-pg-'));
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  await mkdir(dataDir, { mode: 0o700 });
  await writeFile(logFile, '');
  if (isRoot()) {
    const acct = postgresAccount();
    if (!acct) throw new Error('running as root and there is no `postgres` account');
    for (const p of [dir, dataDir, logFile]) await chown(p, acct.uid, acct.gid);
  }
  // Never leave a postmaster behind when the test process ends early (SIGQUIT = immediate shutdown).
  const killOnExit = (): void => {
    const pid = postmasterPid(dataDir);
    if (pid) try { process.kill(pid, 'SIGQUIT'); } catch { /* already gone */ }
  };
  process.on('exit', killOnExit);
  const port = await freePort();
  const pgCtl = join(bin, 'pg_ctl');
  let running = false;
  let destroyed = false;
  const server: PgServer = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dir,
    async stop(mode: PgStopMode = 'fast') {
      await run(pgCtl, ['stop', '-D', dataDir, '-m', mode, '-w', '-t', '60']);
      running = false;
    },
    async start() {
      await run(pgCtl, ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '60']);
      running = true;
    },
    log(bytes = 4000) {
      try {
        return readFileSync(logFile, 'utf8').slice(-bytes);
      } catch {
        return '';
      }
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      if (running || postmasterPid(dataDir)) await server.stop('immediate').catch(() => killOnExit());
      process.off('exit', killOnExit);
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await run(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    await writeFile(join(dataDir, 'postgresql.conf'), [
      '', '# private test server (test/support/pg-server.ts)',
      "listen_addresses = '127.0.0.1'", `port = ${port}`, `unix_socket_directories = '${dir}'`,
      `shared_buffers = ${opts.sharedBuffers ?? '16MB'}`, `max_connections = ${opts.maxConnections ?? 100}`,
      'fsync = on', 'synchronous_commit = on', 'dynamic_shared_memory_type = posix', "log_min_messages = 'warning'", "log_line_prefix = '%m [%p] '", '',
    ].join('\n'), { flag: 'a' });
    await server.start();
    // Ready for TCP clients (pg_ctl -w already waited; one round trip proves it).
    const client = new pg.Client({ connectionString: server.url, connectionTimeoutMillis: 5000 });
    await client.connect();
    await client.end();
  } catch (err) {
    const log = server.log();
    await server.destroy().catch(() => undefined);
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n--- server log:\n${log}`, { cause: err });
  }
  return server;
}
