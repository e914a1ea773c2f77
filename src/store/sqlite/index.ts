// The embedded store: one SQLite file (better-sqlite3, WAL). Reads run directly; writes go through
// a group committer so one durable COMMIT acknowledges every write of an event-loop turn.
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { applyReport } from '../../domain/check-state.js';
import type { Alert, ApiToken, Check, CheckState, Flip, Host, Project, Role, StateReport } from '../../domain/types.js';
import { OverseeError } from '../../errors.js';
import { decodeNumericCursor, pageOf } from '../cursor.js';
import type {
  AlertInput, CheckFilter, CheckRepo, HistoryReader, HostKeyHash, HostRepo, HostWithKey, IngestWriter, Maintenance, Page,
  PageRequest, ProjectRepo, StateReportBatch, StateReportOutcome, Store, StoreObserver, TimeFilter, TokenRecord, TokenRepo,
} from '../types.js';
import { CORE_MIGRATIONS } from './core-migrations.js';
import { applyNewFileLayout } from './file-layout.js';
import { GroupCommitter } from './group-commit.js';
import { WalSync } from './wal-sync.js';
import { deleteProjectReferences, renameProjectReferences } from './project-references.js';
import { runMigrations } from './migrations-runner.js';
import {
  type AlertRow, type CheckRow, type FlipRow, type HostRow, type ProjectRow, type StateReportRow, type TokenRow,
  toAlert, toCheck, toFlip, toHost, toHostWithKey, toProject, toStateReport, toToken, toTokenRecord,
} from './rows.js';

/** Options for opening the embedded store. */
export interface SqliteStoreOptions {
  /** Path of the database file (created with its directory), or ':memory:'. */
  path: string;
  /**
   * How a write becomes durable before it is acknowledged:
   * - 'wal-fsync' (default): synchronous=NORMAL, then one fdatasync of the WAL file off the event loop
   *   per group commit (survives power loss; the event loop keeps serving during the fsync);
   * - 'FULL': SQLite fsyncs inside COMMIT, blocking the event loop (survives power loss);
   * - 'NORMAL': no fsync (survives a process crash, not a power loss; for tests and benchmarks of the rest).
   */
  synchronous?: 'wal-fsync' | 'FULL' | 'NORMAL';
  observer?: StoreObserver;
}

/** The SQLite store; `db` is exposed so that modules with their own tables (tsdb, alerting) share the file. */
export type SqliteStore = Store & {
  readonly db: Database.Database;
  readonly writer: GroupCommitter;
  /** Makes every commit made on `db` so far durable (for modules that write on `db` directly, e.g. the tsdb). */
  durable(): Promise<void>;
};

/**
 * The next host/check id: above every id present and every id ever deleted (core step 4 keeps the
 * highest deleted one in retired_ids), because SQLite would otherwise hand the highest rowid out again
 * and a new check would inherit a deleted one's alert events.
 */
const nextIdAfterRetired = (table: 'hosts' | 'checks'): string =>
  `(MAX(COALESCE((SELECT MAX(id) FROM ${table}), 0), COALESCE((SELECT max_id FROM retired_ids WHERE tbl = '${table}'), 0)) + 1)`;
const NEXT_HOST_ID = nextIdAfterRetired('hosts');
const NEXT_CHECK_ID = nextIdAfterRetired('checks');
const CHECK_SELECT = `SELECT c.*, h.name AS host_name FROM checks c JOIN hosts h ON h.id = c.host_id`;

/** Opens (creating and migrating as needed) the store at `opts.path` and makes sure the default project exists. */
export async function openSqliteStore(opts: SqliteStoreOptions): Promise<SqliteStore> {
  if (opts.path !== ':memory:') mkdirSync(dirname(opts.path), { recursive: true });
  const db = new Database(opts.path);
  const mode = opts.synchronous ?? 'wal-fsync';
  let walSync: WalSync | null = null;
  try {
    applyNewFileLayout(db); // page size and auto_vacuum: only a file without tables takes them
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${mode === 'FULL' ? 'FULL' : 'NORMAL'}`);
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    runMigrations(db, 'core', CORE_MIGRATIONS);
    const hasDefault = db.prepare('SELECT 1 FROM projects WHERE name = ?').get('default');
    if (!hasDefault) {
      db.prepare('INSERT INTO projects (name, ingest_token, created_at) VALUES (?, ?, ?)').run('default', randomUUID(), Date.now());
    }
    // The -wal file exists now (the migrations wrote through it); an in-memory database has none.
    if (mode === 'wal-fsync' && opts.path !== ':memory:') walSync = new WalSync(opts.path);
  } catch (err) {
    db.close();
    throw err;
  }
  return new SqliteStoreImpl(db, opts.observer, walSync);
}

class SqliteStoreImpl implements SqliteStore {
  readonly dialect = 'sqlite' as const;
  readonly writer: GroupCommitter;
  readonly projects: ProjectRepo;
  readonly tokens: TokenRepo;
  readonly hosts: HostRepo;
  readonly checks: CheckRepo;
  readonly ingest: IngestWriter;
  readonly history: HistoryReader;
  readonly maintenance: Maintenance;
  private closed = false;

  constructor(readonly db: Database.Database, private readonly observer?: StoreObserver, private readonly walSync: WalSync | null = null) {
    this.writer = new GroupCommitter(db, 5000, walSync ? () => walSync.sync() : undefined);
    const timed = this.timed.bind(this);
    const write = <T>(fn: () => T): Promise<T> => this.writer.run(fn);
    // Repositories prepare each distinct SQL text once (dynamic filters give a small, bounded set).
    const cached = cachingPreparer(db);
    this.projects = new SqliteProjects(cached, timed, write);
    this.tokens = new SqliteTokens(cached, timed, write);
    this.hosts = new SqliteHosts(cached, timed, write);
    this.checks = new SqliteChecks(cached, timed, write);
    this.ingest = new SqliteIngest(db, timed, write);
    this.history = new SqliteHistory(cached, timed);
    this.maintenance = new SqliteMaintenance(cached, timed, write);
  }

  /** Times `fn` (sync or async) and reports it to the observer. */
  async timed<T>(op: string, fn: () => T | Promise<T>): Promise<T> {
    if (this.closed) throw new OverseeError('OVS_ERR_UNAVAILABLE', 'store is closed');
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      this.observer?.(op, (performance.now() - t0) / 1000);
    }
  }

  durable(): Promise<void> {
    return this.walSync ? this.walSync.sync() : Promise.resolve();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.writer.close();
    this.closed = true;
    await this.walSync?.close();
    this.db.close();
  }
}

type Timed = <T>(op: string, fn: () => T | Promise<T>) => Promise<T>;

/** The one Database method the repositories use. */
type Preparer = Pick<Database.Database, 'prepare'>;

/** A Preparer that compiles each SQL text once and reuses the statement. */
function cachingPreparer(db: Database.Database): Preparer {
  const cache = new Map<string, Database.Statement>();
  return {
    prepare(sql: string) {
      let st = cache.get(sql);
      if (st === undefined) {
        st = db.prepare(sql);
        cache.set(sql, st);
      }
      return st;
    },
  } as Preparer;
}
type Write = <T>(fn: () => T) => Promise<T>;

class SqliteProjects implements ProjectRepo {
  constructor(private readonly db: Preparer, private readonly timed: Timed, private readonly write: Write) {}
  list(): Promise<Project[]> {
    return this.timed('projects.list', () => (this.db.prepare('SELECT * FROM projects ORDER BY id').all() as ProjectRow[]).map(toProject));
  }
  get(id: number): Promise<Project | null> {
    return this.timed('projects.get', () => mapOrNull(this.db.prepare('SELECT * FROM projects WHERE id = ?').get(id) as ProjectRow, toProject));
  }
  getByName(name: string): Promise<Project | null> {
    return this.timed('projects.get', () => mapOrNull(this.db.prepare('SELECT * FROM projects WHERE name = ?').get(name) as ProjectRow, toProject));
  }
  getByIngestToken(token: string): Promise<Project | null> {
    return this.timed('projects.get', () =>
      mapOrNull(this.db.prepare('SELECT * FROM projects WHERE ingest_token = ?').get(token) as ProjectRow, toProject));
  }
  create(name: string, now: number, description = ''): Promise<Project> {
    return this.timed('projects.create', () => this.write(() => {
      if (this.db.prepare('SELECT 1 FROM projects WHERE name = ?').get(name)) {
        throw new OverseeError('OVS_ERR_CONFLICT', `project "${name}" already exists`);
      }
      // Ids are never reused: what a deleted project left keyed by its id (tsdb data removed in steps) stays its own.
      const row = this.db.prepare(`INSERT INTO projects (id, name, ingest_token, description, created_at) VALUES (
        MAX(COALESCE((SELECT MAX(id) FROM projects), 0), COALESCE((SELECT MAX(id) FROM deleted_projects), 0)) + 1, ?, ?, ?, ?) RETURNING *`)
        .get(name, randomUUID(), description, now) as ProjectRow;
      return toProject(row);
    }));
  }
  update(id: number, change: { name?: string; description?: string }): Promise<Project | null> {
    return this.timed('projects.update', () => this.write(() => {
      if (change.name !== undefined && this.db.prepare('SELECT 1 FROM projects WHERE name = ? AND id <> ?').get(change.name, id)) {
        throw new OverseeError('OVS_ERR_CONFLICT', `name: a project named ${JSON.stringify(change.name)} exists`, { field: 'name' });
      }
      const before = this.db.prepare('SELECT name FROM projects WHERE id = ?').get(id) as { name: string } | undefined;
      const row = this.db.prepare('UPDATE projects SET name = COALESCE(?, name), description = COALESCE(?, description) WHERE id = ? RETURNING *')
        .get(change.name ?? null, change.description ?? null, id) as ProjectRow | undefined;
      // Silences and route matches name projects: they follow the rename in this transaction.
      if (before !== undefined && row !== undefined) renameProjectReferences(this.db, before.name, row.name);
      return mapOrNull(row as ProjectRow, toProject);
    }));
  }
  delete(id: number): Promise<boolean> {
    return this.timed('projects.delete', () => this.write(() => {
      const row = this.db.prepare('SELECT name FROM projects WHERE id = ?').get(id) as { name: string } | undefined;
      if (row === undefined) return false;
      // Foreign keys cascade hosts, checks, history, dashboards, grants, okerr, OddEye and rules rows;
      // what names the project or has no foreign key goes here, in the same transaction.
      deleteProjectReferences(this.db, id, row.name);
      this.db.prepare('INSERT OR IGNORE INTO deleted_projects (id, deleted_at) VALUES (?, ?)').run(id, Date.now());
      return this.db.prepare('DELETE FROM projects WHERE id = ?').run(id).changes > 0;
    }));
  }
  usage(id: number): Promise<{ hosts: number; checks: number }> {
    return this.timed('projects.usage', () => ({
      hosts: (this.db.prepare('SELECT COUNT(*) AS n FROM hosts WHERE project_id = ?').get(id) as { n: number }).n,
      checks: (this.db.prepare('SELECT COUNT(*) AS n FROM checks WHERE project_id = ?').get(id) as { n: number }).n,
    }));
  }
}

class SqliteTokens implements TokenRepo {
  constructor(private readonly db: Preparer, private readonly timed: Timed, private readonly write: Write) {}
  create(input: { name: string; role: Role; projectId: number | null; hash: string; now: number }): Promise<ApiToken> {
    return this.timed('tokens.create', () => this.write(() => toToken(this.db.prepare(
      'INSERT INTO api_tokens (name, role, project_id, token_hash, created_at) VALUES (?, ?, ?, ?, ?) RETURNING *',
    ).get(input.name, input.role, input.projectId, input.hash, input.now) as TokenRow)));
  }
  createFirst(input: { name: string; role: Role; projectId: number | null; hash: string; now: number }): Promise<ApiToken | null> {
    // One statement under SQLite's write lock: two processes on the file cannot both insert.
    return this.timed('tokens.create', () => this.write(() => mapOrNull(this.db.prepare(
      `INSERT INTO api_tokens (name, role, project_id, token_hash, created_at)
       SELECT ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM api_tokens) RETURNING *`,
    ).get(input.name, input.role, input.projectId, input.hash, input.now) as TokenRow, toToken)));
  }
  findByHash(hash: string): Promise<TokenRecord | null> {
    return this.timed('tokens.find', () =>
      mapOrNull(this.db.prepare('SELECT * FROM api_tokens WHERE token_hash = ?').get(hash) as TokenRow, toTokenRecord));
  }
  list(): Promise<ApiToken[]> {
    return this.timed('tokens.list', () => (this.db.prepare('SELECT * FROM api_tokens ORDER BY id').all() as TokenRow[]).map(toToken));
  }
  count(): Promise<number> {
    return this.timed('tokens.count', () => (this.db.prepare('SELECT COUNT(*) AS n FROM api_tokens').get() as { n: number }).n);
  }
  delete(id: number): Promise<boolean> {
    return this.timed('tokens.delete', () => this.write(() => this.db.prepare('DELETE FROM api_tokens WHERE id = ?').run(id).changes > 0));
  }
  touch(id: number, now: number): Promise<void> {
    return this.timed('tokens.touch', () => this.write(() => {
      this.db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(now, id);
    }));
  }
}

class SqliteHosts implements HostRepo {
  constructor(private readonly db: Preparer, private readonly timed: Timed, private readonly write: Write) {}
  get(id: number): Promise<Host | null> {
    return this.timed('hosts.get', () => mapOrNull(this.db.prepare('SELECT * FROM hosts WHERE id = ?').get(id) as HostRow, toHost));
  }
  getWithKey(projectId: number, name: string): Promise<HostWithKey | null> {
    return this.timed('hosts.get', () =>
      mapOrNull(this.db.prepare('SELECT * FROM hosts WHERE project_id = ? AND name = ?').get(projectId, name) as HostRow, toHostWithKey));
  }
  register(projectId: number, name: string, key: HostKeyHash | null, now: number): Promise<HostWithKey> {
    return this.timed('hosts.register', () => this.write(() => {
      this.db.prepare(
        `INSERT INTO hosts (id, project_id, name, key_salt, key_hash, created_at) VALUES (${NEXT_HOST_ID}, ?, ?, ?, ?, ?) ON CONFLICT (project_id, name) DO NOTHING`,
      ).run(projectId, name, key?.salt ?? null, key?.hash ?? null, now);
      return toHostWithKey(this.db.prepare('SELECT * FROM hosts WHERE project_id = ? AND name = ?').get(projectId, name) as HostRow);
    }));
  }
  claimKey(id: number, key: HostKeyHash): Promise<HostWithKey | null> {
    return this.timed('hosts.claimKey', () => this.write(() => {
      this.db.prepare('UPDATE hosts SET key_salt = ?, key_hash = ? WHERE id = ? AND key_hash IS NULL').run(key.salt, key.hash, id);
      return mapOrNull(this.db.prepare('SELECT * FROM hosts WHERE id = ?').get(id) as HostRow, toHostWithKey);
    }));
  }
  list(filter: PageRequest & { projectId?: number; projectIds?: readonly number[]; namePrefix?: string }): Promise<Page<Host>> {
    return this.timed('hosts.list', () => {
      const where: string[] = [];
      const args: (number | string)[] = [];
      if (filter.projectId !== undefined) { where.push('project_id = ?'); args.push(filter.projectId); }
      if (filter.projectIds !== undefined) { where.push('project_id IN (SELECT value FROM json_each(?))'); args.push(JSON.stringify(filter.projectIds)); }
      if (filter.namePrefix) { where.push("name >= ? AND name < ? || x'ff'"); args.push(filter.namePrefix, filter.namePrefix); }
      if (filter.cursor) { where.push('id > ?'); args.push(decodeNumericCursor(filter.cursor, 1)[0] as number); }
      const sql = `SELECT * FROM hosts ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id LIMIT ?`;
      const rows = (this.db.prepare(sql).all(...args, filter.limit + 1) as HostRow[]).map(toHost);
      return pageOf(rows, filter.limit, (h) => [h.id]);
    });
  }
  delete(id: number): Promise<boolean> {
    return this.timed('hosts.delete', () => this.write(() => this.db.prepare('DELETE FROM hosts WHERE id = ?').run(id).changes > 0));
  }
}

class SqliteChecks implements CheckRepo {
  constructor(private readonly db: Preparer, private readonly timed: Timed, private readonly write: Write) {}
  get(id: number): Promise<Check | null> {
    return this.timed('checks.get', () => mapOrNull(this.db.prepare(`${CHECK_SELECT} WHERE c.id = ?`).get(id) as CheckRow, toCheck));
  }
  getByName(hostId: number, name: string): Promise<Check | null> {
    return this.timed('checks.get', () =>
      mapOrNull(this.db.prepare(`${CHECK_SELECT} WHERE c.host_id = ? AND c.name = ?`).get(hostId, name) as CheckRow, toCheck));
  }
  getMany(ids: readonly number[]): Promise<Check[]> {
    return this.timed('checks.getMany', () => (ids.length === 0 ? [] : (this.db.prepare(
      `${CHECK_SELECT} WHERE c.id IN (SELECT value FROM json_each(?)) ORDER BY c.id`).all(JSON.stringify(ids)) as CheckRow[]).map(toCheck)));
  }
  list(filter: CheckFilter): Promise<Page<Check>> {
    return this.timed('checks.list', () => {
      const where: string[] = [];
      const args: (number | string)[] = [];
      if (filter.projectId !== undefined) { where.push('c.project_id = ?'); args.push(filter.projectId); }
      if (filter.projectIds !== undefined) { where.push('c.project_id IN (SELECT value FROM json_each(?))'); args.push(JSON.stringify(filter.projectIds)); }
      if (filter.hostId !== undefined) { where.push('c.host_id = ?'); args.push(filter.hostId); }
      if (filter.state !== undefined) { where.push('c.state = ?'); args.push(filter.state); }
      if (filter.namePrefix) { where.push('substr(c.name, 1, ?) = ?'); args.push(filter.namePrefix.length, filter.namePrefix); }
      if (filter.cursor) { where.push('c.id > ?'); args.push(decodeNumericCursor(filter.cursor, 1)[0] as number); }
      const sql = `${CHECK_SELECT} ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY c.id LIMIT ?`;
      const rows = (this.db.prepare(sql).all(...args, filter.limit + 1) as CheckRow[]).map(toCheck);
      return pageOf(rows, filter.limit, (c) => [c.id]);
    });
  }
  countByState(projectId?: number): Promise<Record<CheckState, number>> {
    return this.timed('checks.count', () => {
      const rows = (projectId === undefined
        ? this.db.prepare('SELECT state, COUNT(*) AS n FROM checks GROUP BY state').all()
        : this.db.prepare('SELECT state, COUNT(*) AS n FROM checks WHERE project_id = ? GROUP BY state').all(projectId)) as { state: CheckState; n: number }[];
      const out: Record<CheckState, number> = { OK: 0, WARN: 0, ERR: 0, UNK: 0 };
      for (const r of rows) out[r.state] = r.n;
      return out;
    });
  }
  delete(id: number): Promise<boolean> {
    return this.timed('checks.delete', () => this.write(() => this.db.prepare('DELETE FROM checks WHERE id = ?').run(id).changes > 0));
  }
}

class SqliteIngest implements IngestWriter {
  private readonly st;
  constructor(private readonly db: Database.Database, private readonly timed: Timed, private readonly write: Write) {
    this.st = {
      host: db.prepare('SELECT project_id FROM hosts WHERE id = ?').pluck(),
      touchHost: db.prepare('UPDATE hosts SET last_seen_at = ?, last_address = ? WHERE id = ?'),
      check: db.prepare('SELECT id, state, last_change_at, expired, patience_s FROM checks WHERE host_id = ? AND name = ?'),
      insertCheck: db.prepare(`INSERT INTO checks (id, project_id, host_id, name, source, state, info, period_s, patience_s, last_report_at,
        last_change_at, deadline_at, expired, source_address, created_at) VALUES (${NEXT_CHECK_ID}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?) RETURNING id`).pluck(),
      updateCheck: db.prepare(`UPDATE checks SET state = ?, info = ?, period_s = ?, patience_s = ?, last_report_at = ?, last_change_at = ?,
        deadline_at = ?, expired = 0, source_address = ? WHERE id = ?`),
      insertReport: db.prepare('INSERT INTO state_reports (check_id, at, state, info) VALUES (?, ?, ?, ?)'),
      insertFlip: db.prepare(`INSERT INTO flips (check_id, project_id, host_id, at, old_state, new_state, reason, info)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`).pluck(),
      insertAlert: db.prepare(`INSERT INTO alerts (project_id, host_id, check_id, at, title, message, source)
        VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`).pluck(),
      checkId: db.prepare('SELECT id FROM checks WHERE host_id = ? AND name = ?').pluck(),
      insertPlaceholderCheck: db.prepare(`INSERT INTO checks (id, project_id, host_id, name, source, state, info, created_at)
        VALUES (${NEXT_CHECK_ID}, ?, ?, ?, ?, 'UNK', 'no state reported yet', ?) RETURNING id`).pluck(),
    };
  }

  reportStates(batch: StateReportBatch): Promise<StateReportOutcome[]> {
    return this.timed('ingest.reportStates', () => this.write(() => {
      const st = this.st;
      const projectId = st.host.get(batch.hostId) as number | undefined;
      if (projectId === undefined) throw new OverseeError('OVS_ERR_NOT_FOUND', `host ${batch.hostId} does not exist`);
      st.touchHost.run(batch.at, batch.address, batch.hostId);
      const out: StateReportOutcome[] = [];
      for (const s of batch.services) {
        const prev = st.check.get(batch.hostId, s.name) as
          { id: number; state: CheckState; last_change_at: number | null; expired: number; patience_s: number | null } | undefined;
        const { update, flip } = applyReport(
          prev && { state: prev.state, lastChangeAt: prev.last_change_at, expired: prev.expired !== 0, patienceS: prev.patience_s },
          s, batch.at, batch.reason ?? 'reported',
        );
        let checkId: number;
        if (prev) {
          checkId = prev.id;
          st.updateCheck.run(update.state, update.info, update.periodS, update.patienceS, update.lastReportAt, update.lastChangeAt,
            update.deadlineAt, batch.address, checkId);
        } else {
          checkId = st.insertCheck.get(projectId, batch.hostId, s.name, batch.source, update.state, update.info, update.periodS,
            update.patienceS, update.lastReportAt, update.lastChangeAt, update.deadlineAt, batch.address, batch.at) as number;
        }
        st.insertReport.run(checkId, batch.at, update.state, update.info);
        let flipOut: Flip | null = null;
        if (flip) {
          const id = st.insertFlip.get(checkId, projectId, batch.hostId, batch.at, flip.oldState, flip.newState, flip.reason, flip.info) as number;
          flipOut = { id, checkId, projectId, hostId: batch.hostId, at: batch.at, ...flip };
        }
        out.push({ checkId, created: !prev, flip: flipOut });
      }
      return out;
    }));
  }

  raiseAlerts(alerts: AlertInput[]): Promise<Alert[]> {
    return this.timed('ingest.raiseAlerts', () => this.write(() => alerts.map((a) => {
      let checkId: number | null = null;
      if (a.checkName !== null && a.hostId !== null) {
        checkId = (this.st.checkId.get(a.hostId, a.checkName) as number | undefined)
          ?? (this.st.insertPlaceholderCheck.get(a.projectId, a.hostId, a.checkName, a.source, a.at) as number);
      }
      const id = this.st.insertAlert.get(a.projectId, a.hostId, checkId, a.at, a.title, a.message, a.source) as number;
      return { id, projectId: a.projectId, hostId: a.hostId, checkId, at: a.at, title: a.title, message: a.message, source: a.source };
    })));
  }
}

class SqliteHistory implements HistoryReader {
  constructor(private readonly db: Preparer, private readonly timed: Timed) {}

  stateReports(checkId: number, filter: TimeFilter): Promise<Page<StateReport>> {
    return this.timed('history.stateReports', () => {
      const { where, args } = timeWhere(filter, 'at', 'id');
      where.unshift('check_id = ?');
      args.unshift(checkId);
      const rows = this.db.prepare(`SELECT * FROM state_reports WHERE ${where.join(' AND ')} ORDER BY at DESC, id DESC LIMIT ?`)
        .all(...args, filter.limit + 1) as StateReportRow[];
      return pageOf(rows.map(toStateReport), filter.limit, (r) => [r.at, r.id]);
    });
  }

  flips(filter: TimeFilter & { checkId?: number; projectId?: number; projectIds?: readonly number[]; hostId?: number }): Promise<Page<Flip>> {
    return this.timed('history.flips', () => {
      const { where, args } = timeWhere(filter, 'at', 'id');
      if (filter.checkId !== undefined) { where.push('check_id = ?'); args.push(filter.checkId); }
      if (filter.projectId !== undefined) { where.push('project_id = ?'); args.push(filter.projectId); }
      if (filter.projectIds !== undefined) { where.push('project_id IN (SELECT value FROM json_each(?))'); args.push(JSON.stringify(filter.projectIds)); }
      if (filter.hostId !== undefined) { where.push('host_id = ?'); args.push(filter.hostId); }
      const rows = this.db.prepare(`SELECT * FROM flips ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY at DESC, id DESC LIMIT ?`)
        .all(...args, filter.limit + 1) as FlipRow[];
      return pageOf(rows.map(toFlip), filter.limit, (f) => [f.at, f.id]);
    });
  }

  alerts(filter: TimeFilter & { projectId?: number; projectIds?: readonly number[]; hostId?: number; checkId?: number }): Promise<Page<Alert>> {
    return this.timed('history.alerts', () => {
      const { where, args } = timeWhere(filter, 'at', 'id');
      if (filter.checkId !== undefined) { where.push('check_id = ?'); args.push(filter.checkId); }
      if (filter.projectId !== undefined) { where.push('project_id = ?'); args.push(filter.projectId); }
      if (filter.projectIds !== undefined) { where.push('project_id IN (SELECT value FROM json_each(?))'); args.push(JSON.stringify(filter.projectIds)); }
      if (filter.hostId !== undefined) { where.push('host_id = ?'); args.push(filter.hostId); }
      const rows = this.db.prepare(`SELECT * FROM alerts ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY at DESC, id DESC LIMIT ?`)
        .all(...args, filter.limit + 1) as AlertRow[];
      return pageOf(rows.map(toAlert), filter.limit, (a) => [a.at, a.id]);
    });
  }
}

class SqliteMaintenance implements Maintenance {
  constructor(private readonly db: Preparer, private readonly timed: Timed, private readonly write: Write) {}
  /** Deletes in batches of 10,000 so that one call never holds the writer for long. */
  async pruneStateReports(before: number): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.timed('maintenance.prune', () => this.write(() =>
        this.db.prepare('DELETE FROM state_reports WHERE id IN (SELECT id FROM state_reports WHERE at < ? LIMIT 10000)').run(before).changes));
      total += n;
      if (n < 10000) return total;
    }
  }
}

/** WHERE parts for a newest-first time log with an (at, id) cursor. */
function timeWhere(filter: TimeFilter, atCol: string, idCol: string): { where: string[]; args: (number | string)[] } {
  const where: string[] = [];
  const args: (number | string)[] = [];
  if (filter.from !== undefined) { where.push(`${atCol} >= ?`); args.push(filter.from); }
  if (filter.to !== undefined) { where.push(`${atCol} <= ?`); args.push(filter.to); }
  if (filter.cursor) {
    const [at, id] = decodeNumericCursor(filter.cursor, 2) as [number, number];
    where.push(`(${atCol} < ? OR (${atCol} = ? AND ${idCol} < ?))`);
    args.push(at, at, id);
  }
  return { where, args };
}

function mapOrNull<R, T>(row: R | undefined, map: (r: R) => T): T | null {
  return row === undefined ? null : map(row);
}
