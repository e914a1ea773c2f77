// The `serve` command (runs the server) and `token create` (makes an API token in the server's store: SQLite or PostgreSQL).
import { Option } from 'commander';
import type { Command } from 'commander';
import { createToken, ROLES } from '../api/auth.js';
import { loadConfig, SETTINGS, SETTING_NAMES } from '../config/index.js';
import type { ServerConfig, SettingName } from '../config/index.js';
import type { Role } from '../domain/types.js';
import { ConfigError, OverseeError } from '../errors.js';
import { installShutdownHandlers, startServer } from '../server/start.js';
import type { RunningServer } from '../server/start.js';
import { CliError } from './main.js';
import { openConfiguredStore } from './store-access.js';

/** Exit code of a start-up stopped by a bad setting. */
export const CONFIG_ERROR_EXIT = 2;

/** Adds `serve` and `token create` to the program. */
export function registerServeCommands(program: Command): void {
  const serve = program
    .command('serve')
    .description('run the Oversee server (settings: flag > OVERSEE_* env > config file > default; see docs/configuration.md)');
  for (const name of SETTING_NAMES) serve.option(SETTINGS[name].flag, `${SETTINGS[name].description} (env ${SETTINGS[name].env})`);
  serve.option('-c, --config <file>', 'TOML config file (env OVERSEE_CONFIG)');
  serve.action(async (opts: Record<string, unknown>) => {
    const config = await configFromOptions(opts);
    let server: RunningServer;
    try {
      server = await startServer(config);
    } catch (err) {
      throw startFailure(err, config);
    }
    const code = await installShutdownHandlers(server);
    // Nothing should keep the process alive now; if something does, do not hang after a clean shutdown.
    setTimeout(() => process.exit(code), 2000).unref();
  });

  const token = program.command('token').description('manage API tokens');
  token
    .command('create')
    .description('create an API token in the store (works while the server runs) and print it on stdout')
    .option('--name <name>', 'a name that says what the token is for', 'cli')
    .addOption(new Option('--role <role>', 'what the token may do').choices(ROLES).default('viewer'))
    .option('--project <name>', 'limit the token to this project (default: every project)')
    .option(SETTINGS.data.flag, `data directory of the server (env ${SETTINGS.data.env})`)
    .option(SETTINGS.store.flag, `store location of the server: SQLite file or postgres:// URL (env ${SETTINGS.store.env})`)
    .option('-c, --config <file>', 'the server\'s TOML config file (env OVERSEE_CONFIG)')
    .action(async (opts: { name: string; role: Role; project?: string; data?: string; store?: string; config?: string }) => {
      // The server's store, SQLite or PostgreSQL, opened as `serve` opens it (store-access.ts).
      const opened = await openConfiguredStore({ data: opts.data, store: opts.store, config: opts.config });
      const store = opened.store;
      try {
        let projectId: number | null = null;
        if (opts.project !== undefined) {
          const project = await store.projects.getByName(opts.project);
          if (!project) throw new CliError(`no project named ${JSON.stringify(opts.project)}`);
          projectId = project.id;
        }
        const { token: secret, record } = await createToken(store, { name: opts.name, role: opts.role, projectId });
        process.stdout.write(`${secret}\n`);
        const scope = opts.project === undefined ? 'every project' : `project ${JSON.stringify(opts.project)}`;
        process.stderr.write(`Created ${record.role} token ${JSON.stringify(record.name)} (id ${record.id}) for ${scope}. It is shown only once.\n`);
      } catch (err) {
        if (err instanceof OverseeError) throw new CliError(err.message);
        throw err;
      } finally {
        await opened.close();
      }
    });
}

/** Resolves the configuration from command options and the process environment; a bad setting becomes a CliError. */
async function configFromOptions(opts: Record<string, unknown>): Promise<ServerConfig> {
  const flags: Partial<Record<SettingName, unknown>> = {};
  for (const name of SETTING_NAMES) if (opts[name] !== undefined) flags[name] = opts[name];
  try {
    return await loadConfig({ flags, configFlag: typeof opts.config === 'string' ? opts.config : undefined, env: process.env });
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message, CONFIG_ERROR_EXIT);
    throw err;
  }
}

/** Turns a start-up failure into a message that says what to do. */
function startFailure(err: unknown, config: ServerConfig): Error {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'EADDRINUSE') return new CliError(`cannot listen on ${config.host}:${config.port}: the address is already in use (${SETTINGS.port.flag.split(' ')[0]} or ${SETTINGS.port.env} picks another port)`);
  if (code === 'EACCES') return new CliError(`cannot listen on ${config.host}:${config.port}: permission denied`);
  if (code === 'EADDRNOTAVAIL') return new CliError(`cannot listen on ${config.host}:${config.port}: no such local address`);
  if (err instanceof ConfigError) return new CliError(err.message, CONFIG_ERROR_EXIT);
  return err instanceof Error ? err : new Error(String(err));
}
