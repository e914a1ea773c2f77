// Helpers for tests against a real PostgreSQL: the URL, a reachability probe and throw-away schemas.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The test server's URL: env OVERSEE_TEST_PG_URL or the local default. */
export function pgTestUrl(): string {
  return process.env.OVERSEE_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/test';
}

/** A fresh schema name, unique per call. */
export function freshSchemaName(prefix = 'ovs_test'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** Drops a schema and everything in it. */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

/**
 * Why PostgreSQL tests cannot run (null when they can). Under CI=true an unreachable server is not a
 * reason to skip: this throws, so the suite fails instead.
 */
export async function pgSkipReason(url = pgTestUrl()): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  let reason: string | null = null;
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    reason = `PostgreSQL at ${url.replace(/\/\/[^@/]*@/, '//***@')} unreachable: ${err instanceof Error ? err.message : String(err)}`;
  } finally {
    await client.end().catch(() => {});
  }
  if (reason === null) return null;
  if (process.env.CI === 'true') throw new Error(`${reason} (CI=true: PostgreSQL tests are required, not skipped)`);
  console.log(`# skipping PostgreSQL tests: ${reason}`);
  return reason;
}
