// How the store-editing commands (user …, token create) open the server's store: the configuration is
// resolved exactly as `serve` resolves it (flag > OVERSEE_* env > config file), and the store is opened
// with the server's own openBackend, so SQLite files and PostgreSQL (--store postgres://…) both work.
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig, SETTINGS } from '../config/index.js';
import type { ServerConfig } from '../config/index.js';
import { ConfigError } from '../errors.js';
import { openBackend } from '../server/runtime.js';
import type { Store } from '../store/types.js';
import type { UserStore } from '../users/types.js';
import { userStoreFor } from '../web-server/index.js';
import { CliError } from './main.js';

/** The store flags every store-editing command takes. */
export interface StoreOptions { data?: string; store?: string; config?: string }

/** The opened store with its user store; close it when done. */
export interface OpenedStore {
  store: Store;
  users: UserStore;
  close(): Promise<void>;
}

/** Adds --data, --store and --config (the server's settings) to a command. */
export function addStoreOptions(cmd: Command): Command {
  return cmd
    .option(SETTINGS.data.flag, `data directory of the server (env ${SETTINGS.data.env})`)
    .option(SETTINGS.store.flag, `store location of the server: SQLite file or postgres:// URL (env ${SETTINGS.store.env})`)
    .option('-c, --config <file>', 'the server\'s TOML config file (env OVERSEE_CONFIG)');
}

/** The server configuration from the command's store options and the environment; a bad setting is a CliError (exit 2). */
export async function storeConfig(opts: StoreOptions, env: NodeJS.ProcessEnv = process.env): Promise<ServerConfig> {
  try {
    const flags: Record<string, unknown> = {};
    if (opts.data !== undefined) flags.data = opts.data;
    if (opts.store !== undefined) flags.store = opts.store;
    return await loadConfig({ flags, configFlag: opts.config, env });
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message, 2);
    throw err;
  }
}

const quiet = { info: (): void => undefined, warn: (): void => undefined, error: (): void => undefined };

/**
 * Opens the configured store as the server does (openBackend; PostgreSQL is migrated under its
 * advisory lock). A SQLite file that does not exist yet is refused: the command would create an
 * empty store nobody serves.
 */
export async function openConfiguredStore(opts: StoreOptions, env: NodeJS.ProcessEnv = process.env): Promise<OpenedStore> {
  const config = await storeConfig(opts, env);
  if (config.store.kind === 'sqlite' && !existsSync(config.store.path)) {
    throw new CliError(`no store at ${config.store.path}: start the server once (oversee serve) or pass the server's --data, --store or --config`);
  }
  const backend = await openBackend(config, { observer: () => undefined, logger: quiet });
  return { store: backend.store, users: userStoreFor(backend.raw), close: () => backend.close() };
}
