// Schema migrations for PostgreSQL, per module (core, tsdb, alerting, ...), each with its own version
// counter in `schema_migrations`. A session advisory lock per schema makes nodes that start together
// migrate once: the first applies the steps, the others wait and then find nothing left to do.
import type pg from 'pg';
import { checkSchemaName, mapPgError } from './pool.js';

/** One schema step: `version` counts up from 1 within its module and never changes once released. */
export interface PgMigration {
  version: number;
  description: string;
  up: (c: pg.PoolClient) => Promise<unknown>;
}

/** First key of every Oversee advisory lock (the second is derived from the schema name). */
export const ADVISORY_LOCK_CLASS = 0x0f5e;

/**
 * Applies, under the schema's migration lock and in one transaction per step, the steps of `module`
 * newer than its recorded version; creates the schema when missing. Returns the version reached.
 */
export async function runPgMigrations(pool: pg.Pool, schema: string, module: string, steps: readonly PgMigration[]): Promise<number> {
  checkSchemaName(schema);
  const client = await pool.connect().catch((err: unknown) => { throw mapPgError(err); });
  let broken = false;
  const onError = (): void => { broken = true; };
  client.on('error', onError);
  try {
    // 1. Serialize with every other node migrating this schema (released in step 4, or when the session dies).
    await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [ADVISORY_LOCK_CLASS, `migrations:${schema}`]);
    try {
      // 2. Make sure the schema and the version table exist.
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (
        module TEXT NOT NULL, version INTEGER NOT NULL, description TEXT NOT NULL, applied_at BIGINT NOT NULL,
        PRIMARY KEY (module, version))`);
      const res = await client.query<{ v: number }>(
        `SELECT COALESCE(MAX(version), 0)::int AS v FROM ${schema}.schema_migrations WHERE module = $1`, [module]);
      const current = res.rows[0]?.v ?? 0;
      // 3. Apply each newer step with its version row, atomically.
      let version = current;
      for (const step of [...steps].sort((a, b) => a.version - b.version)) {
        if (step.version <= current) continue;
        if (step.version !== version + 1) throw new Error(`migrations of ${module}: version ${step.version} follows ${version}`);
        await client.query('BEGIN');
        try {
          await client.query(`SET LOCAL search_path = ${schema}`);
          await step.up(client);
          await client.query(`INSERT INTO ${schema}.schema_migrations (module, version, description, applied_at) VALUES ($1, $2, $3, $4)`,
            [module, step.version, step.description, Date.now()]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => { broken = true; });
          throw err;
        }
        version = step.version;
      }
      return version;
    } finally {
      // 4. Release the lock (a dead session releases it by itself).
      await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [ADVISORY_LOCK_CLASS, `migrations:${schema}`])
        .catch(() => { broken = true; });
    }
  } catch (err) {
    throw mapPgError(err);
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}
