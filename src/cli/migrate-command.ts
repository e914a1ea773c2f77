// `oversee migrate --from ./data --to postgres://…`: copies an embedded (SQLite) installation into a
// fresh PostgreSQL schema with copySqliteToPostgres (all or nothing, ids kept, row counts verified)
// and prints the rows per table. The server using the SQLite file must be stopped first.
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { BadValue, parseStore } from '../config/values.js';
import { OverseeError } from '../errors.js';
import { copySqliteToPostgres } from '../store/postgres/copy-from-sqlite.js';
import { openPostgresStore } from '../store/postgres/index.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { openSqliteTsdbStorage } from '../store/sqlite/tsdb-storage.js';
import { Tsdb } from '../tsdb/index.js';
import { systemClock } from '../util/clock.js';
import { CliError } from './main.js';

/** Options of `oversee migrate`. */
interface MigrateOptions {
  from: string;
  to: string;
  schema?: string;
}

/** The SQLite file of `--from`: a data directory (its oversee.db) or the file itself. */
function sqliteFileOf(from: string): string {
  const path = resolve(from);
  if (!existsSync(path)) throw new CliError(`--from: ${path} does not exist`);
  const file = statSync(path).isDirectory() ? join(path, 'oversee.db') : path;
  if (!existsSync(file)) throw new CliError(`--from: no Oversee store at ${file}`);
  return file;
}

/** The PostgreSQL URL and schema of `--to` (and `--schema`, which wins over `?schema=`). */
function targetOf(opts: MigrateOptions): { url: string; schema: string; shown: string } {
  try {
    const loc = parseStore(opts.to, process.cwd());
    if (loc.kind !== 'postgres') throw new CliError('--to: must be a postgres:// URL');
    const schema = opts.schema ?? loc.schema;
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new CliError(`--schema: "${schema}" is not a lower-case identifier`);
    return { url: loc.url, schema, shown: loc.path };
  } catch (err) {
    if (err instanceof BadValue) throw new CliError(`--to: ${err.message}`);
    throw err;
  }
}

/**
 * Runs the copy:
 * 1. opens the SQLite store (bringing its schema up to date) and checkpoints its tsdb, so that every
 *    sample is in a chunk (a WAL is per node on PostgreSQL);
 * 2. opens the PostgreSQL schema (created and migrated when missing) and copies everything in one
 *    transaction, refusing a schema that already holds data;
 * 3. prints the rows copied per table and any module left behind.
 */
async function migrate(opts: MigrateOptions, out: (line: string) => void): Promise<void> {
  const file = sqliteFileOf(opts.from);
  const target = targetOf(opts);
  const lite = await openSqliteStore({ path: file });
  try {
    const tsdb = await Tsdb.open({ storage: openSqliteTsdbStorage({ db: lite.db }), clock: systemClock });
    await tsdb.close(); // checkpoints the head; the storage shares the store's connection, which stays open
    const pgStore = await openPostgresStore({ url: target.url, schema: target.schema, poolSize: 2, applicationName: 'oversee migrate' });
    try {
      const report = await copySqliteToPostgres(lite.db, pgStore);
      out(`Copied ${file} to ${target.shown} (schema ${target.schema}); row counts verified:`);
      const width = Math.max(...Object.keys(report.tables).map((t) => t.length));
      for (const [table, rows] of Object.entries(report.tables)) out(`  ${table.padEnd(width)}  ${rows}`);
      for (const s of report.skipped) out(`  not copied: module ${s.module} (schema version ${s.version}) has no PostgreSQL tables`);
    } finally {
      await pgStore.close();
    }
  } catch (err) {
    if (err instanceof OverseeError) throw new CliError(`migrate: ${err.message}`);
    throw err;
  } finally {
    await lite.close();
  }
}

/** Adds `migrate` to the program. */
export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('copy an embedded (SQLite) installation into an empty PostgreSQL schema, verifying row counts (stop the server first)')
    .requiredOption('--from <dir>', 'data directory (or SQLite file) of the installation')
    .requiredOption('--to <url>', 'PostgreSQL URL, e.g. postgres://oversee@db:5432/oversee (optionally ?schema=name)')
    .option('--schema <name>', 'schema to copy into (default: ?schema= of the URL, else public)')
    .action(async (opts: MigrateOptions) => {
      await migrate(opts, (line) => { process.stdout.write(`${line}\n`); });
    });
}
