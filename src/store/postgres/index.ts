// The shared store for several Oversee nodes: PostgreSQL through a `pg` pool. Every node may read and
// write at once; writes that must be atomic run in one transaction, and nothing is cached in the node.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { OverseeError } from '../../errors.js';
import type { CheckRepo, HistoryReader, HostRepo, IngestWriter, Maintenance, ProjectRepo, Store, StoreObserver, TokenRepo } from '../types.js';
import { PG_CORE_MIGRATIONS } from './core-migrations.js';
import { PgIngest, type PgIngestOptions } from './ingest.js';
import { type PgMigration, runPgMigrations } from './migrations-runner.js';
import { checkSchemaName, createPool, mapPgError } from './pool.js';
import { PG_ODDEYE_MIGRATIONS } from './oddeye.js';
import { PG_OKERR_MIGRATIONS } from './okerr.js';
import { PgChecks, PgHistory, PgHosts, PgMaintenance, PgProjects, PgTokens } from './repos.js';
import { PG_RULES_MIGRATIONS } from './rules.js';
import { PG_USERS_MIGRATIONS } from './users.js';

/**
 * Modules whose tables are migrated when the store opens (after core), so that their repositories
 * (PgUserStore, PgOkerrRepo, PgRuleRepo, PgAutoClearRepo) can be made synchronously on the pool.
 */
const PG_MODULE_MIGRATIONS: ReadonlyArray<[string, readonly PgMigration[]]> = [
  ['users', PG_USERS_MIGRATIONS], ['okerr', PG_OKERR_MIGRATIONS], ['rules', PG_RULES_MIGRATIONS], ['oddeye', PG_ODDEYE_MIGRATIONS],
];

/** Options for opening the PostgreSQL store. */
export interface PostgresStoreOptions {
  /** Connection URL, e.g. postgres://oversee@db:5432/oversee. */
  url: string;
  /** Schema holding every Oversee table (created when missing); default `public`. */
  schema?: string;
  /** Connections in the pool; default 10. */
  poolSize?: number;
  observer?: StoreObserver;
  /** Shown in pg_stat_activity (so operators can tell nodes apart); default 'oversee'. */
  applicationName?: string;
  /** Group-commit transactions of ingest in flight at once; default half the pool (at least 1). */
  ingestGroups?: number;
  /** Errors of idle pooled connections (server restart); default: ignored, the pool reconnects on next use. */
  onIdleError?: (err: Error) => void;
}

/** The PostgreSQL store; `pool` and `migrate` let modules with their own tables (tsdb, alerting) share it. */
export type PostgresStore = Store & {
  readonly pool: pg.Pool;
  readonly schema: string;
  /** Runs a module's migrations under the schema's advisory lock; returns the version reached. */
  migrate(module: string, steps: readonly PgMigration[]): Promise<number>;
};

/** True for the PostgreSQL store (its pool is shared with the module tables). */
export function isPostgresStore(store: Store): store is PostgresStore {
  return store.dialect === 'postgres' && 'pool' in store && 'schema' in store;
}

/** Opens the store: creates the schema, migrates it (once across nodes) and makes sure the default project exists. */
export async function openPostgresStore(opts: PostgresStoreOptions): Promise<PostgresStore> {
  const schema = checkSchemaName(opts.schema ?? 'public');
  const pool = createPool({ url: opts.url, schema, size: opts.poolSize ?? 10, onIdleError: opts.onIdleError ?? (() => {}),
    ...(opts.applicationName !== undefined ? { applicationName: opts.applicationName } : {}) });
  try {
    await runPgMigrations(pool, schema, 'core', PG_CORE_MIGRATIONS);
    for (const [module, steps] of PG_MODULE_MIGRATIONS) await runPgMigrations(pool, schema, module, steps);
    await pool.query('INSERT INTO projects (name, ingest_token, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING',
      ['default', randomUUID(), Date.now()]);
  } catch (err) {
    await pool.end().catch(() => {});
    throw mapPgError(err);
  }
  const poolSize = opts.poolSize ?? 10;
  return new PostgresStoreImpl(pool, schema, { maxGroups: opts.ingestGroups ?? Math.max(1, Math.floor(poolSize / 2)), maxServices: 5000 }, opts.observer);
}

class PostgresStoreImpl implements PostgresStore {
  readonly dialect = 'postgres' as const;
  readonly projects: ProjectRepo;
  readonly tokens: TokenRepo;
  readonly hosts: HostRepo;
  readonly checks: CheckRepo;
  readonly ingest: IngestWriter;
  readonly history: HistoryReader;
  readonly maintenance: Maintenance;
  private closing: Promise<void> | null = null;
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(readonly pool: pg.Pool, readonly schema: string, ingest: PgIngestOptions, private readonly observer?: StoreObserver) {
    const timed = this.timed.bind(this);
    this.projects = new PgProjects(pool, timed);
    this.tokens = new PgTokens(pool, timed);
    this.hosts = new PgHosts(pool, timed);
    this.checks = new PgChecks(pool, timed);
    this.ingest = new PgIngest(pool, timed, ingest);
    this.history = new PgHistory(pool, timed);
    this.maintenance = new PgMaintenance(pool, timed);
  }

  migrate(module: string, steps: readonly PgMigration[]): Promise<number> {
    return this.timed(`migrate.${module}`, () => runPgMigrations(this.pool, this.schema, module, steps));
  }

  /** Runs one operation: refused once closing, tracked so close() waits for it, errors mapped, latency observed. */
  timed<T>(op: string, fn: () => Promise<T>): Promise<T> {
    if (this.closing) return Promise.reject(new OverseeError('OVS_ERR_UNAVAILABLE', 'store is closed'));
    const t0 = performance.now();
    const p = fn().catch((err: unknown) => { throw mapPgError(err); }).finally(() => {
      this.inflight.delete(p);
      this.observer?.(op, (performance.now() - t0) / 1000);
    });
    this.inflight.add(p);
    return p;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled([...this.inflight]);
      await this.pool.end();
    })();
    return this.closing;
  }
}
