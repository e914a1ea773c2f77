// `oversee agent`: the goma-compatible agent (serve, the default) and its control-API client
// commands `list | show ID | start ID | stop ID | register FILE|- | unregister ID | verbosity [LEVEL]`
// with `-s host:port` (default localhost:3838), as goma's CLI.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { OvercClient, parseServerId } from '../client/index.js';
import { GomaMonitorError, monitorToJson, parseMonitorToml } from '../protocols/goma-monitor.js';
import { Agent } from '../agent/agent.js';
import { startControlApi, parseListen, isLoopback } from '../agent/control-api.js';
import { controlRequest, type ControlClientOptions } from '../agent/control-client.js';
import { FailStateStore } from '../agent/fail-state.js';
import { createLogger, parseLogLevel } from '../agent/logger.js';
import { Outbox } from '../agent/outbox.js';
import { overcDeliver } from '../agent/reporter.js';
import { stateRoot } from '../agent/state-dir.js';
import { systemTimers } from '../agent/timers.js';
import { CliError } from './main.js';

/** Default directory of monitor definitions. */
export const DEFAULT_AGENT_DIR = '/usr/local/etc/oversee';
/** Default control API address (loopback only). */
export const DEFAULT_AGENT_LISTEN = '127.0.0.1:3838';

interface ServeOptions { dir: string; listen: string; token?: string; allowRoot?: boolean; stateDir?: string; verbosity: string; retryMax: string }

/** Adds `agent` and its subcommands to the program. */
export function registerAgentCommands(program: Command): void {
  const agent = program
    .command('agent')
    .description('goma-compatible monitoring agent (serve by default) and its control commands')
    .enablePositionalOptions()
    .option('-s, --agent <addr>', 'agent control API address for client commands', 'localhost:3838')
    .option('--token <token>', 'control API token (env OVERSEE_AGENT_TOKEN)');

  const clientOpts = (): ControlClientOptions => {
    const o = agent.opts<{ agent: string; token?: string }>();
    return { address: o.agent, token: o.token ?? process.env['OVERSEE_AGENT_TOKEN'] };
  };

  agent
    .command('serve', { isDefault: true })
    .description('run the agent: load monitors from -d DIR, serve the control API, push to -s/-i server when given')
    .option('-d, --dir <dir>', 'directory of *.toml monitor files', DEFAULT_AGENT_DIR)
    .option('--listen <addr>', 'control API address; beyond loopback needs --token', DEFAULT_AGENT_LISTEN)
    .option('--token <token>', 'require this bearer token on the control API (env OVERSEE_AGENT_TOKEN)')
    .option('--allow-root', 'allow running as root (monitors run arbitrary commands)')
    .option('--state-dir <dir>', 'failing state and outbox (default ~/.local/state/oversee/agent)')
    .option('--verbosity <level>', 'debug, info, warning, error, critical', 'info')
    .option('--retry-max <seconds>', 'longest wait between delivery retries while the server is down', '30')
    .action(async (opts: ServeOptions) => {
      await serveAgent(program, agent, opts);
    });

  const answer = async (method: string, path: string, body?: { type: string; text: string }): Promise<string> => {
    let r;
    try {
      r = await controlRequest(clientOpts(), method, path, body);
    } catch (err) {
      throw new CliError((err as Error).message);
    }
    if (r.status < 200 || r.status >= 300) throw new CliError(`agent answered ${r.status}: ${r.body.trim()}`);
    return r.body;
  };
  const idArg = (raw: string): string => {
    if (!/^[0-9]+$/.test(raw)) throw new CliError(`ID must be a number, got ${JSON.stringify(raw)}`);
    return raw;
  };

  agent.command('list').description('list monitors').action(async () => {
    const list = JSON.parse(await answer('GET', '/list')) as Array<{ id: string; name: string; running: boolean; failing: boolean }>;
    if (list.length === 0) { console.log('no monitors'); return; }
    for (const m of list) console.log(`${m.id}\t${m.name}\t${m.running ? 'running' : 'stopped'}\t${m.failing ? 'FAILING' : 'ok'}`);
  });
  agent.command('show').argument('<id>').description('show one monitor').action(async (id: string) => {
    const m = JSON.parse(await answer('GET', `/monitor/${idArg(id)}`)) as { id: string; name: string; running: boolean; failing: boolean };
    console.log(`id: ${m.id}\nname: ${m.name}\nrunning: ${m.running}\nfailing: ${m.failing}`);
  });
  agent.command('start').argument('<id>').description('start a monitor').action(async (id: string) => {
    await answer('POST', `/monitor/${idArg(id)}`, { type: 'text/plain', text: 'start' });
    console.log(`monitor ${id} started`);
  });
  agent.command('stop').argument('<id>').description('stop a monitor').action(async (id: string) => {
    await answer('POST', `/monitor/${idArg(id)}`, { type: 'text/plain', text: 'stop' });
    console.log(`monitor ${id} stopped`);
  });
  agent.command('unregister').argument('<id>').description('stop and remove a monitor').action(async (id: string) => {
    await answer('DELETE', `/monitor/${idArg(id)}`);
    console.log(`monitor ${id} unregistered`);
  });
  agent.command('register').argument('<file>', 'TOML file with [[monitor]] tables, or - for stdin').description('register and start monitors').action(async (file: string) => {
    let text: string;
    try {
      text = readFileSync(file === '-' ? 0 : file, 'utf8');
    } catch (err) {
      throw new CliError(`cannot read ${file}: ${(err as Error).message}`);
    }
    let defs;
    try {
      defs = parseMonitorToml(text, file === '-' ? 'stdin' : file);
    } catch (err) {
      if (err instanceof GomaMonitorError) throw new CliError(err.message, 2);
      throw err;
    }
    if (defs.length === 0) throw new CliError(`${file}: no [[monitor]] tables`, 2);
    for (const def of defs) {
      const id = (await answer('POST', '/register', { type: 'application/json', text: JSON.stringify(monitorToJson(def)) })).trim();
      console.log(`registered ${def.name} as ${id}`);
    }
  });
  agent.command('verbosity').argument('[level]', 'debug, info, warning, error, critical').description('show or set the log level').action(async (level?: string) => {
    if (level === undefined) { console.log((await answer('GET', '/verbosity')).trim()); return; }
    if (!parseLogLevel(level)) throw new CliError(`unknown level ${JSON.stringify(level)} (debug, info, warning, error, critical)`);
    await answer('PUT', '/verbosity', { type: 'text/plain', text: level });
    console.log(`verbosity set to ${level}`);
  });
}

async function serveAgent(program: Command, agentCmd: Command, opts: ServeOptions): Promise<void> {
  // 1. Safety: not as root unless asked; beyond loopback only with a token.
  if (typeof process.getuid === 'function' && process.getuid() === 0 && !opts.allowRoot) {
    throw new CliError('refusing to run as root: monitors run arbitrary commands; use a dedicated user or pass --allow-root');
  }
  const level = parseLogLevel(opts.verbosity);
  if (!level) throw new CliError(`--verbosity: unknown level ${JSON.stringify(opts.verbosity)}`, 2);
  let listen: { host: string; port: number };
  try {
    listen = parseListen(opts.listen);
  } catch (err) {
    throw new CliError(`--listen: ${(err as Error).message}`, 2);
  }
  const token = opts.token ?? agentCmd.opts<{ token?: string }>().token ?? process.env['OVERSEE_AGENT_TOKEN'];
  if (!isLoopback(listen.host) && (token === undefined || token === '')) {
    throw new CliError(`--listen ${opts.listen} is beyond loopback: anyone who reaches it could run commands; pass --token T too`, 2);
  }
  const logger = createLogger(level);
  const timers = systemTimers();
  const stateDir = opts.stateDir ?? join(stateRoot(), 'agent');
  // 2. Optional push to a server (program -s/-i or env).
  const popts = program.opts<{ server?: string; serverId?: string }>();
  const serverUrl = popts.server ?? process.env['OVERSEE_SERVER'];
  const serverId = popts.serverId ?? process.env['OVERSEE_SERVER_ID'];
  let outbox: Outbox | undefined;
  if (serverUrl) {
    if (!serverId) throw new CliError('a server is set but no host identification: pass -i name:key (or OVERSEE_SERVER_ID)', 2);
    let client: OvercClient;
    try {
      client = new OvercClient({ url: serverUrl, ...parseServerId(serverId) });
    } catch (err) {
      throw new CliError((err as Error).message, 2);
    }
    const retryMax = Number(opts.retryMax);
    if (!Number.isFinite(retryMax) || retryMax <= 0) throw new CliError(`--retry-max must be a positive number of seconds, got ${JSON.stringify(opts.retryMax)}`, 2);
    outbox = new Outbox({ dir: join(stateDir, 'outbox'), timers, logger, syncDelayMs: 200, batchDelayMs: 500, maxBackoffMs: retryMax * 1000, minBackoffMs: Math.min(1000, retryMax * 1000) });
    outbox.open();
    outbox.start(overcDeliver(client, logger));
  }
  const agent = new Agent({ timers, logger, outbox, failState: new FailStateStore(join(stateDir, 'failing.json')), implicitPush: outbox !== undefined, spreadStart: true });
  // 3. Monitors from the directory; a bad file stops start-up naming file, line and key.
  try {
    const ids = agent.loadDir(opts.dir);
    logger.info(`loaded ${ids.length} monitors from ${opts.dir}`);
  } catch (err) {
    agent.shutdown();
    await outbox?.close();
    if (err instanceof GomaMonitorError) throw new CliError(err.message, 2);
    throw new CliError(`cannot load monitors from ${opts.dir}: ${(err as Error).message}`, 2);
  }
  const api = await startControlApi({ agent, logger, token: token === '' ? undefined : token }, listen.host, listen.port).catch(async (err: unknown) => {
    agent.shutdown();
    await outbox?.close();
    throw new CliError(`cannot listen on ${opts.listen}: ${(err as Error).message}`);
  });
  console.log(`Oversee agent listening on ${api.address}${serverUrl ? `, pushing to ${serverUrl}` : ''}`);
  // 4. Run until SIGINT/SIGTERM; failing states stay persisted.
  await new Promise<void>((resolve) => {
    const stop = (): void => { process.off('SIGINT', stop); process.off('SIGTERM', stop); resolve(); };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  agent.shutdown();
  await api.close();
  await outbox?.close();
  logger.info('agent stopped');
}
