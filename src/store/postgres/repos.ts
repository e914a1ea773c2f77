// Projects, tokens, hosts, checks, history and housekeeping on PostgreSQL. Single statements run on
// the pool (autocommit: durable when they resolve); multi-statement writes use inTransaction.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Alert, ApiToken, Check, CheckState, Flip, Host, Project, Role, StateReport } from '../../domain/types.js';
import { OverseeError } from '../../errors.js';
import { decodeNumericCursor, pageOf } from '../cursor.js';
import type {
  CheckFilter, CheckRepo, HistoryReader, HostKeyHash, HostRepo, HostWithKey, Maintenance, Page, PageRequest, ProjectRepo,
  TimeFilter, TokenRecord, TokenRepo,
} from '../types.js';
import { inTransaction, pgCode } from './pool.js';
import { deleteProjectReferences, renameProjectReferences } from './project-references.js';
import {
  type AlertRow, type CheckRow, type FlipRow, type HostRow, type ProjectRow, type StateReportRow, type TokenRow,
  toAlert, toCheck, toFlip, toHost, toHostWithKey, toProject, toStateReport, toToken, toTokenRecord,
} from './rows.js';
import { Params, timeWhere, whereSql } from './sql.js';

/** Runs and times one store operation (the store's wrapper: closed check, error mapping, observer). */
export type Timed = <T>(op: string, fn: () => Promise<T>) => Promise<T>;

const CHECK_SELECT = 'SELECT c.*, h.name AS host_name FROM checks c JOIN hosts h ON h.id = c.host_id';

async function one<R, T>(pool: pg.Pool, sql: string, args: unknown[], map: (r: R) => T): Promise<T | null> {
  const res = await pool.query<R & pg.QueryResultRow>(sql, args);
  const row = res.rows[0];
  return row === undefined ? null : map(row);
}

/** Projects on PostgreSQL. */
export class PgProjects implements ProjectRepo {
  constructor(private readonly pool: pg.Pool, private readonly timed: Timed) {}
  list(): Promise<Project[]> {
    return this.timed('projects.list', async () => (await this.pool.query<ProjectRow>('SELECT * FROM projects ORDER BY id')).rows.map(toProject));
  }
  get(id: number): Promise<Project | null> {
    return this.timed('projects.get', () => one(this.pool, 'SELECT * FROM projects WHERE id = $1', [id], toProject));
  }
  getByName(name: string): Promise<Project | null> {
    return this.timed('projects.get', () => one(this.pool, 'SELECT * FROM projects WHERE name = $1', [name], toProject));
  }
  getByIngestToken(token: string): Promise<Project | null> {
    return this.timed('projects.get', () => one(this.pool, 'SELECT * FROM projects WHERE ingest_token = $1', [token], toProject));
  }
  create(name: string, now: number, description = ''): Promise<Project> {
    return this.timed('projects.create', async () => {
      try {
        const res = await this.pool.query<ProjectRow>('INSERT INTO projects (name, ingest_token, description, created_at) VALUES ($1, $2, $3, $4) RETURNING *',
          [name, randomUUID(), description, now]);
        return toProject(res.rows[0] as ProjectRow);
      } catch (err) {
        if (pgCode(err) === '23505') throw new OverseeError('OVS_ERR_CONFLICT', `project "${name}" already exists`);
        throw err;
      }
    });
  }
  update(id: number, change: { name?: string; description?: string }): Promise<Project | null> {
    return this.timed('projects.update', async () => {
      try {
        return await inTransaction(this.pool, async (c) => {
          const before = (await c.query<{ name: string }>('SELECT name FROM projects WHERE id = $1 FOR UPDATE', [id])).rows[0];
          if (before === undefined) return null;
          const row = (await c.query<ProjectRow>('UPDATE projects SET name = COALESCE($1, name), description = COALESCE($2, description) WHERE id = $3 RETURNING *',
            [change.name ?? null, change.description ?? null, id])).rows[0] as ProjectRow;
          // Silences and route matches name projects: they follow the rename in this transaction.
          await renameProjectReferences(c, before.name, row.name);
          return toProject(row);
        });
      } catch (err) {
        if (pgCode(err) === '23505') throw new OverseeError('OVS_ERR_CONFLICT', `name: a project named ${JSON.stringify(change.name)} exists`, { field: 'name' });
        throw err;
      }
    });
  }
  delete(id: number): Promise<boolean> {
    return this.timed('projects.delete', () => inTransaction(this.pool, async (c) => {
      const row = (await c.query<{ name: string }>('SELECT name FROM projects WHERE id = $1 FOR UPDATE', [id])).rows[0];
      if (row === undefined) return false;
      // Foreign keys cascade hosts, checks, history, dashboards, grants, okerr, OddEye and rules rows;
      // what names the project or has no foreign key goes here, in the same transaction.
      await deleteProjectReferences(c, id, row.name);
      return ((await c.query('DELETE FROM projects WHERE id = $1', [id])).rowCount ?? 0) > 0;
    }));
  }
  usage(id: number): Promise<{ hosts: number; checks: number }> {
    return this.timed('projects.usage', async () => {
      const res = await this.pool.query<{ hosts: number; checks: number }>(
        'SELECT (SELECT COUNT(*)::int FROM hosts WHERE project_id = $1) AS hosts, (SELECT COUNT(*)::int FROM checks WHERE project_id = $1) AS checks', [id]);
      return res.rows[0] ?? { hosts: 0, checks: 0 };
    });
  }
}

/** API tokens on PostgreSQL (hashes only). */
export class PgTokens implements TokenRepo {
  constructor(private readonly pool: pg.Pool, private readonly timed: Timed) {}
  create(input: { name: string; role: Role; projectId: number | null; hash: string; now: number }): Promise<ApiToken> {
    return this.timed('tokens.create', async () => toToken((await this.pool.query<TokenRow>(
      'INSERT INTO api_tokens (name, role, project_id, token_hash, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING *',
      [input.name, input.role, input.projectId, input.hash, input.now])).rows[0] as TokenRow));
  }
  /** Serialized by a transaction advisory lock: nodes starting together on one database create one token. */
  createFirst(input: { name: string; role: Role; projectId: number | null; hash: string; now: number }): Promise<ApiToken | null> {
    return this.timed('tokens.create', async () => {
      const client = await this.pool.connect();
      let broken = false;
      const onError = (): void => { broken = true; }; // unheard, a lost connection would crash the process
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        await client.query("SELECT pg_advisory_xact_lock(hashtext('oversee-first-token'))");
        const res = await client.query<TokenRow>(`INSERT INTO api_tokens (name, role, project_id, token_hash, created_at)
          SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS (SELECT 1 FROM api_tokens) RETURNING *`,
        [input.name, input.role, input.projectId, input.hash, input.now]);
        await client.query('COMMIT');
        const row = res.rows[0];
        return row === undefined ? null : toToken(row);
      } catch (err) {
        await client.query('ROLLBACK').catch(() => { broken = true; });
        throw err;
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    });
  }
  findByHash(hash: string): Promise<TokenRecord | null> {
    return this.timed('tokens.find', () => one(this.pool, 'SELECT * FROM api_tokens WHERE token_hash = $1', [hash], toTokenRecord));
  }
  list(): Promise<ApiToken[]> {
    return this.timed('tokens.list', async () => (await this.pool.query<TokenRow>('SELECT * FROM api_tokens ORDER BY id')).rows.map(toToken));
  }
  count(): Promise<number> {
    return this.timed('tokens.count', async () => (await this.pool.query<{ n: number }>('SELECT COUNT(*) AS n FROM api_tokens')).rows[0]?.n ?? 0);
  }
  delete(id: number): Promise<boolean> {
    return this.timed('tokens.delete', async () => ((await this.pool.query('DELETE FROM api_tokens WHERE id = $1', [id])).rowCount ?? 0) > 0);
  }
  touch(id: number, now: number): Promise<void> {
    return this.timed('tokens.touch', async () => { await this.pool.query('UPDATE api_tokens SET last_used_at = $1 WHERE id = $2', [now, id]); });
  }
}

/** Hosts on PostgreSQL: registration is an insert that yields to an existing row. */
export class PgHosts implements HostRepo {
  constructor(private readonly pool: pg.Pool, private readonly timed: Timed) {}
  get(id: number): Promise<Host | null> {
    return this.timed('hosts.get', () => one(this.pool, 'SELECT * FROM hosts WHERE id = $1', [id], toHost));
  }
  getWithKey(projectId: number, name: string): Promise<HostWithKey | null> {
    return this.timed('hosts.get', () => one(this.pool, 'SELECT * FROM hosts WHERE project_id = $1 AND name = $2', [projectId, name], toHostWithKey));
  }
  /** Two statements: the insert waits for a racing one to commit, then the select (a new snapshot) sees the winner. */
  register(projectId: number, name: string, key: HostKeyHash | null, now: number): Promise<HostWithKey> {
    return this.timed('hosts.register', async () => {
      const ins = await this.pool.query<HostRow>(
        `INSERT INTO hosts (project_id, name, key_salt, key_hash, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (project_id, name) DO NOTHING RETURNING *`, [projectId, name, key?.salt ?? null, key?.hash ?? null, now]);
      const row = ins.rows[0] ?? (await this.pool.query<HostRow>('SELECT * FROM hosts WHERE project_id = $1 AND name = $2', [projectId, name])).rows[0];
      if (!row) throw new OverseeError('OVS_ERR_CONFLICT', `host "${name}" was deleted while being registered`);
      return toHostWithKey(row);
    });
  }
  /** One statement: the conditional update and the read of the resulting row. */
  claimKey(id: number, key: HostKeyHash): Promise<HostWithKey | null> {
    return this.timed('hosts.claimKey', async () => {
      await this.pool.query('UPDATE hosts SET key_salt = $1, key_hash = $2 WHERE id = $3 AND key_hash IS NULL', [key.salt, key.hash, id]);
      return one(this.pool, 'SELECT * FROM hosts WHERE id = $1', [id], toHostWithKey);
    });
  }
  list(filter: PageRequest & { projectId?: number; projectIds?: readonly number[]; namePrefix?: string }): Promise<Page<Host>> {
    return this.timed('hosts.list', async () => {
      const p = new Params();
      const where: string[] = [];
      if (filter.projectId !== undefined) where.push(`project_id = ${p.add(filter.projectId)}`);
      if (filter.projectIds !== undefined) where.push(`project_id = ANY(${p.add(filter.projectIds)}::bigint[])`);
      if (filter.namePrefix) where.push(`starts_with(name, ${p.add(filter.namePrefix)})`);
      if (filter.cursor) where.push(`id > ${p.add(decodeNumericCursor(filter.cursor, 1)[0])}`);
      const res = await this.pool.query<HostRow>(`SELECT * FROM hosts ${whereSql(where)} ORDER BY id LIMIT ${p.add(filter.limit + 1)}`, p.values);
      return pageOf(res.rows.map(toHost), filter.limit, (h) => [h.id]);
    });
  }
  delete(id: number): Promise<boolean> {
    return this.timed('hosts.delete', async () => ((await this.pool.query('DELETE FROM hosts WHERE id = $1', [id])).rowCount ?? 0) > 0);
  }
}

/** Checks on PostgreSQL: reads and deletion. */
export class PgChecks implements CheckRepo {
  constructor(private readonly pool: pg.Pool, private readonly timed: Timed) {}
  get(id: number): Promise<Check | null> {
    return this.timed('checks.get', () => one(this.pool, `${CHECK_SELECT} WHERE c.id = $1`, [id], toCheck));
  }
  getByName(hostId: number, name: string): Promise<Check | null> {
    return this.timed('checks.get', () => one(this.pool, `${CHECK_SELECT} WHERE c.host_id = $1 AND c.name = $2`, [hostId, name], toCheck));
  }
  getMany(ids: readonly number[]): Promise<Check[]> {
    return this.timed('checks.getMany', async () => (ids.length === 0 ? [] : (await this.pool.query<CheckRow>(
      `${CHECK_SELECT} WHERE c.id = ANY($1::bigint[]) ORDER BY c.id`, [ids])).rows.map(toCheck)));
  }
  list(filter: CheckFilter): Promise<Page<Check>> {
    return this.timed('checks.list', async () => {
      const p = new Params();
      const where: string[] = [];
      if (filter.projectId !== undefined) where.push(`c.project_id = ${p.add(filter.projectId)}`);
      if (filter.projectIds !== undefined) where.push(`c.project_id = ANY(${p.add(filter.projectIds)}::bigint[])`);
      if (filter.hostId !== undefined) where.push(`c.host_id = ${p.add(filter.hostId)}`);
      if (filter.state !== undefined) where.push(`c.state = ${p.add(filter.state)}`);
      if (filter.namePrefix) where.push(`starts_with(c.name, ${p.add(filter.namePrefix)})`);
      if (filter.cursor) where.push(`c.id > ${p.add(decodeNumericCursor(filter.cursor, 1)[0])}`);
      const res = await this.pool.query<CheckRow>(`${CHECK_SELECT} ${whereSql(where)} ORDER BY c.id LIMIT ${p.add(filter.limit + 1)}`, p.values);
      return pageOf(res.rows.map(toCheck), filter.limit, (c) => [c.id]);
    });
  }
  countByState(projectId?: number): Promise<Record<CheckState, number>> {
    return this.timed('checks.count', async () => {
      const res = projectId === undefined
        ? await this.pool.query<{ state: CheckState; n: number }>('SELECT state, COUNT(*) AS n FROM checks GROUP BY state')
        : await this.pool.query<{ state: CheckState; n: number }>('SELECT state, COUNT(*) AS n FROM checks WHERE project_id = $1 GROUP BY state', [projectId]);
      const out: Record<CheckState, number> = { OK: 0, WARN: 0, ERR: 0, UNK: 0 };
      for (const r of res.rows) out[r.state] = r.n;
      return out;
    });
  }
  delete(id: number): Promise<boolean> {
    return this.timed('checks.delete', async () => ((await this.pool.query('DELETE FROM checks WHERE id = $1', [id])).rowCount ?? 0) > 0);
  }
}

/** History on PostgreSQL: newest first with (at, id) row-value cursors. */
export class PgHistory implements HistoryReader {
  constructor(private readonly pool: pg.Pool, private readonly timed: Timed) {}

  stateReports(checkId: number, filter: TimeFilter): Promise<Page<StateReport>> {
    return this.timed('history.stateReports', async () => {
      const p = new Params();
      const where = [`check_id = ${p.add(checkId)}`, ...timeWhere(filter, p)];
      const res = await this.pool.query<StateReportRow>(
        `SELECT * FROM state_reports ${whereSql(where)} ORDER BY at DESC, id DESC LIMIT ${p.add(filter.limit + 1)}`, p.values);
      return pageOf(res.rows.map(toStateReport), filter.limit, (r) => [r.at, r.id]);
    });
  }

  flips(filter: TimeFilter & { checkId?: number; projectId?: number; projectIds?: readonly number[]; hostId?: number }): Promise<Page<Flip>> {
    return this.timed('history.flips', async () => {
      const p = new Params();
      const where = [...timeWhere(filter, p), ...scopeWhere(filter, p)];
      const res = await this.pool.query<FlipRow>(`SELECT * FROM flips ${whereSql(where)} ORDER BY at DESC, id DESC LIMIT ${p.add(filter.limit + 1)}`, p.values);
      return pageOf(res.rows.map(toFlip), filter.limit, (f) => [f.at, f.id]);
    });
  }

  alerts(filter: TimeFilter & { projectId?: number; projectIds?: readonly number[]; hostId?: number; checkId?: number }): Promise<Page<Alert>> {
    return this.timed('history.alerts', async () => {
      const p = new Params();
      const where = [...timeWhere(filter, p), ...scopeWhere(filter, p)];
      const res = await this.pool.query<AlertRow>(`SELECT * FROM alerts ${whereSql(where)} ORDER BY at DESC, id DESC LIMIT ${p.add(filter.limit + 1)}`, p.values);
      return pageOf(res.rows.map(toAlert), filter.limit, (a) => [a.at, a.id]);
    });
  }
}

function scopeWhere(filter: { checkId?: number; projectId?: number; projectIds?: readonly number[]; hostId?: number }, p: Params): string[] {
  const where: string[] = [];
  if (filter.checkId !== undefined) where.push(`check_id = ${p.add(filter.checkId)}`);
  if (filter.projectId !== undefined) where.push(`project_id = ${p.add(filter.projectId)}`);
  if (filter.projectIds !== undefined) where.push(`project_id = ANY(${p.add(filter.projectIds)}::bigint[])`);
  if (filter.hostId !== undefined) where.push(`host_id = ${p.add(filter.hostId)}`);
  return where;
}

/** Housekeeping on PostgreSQL. */
export class PgMaintenance implements Maintenance {
  constructor(private readonly pool: pg.Pool, private readonly timed: Timed) {}
  /** Deletes in batches of 10,000 (by the `at` index) so that no statement holds many row locks or a long transaction. */
  async pruneStateReports(before: number): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.timed('maintenance.prune', async () => (await this.pool.query(
        'DELETE FROM state_reports WHERE id IN (SELECT id FROM state_reports WHERE at < $1 LIMIT 10000)', [before])).rowCount ?? 0);
      total += n;
      if (n < 10000) return total;
    }
  }
}
