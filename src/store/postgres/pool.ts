// Connection pool, transactions with retry, and the mapping of driver errors to stable codes.
import pg from 'pg';
import { OverseeError } from '../../errors.js';

/** Anything that runs a query: a pool or one checked-out client. */
export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

/** Options of the pool behind a PostgreSQL store. */
export interface PgPoolOptions {
  url: string;
  /** Schema that holds every Oversee table (created when missing). */
  schema: string;
  size: number;
  /** Shown in pg_stat_activity; default 'oversee'. */
  applicationName?: string;
  /** Called for errors of idle connections (server restart, network), which would otherwise crash the process. */
  onIdleError?: (err: Error) => void;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Checks a schema name: lower-case identifier characters only, so it never needs quoting. */
export function checkSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw new OverseeError('OVS_ERR_VALIDATION', `store.schema: "${schema}" is not a lower-case identifier ([a-z_][a-z0-9_]*, at most 63)`);
  }
  return schema;
}

/** Creates a pool whose connections use `schema` and parse int8 (ids, ms timestamps) as numbers. */
export function createPool(opts: PgPoolOptions): pg.Pool {
  const types = new pg.TypeOverrides();
  types.setTypeParser(pg.types.builtins.INT8, (v: string) => Number(v));
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.size,
    types,
    options: `-c search_path=${checkSchemaName(opts.schema)}`,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    application_name: opts.applicationName ?? 'oversee',
  });
  pool.on('error', (err) => opts.onIdleError?.(err));
  return pool;
}

/** Thrown inside a transaction to make `inTransaction` roll back and run it again. */
export class RetryTransaction extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'RetryTransaction';
  }
}

const RETRYABLE = new Set(['40001', '40P01']); // serialization_failure, deadlock_detected

/** Runs `fn` in one transaction (READ COMMITTED); retries on deadlock, serialization failure or RetryTransaction. */
export async function inTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect().catch((err: unknown) => { throw mapPgError(err); });
    let broken = false;
    // A checked-out client whose connection dies emits 'error'; unheard, that would crash the process.
    const onError = (): void => { broken = true; };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true; // the connection is gone; do not return it to the pool
      }
      const retry = err instanceof RetryTransaction || RETRYABLE.has(pgCode(err) ?? '');
      if (!retry || attempt >= attempts) throw mapPgError(err);
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }
}

/** The SQLSTATE of a driver error, if it has one. */
export function pgCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}

const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);

/** Maps connection loss and server shutdown to OVS_ERR_UNAVAILABLE; keeps OverseeErrors; passes others through. */
export function mapPgError(err: unknown): unknown {
  if (err instanceof OverseeError) return err;
  const code = pgCode(err);
  const message = err instanceof Error ? err.message : String(err);
  const lost = (code !== undefined && (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || UNAVAILABLE_NODE_CODES.has(code)))
    || /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message);
  if (lost) return new OverseeError('OVS_ERR_UNAVAILABLE', `store: PostgreSQL unavailable (${code ?? message})`);
  return err;
}

/** One statement on the pool, its driver errors mapped as mapPgError does. */
export async function pgQuery<R extends pg.QueryResultRow>(pool: pg.Pool, sql: string, args: unknown[] = []): Promise<pg.QueryResult<R>> {
  try {
    return await pool.query<R>(sql, args);
  } catch (err) {
    throw mapPgError(err);
  }
}
