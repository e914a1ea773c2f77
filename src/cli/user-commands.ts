// `oversee user add NAME --role R [--project P]` and `oversee user list`: manage dashboard accounts
// directly in the store file (works while the server runs). The password comes from stdin with
// --password-stdin, else a random one is generated and printed once.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Option } from 'commander';
import type { Command } from 'commander';
import { ROLES } from '../api/auth.js';
import { loadConfig, SETTINGS } from '../config/index.js';
import type { ServerConfig } from '../config/index.js';
import type { Role } from '../domain/types.js';
import { ConfigError, OverseeError } from '../errors.js';
import { openSqliteStore, type SqliteStore } from '../store/sqlite/index.js';
import { createUserChecked } from '../users/routes.js';
import { openSqliteUserStore } from '../users/sqlite-store.js';
import { CliError } from './main.js';

interface StoreOptions { data?: string; store?: string; config?: string }

/** Reads all of stdin and returns its first line (without the newline). */
async function readPasswordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

/** Opens the server's store as configured by flags, env and config file; CliError when missing. */
async function openConfiguredStore(opts: StoreOptions): Promise<SqliteStore> {
  let config: ServerConfig;
  try {
    const flags: Record<string, unknown> = {};
    if (opts.data !== undefined) flags.data = opts.data;
    if (opts.store !== undefined) flags.store = opts.store;
    config = await loadConfig({ flags, configFlag: opts.config, env: process.env });
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message, 2);
    throw err;
  }
  if (!existsSync(config.store.path)) {
    throw new CliError(`no store at ${config.store.path}: start the server once (oversee serve) or pass the server's --data or --config`);
  }
  return openSqliteStore({ path: config.store.path });
}

function addStoreOptions(cmd: Command): Command {
  return cmd
    .option(SETTINGS.data.flag, `data directory of the server (env ${SETTINGS.data.env})`)
    .option(SETTINGS.store.flag, `store location of the server (env ${SETTINGS.store.env})`)
    .option('-c, --config <file>', 'the server\'s TOML config file (env OVERSEE_CONFIG)');
}

/** Where the commands write (process streams by default; tests pass their own). */
export interface CommandOutput {
  out(text: string): void;
  err(text: string): void;
}

const processOutput: CommandOutput = {
  out: (text) => { process.stdout.write(text); },
  err: (text) => { process.stderr.write(text); },
};

/** Adds `user add` and `user list` to the program. */
export function registerUserCommands(program: Command, io: CommandOutput = processOutput): void {
  const user = program.command('user').description('manage dashboard users (accounts with passwords and roles)');
  addStoreOptions(user
    .command('add <name>')
    .description('create a user; prints a generated password unless --password-stdin is given')
    .addOption(new Option('--role <role>', 'what the user may do').choices(ROLES).default('viewer'))
    .option('--project <name>', 'limit the user to this project (default: every project)')
    .option('--password-stdin', 'read the password from the first line of stdin'))
    .action(async (name: string, opts: StoreOptions & { role: Role; project?: string; passwordStdin?: boolean }) => {
      const password = opts.passwordStdin ? await readPasswordFromStdin() : randomBytes(12).toString('base64url');
      const store = await openConfiguredStore(opts);
      try {
        let projectId: number | null = null;
        if (opts.project !== undefined) {
          const project = await store.projects.getByName(opts.project);
          if (!project) throw new CliError(`no project named ${JSON.stringify(opts.project)}`);
          projectId = project.id;
        }
        const created = await createUserChecked(openSqliteUserStore(store.db), store, { name, password, role: opts.role, projectId }, Date.now());
        const scope = opts.project === undefined ? 'every project' : `project ${JSON.stringify(opts.project)}`;
        io.err(`Created ${created.role} user ${JSON.stringify(created.name)} (id ${created.id}) for ${scope}.\n`);
        if (!opts.passwordStdin) io.out(`Password (shown once): ${password}\n`);
      } catch (err) {
        if (err instanceof OverseeError) throw new CliError(err.message);
        throw err;
      } finally {
        await store.close();
      }
    });
  addStoreOptions(user.command('list').description('list users with their roles'))
    .action(async (opts: StoreOptions) => {
      const store = await openConfiguredStore(opts);
      try {
        for (const u of await openSqliteUserStore(store.db).listUsers()) {
          io.out(`${u.id}\t${u.name}\t${u.role}\t${u.projectId === null ? '*' : String(u.projectId)}\n`);
        }
      } finally {
        await store.close();
      }
    });
}
