// Copies an embedded (SQLite) installation into a fresh PostgreSQL schema, in one transaction, keeping
// every id, then checks that each table holds as many rows as its source. Modules with a PostgreSQL
// twin are copied (core, users, okerr, rules, oddeye, alerting, tsdb); the report names any left behind.
import type Database from 'better-sqlite3';
import type pg from 'pg';
import { OverseeError } from '../../errors.js';
import { PG_ALERTING_MIGRATIONS } from './alerting.js';
import type { PostgresStore } from './index.js';
import type { PgMigration } from './migrations-runner.js';
import { inTransaction } from './pool.js';
import { PG_TSDB_MIGRATIONS } from './tsdb-storage.js';

/** Tables per module, in foreign-key order. */
const MODULES: ReadonlyArray<{ module: string; steps: readonly PgMigration[] | null; tables: readonly string[] }> = [
  { module: 'core', steps: null, tables: ['projects', 'api_tokens', 'hosts', 'checks', 'state_reports', 'flips', 'alerts'] },
  // Migrated when the store opens (see index.ts).
  { module: 'users', steps: null, tables: ['users', 'user_grants', 'sessions', 'dashboards'] },
  { module: 'okerr', steps: null, tables: ['okerr_settings', 'okerr_indicators'] },
  { module: 'rules', steps: null, tables: ['metric_rules'] },
  { module: 'oddeye', steps: null, tables: ['oddeye_autoclear', 'oddeye_seen', 'oddeye_silent'] },
  { module: 'alerting', steps: PG_ALERTING_MIGRATIONS, tables: ['alert_channels', 'alert_routes', 'alert_silences', 'alert_check_state', 'alert_events', 'alert_deliveries', 'notifications'] },
  { module: 'tsdb', steps: PG_TSDB_MIGRATIONS, tables: ['tsdb_series', 'tsdb_wal', 'tsdb_chunks'] },
];

/** Values for PostgreSQL columns that SQLite does not have. */
const EXTRA_COLUMNS: Record<string, Record<string, unknown>> = {
  tsdb_wal: { node: 'default' },
};

/** What a copy did. */
export interface CopyReport {
  /** Rows copied per table (equal in source and target, or the copy was rolled back). */
  tables: Record<string, number>;
  /** Modules present in the SQLite file that have no PostgreSQL twin yet, with their schema version: not copied. */
  skipped: Array<{ module: string; version: number }>;
}

const ROWS_PER_STATEMENT = 2000;
const BYTES_PER_STATEMENT = 8 * 1024 * 1024;

/**
 * Copies `source` (an Oversee SQLite file, preferably opened read-only while no server writes to it)
 * into `target`, whose schema must hold nothing but the default project created at open;
 * OVS_ERR_CONFLICT otherwise. Identity sequences continue after the copied ids.
 */
export async function copySqliteToPostgres(source: Database.Database, target: PostgresStore): Promise<CopyReport> {
  // 1. Which modules the source has; migrate their twins in the target.
  const versions = new Map((source.prepare('SELECT module, MAX(version) AS v FROM schema_migrations GROUP BY module').all() as Array<{ module: string; v: number }>)
    .map((r) => [r.module, r.v]));
  const present = MODULES.filter((m) => versions.has(m.module));
  for (const m of present) if (m.steps) await target.migrate(m.module, m.steps);
  const skipped = [...versions.entries()].filter(([mod]) => !MODULES.some((m) => m.module === mod)).map(([module, version]) => ({ module, version }));
  // A table a module's later step added is missing from a file at an earlier step: it has no rows to copy.
  const inSource = new Set((source.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((r) => r.name));
  const tables = present.flatMap((m) => m.tables).filter((t) => inSource.has(t));

  return inTransaction(target.pool, async (c) => {
    // 2. The target must be fresh: only the default project it made itself.
    for (const t of tables) {
      const n = await countOf(c, t);
      if (n > (t === 'projects' ? 1 : 0)) throw new OverseeError('OVS_ERR_CONFLICT', `copy: target table ${t} is not empty (${n} rows)`);
    }
    await c.query('DELETE FROM projects');
    // 3. Copy each table in pages, converting values to the PostgreSQL column types.
    const copied: Record<string, number> = {};
    for (const t of tables) {
      const types = await columnTypes(c, t);
      const extra = EXTRA_COLUMNS[t] ?? {};
      // Columns the SQLite table lacks (e.g. tsdb_series.created_xid) keep their PostgreSQL default.
      const has = new Set((source.prepare(`PRAGMA table_info(${t})`).all() as Array<{ name: string }>).map((r) => r.name));
      const cols = [...types.keys()].filter((col) => has.has(col) || col in extra);
      const list = cols.join(', ');
      const insert = `INSERT INTO ${t} (${list}) OVERRIDING SYSTEM VALUE SELECT ${list} FROM json_populate_recordset(NULL::${t}, $1::json)`;
      const page = source.prepare(`SELECT rowid AS "__rowid", * FROM ${t} WHERE rowid > ? ORDER BY rowid LIMIT ${ROWS_PER_STATEMENT}`);
      let after = 0;
      let n = 0;
      for (;;) {
        const rows = page.all(after) as Array<Record<string, unknown>>;
        if (rows.length === 0) break;
        let batch: Array<Record<string, unknown>> = [];
        let bytes = 0;
        for (const row of rows) {
          after = row.__rowid as number;
          const out: Record<string, unknown> = { ...extra };
          for (const [col, v] of Object.entries(row)) {
            if (col === '__rowid') continue;
            const type = types.get(col);
            if (type === undefined) throw new Error(`copy: ${t}.${col} has no PostgreSQL column`);
            out[col] = convert(v, type);
            bytes += Buffer.isBuffer(v) ? v.length * 2 : 16;
          }
          batch.push(out);
          if (bytes >= BYTES_PER_STATEMENT) { await c.query(insert, [JSON.stringify(batch)]); n += batch.length; batch = []; bytes = 0; }
        }
        if (batch.length > 0) { await c.query(insert, [JSON.stringify(batch)]); n += batch.length; }
      }
      copied[t] = n;
    }
    // 4. Sequences continue after the copied ids.
    for (const t of tables) {
      if (!(await columnTypes(c, t)).has('id')) continue;
      await c.query(`SELECT setval(pg_get_serial_sequence('${t}', 'id'), GREATEST((SELECT MAX(id) FROM ${t}), 1), (SELECT MAX(id) IS NOT NULL FROM ${t}))
        WHERE pg_get_serial_sequence('${t}', 'id') IS NOT NULL`);
    }
    // Ids SQLite retired on delete are never handed out again here either: project ids (deleted_projects),
    // host and check ids (core step 4: retired_ids).
    const retired: Array<{ tbl: string; max_id: number | null }> = [];
    if (inSource.has('deleted_projects')) {
      retired.push({ tbl: 'projects', ...(source.prepare('SELECT MAX(id) AS max_id FROM deleted_projects').get() as { max_id: number | null }) });
    }
    if (inSource.has('retired_ids')) {
      retired.push(...(source.prepare("SELECT tbl, max_id FROM retired_ids WHERE tbl IN ('hosts', 'checks') AND max_id > 0").all() as Array<{ tbl: string; max_id: number }>));
    }
    for (const { tbl, max_id } of retired) {
      if (max_id !== null) await c.query(`SELECT setval(pg_get_serial_sequence('${tbl}', 'id'), GREATEST((SELECT MAX(id) FROM ${tbl}), $1::bigint), true)`, [max_id]);
    }
    if (tables.includes('tsdb_series')) {
      await c.query("SELECT setval('tsdb_series_ids', GREATEST((SELECT MAX(id) FROM tsdb_series), 1), (SELECT MAX(id) IS NOT NULL FROM tsdb_series))");
    }
    // 5. Verify: each table holds exactly the source's rows, or everything rolls back.
    for (const t of tables) {
      const want = (source.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n;
      const have = await countOf(c, t);
      if (want !== have || copied[t] !== want) throw new Error(`copy: ${t} has ${have} rows in PostgreSQL, ${want} in SQLite`);
    }
    return { tables: copied, skipped };
  });
}

async function countOf(c: pg.PoolClient, table: string): Promise<number> {
  return (await c.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`)).rows[0]?.n ?? 0;
}

async function columnTypes(c: pg.PoolClient, table: string): Promise<Map<string, string>> {
  const res = await c.query<{ column_name: string; data_type: string }>(
    'SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position', [table]);
  return new Map(res.rows.map((r) => [r.column_name, r.data_type]));
}

/** A SQLite value as JSON for json_populate_recordset into a column of `type`. */
function convert(v: unknown, type: string): unknown {
  if (v === null || v === undefined) return null;
  if (type === 'boolean') return v !== 0 && v !== '0' && v !== false;
  if (type === 'jsonb' || type === 'json') return typeof v === 'string' ? JSON.parse(v) as unknown : v;
  if (type === 'bytea') return `\\x${Buffer.isBuffer(v) ? v.toString('hex') : Buffer.from(String(v)).toString('hex')}`;
  if (typeof v === 'bigint') return v.toString();
  return v;
}
