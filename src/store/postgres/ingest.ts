// The ingest write path on PostgreSQL, with group commit: batches that arrive while earlier ones are
// being written are applied together in ONE transaction of four round trips (BEGIN, lock, write,
// COMMIT), so one WAL flush acknowledges all of them. A lone batch goes out at once (no added wait).
//
// Locking: hosts in id order, each followed by its batch's existing checks, in one statement. The
// host row lock serializes every write for that host across nodes (checks belong to one host), so
// the state machine (applyReport, run here in JS) always starts from the committed state, and the
// fixed order keeps groups on different nodes from deadlocking one another.
import type pg from 'pg';
import { applyReport, type CheckUpdate, type FlipDraft } from '../../domain/check-state.js';
import type { Alert, CheckState, Flip } from '../../domain/types.js';
import { OverseeError } from '../../errors.js';
import type { AlertInput, IngestWriter, StateReportBatch, StateReportOutcome } from '../types.js';
import { inTransaction, RetryTransaction } from './pool.js';
import type { Timed } from './repos.js';

type Prev = { state: CheckState; lastChangeAt: number | null; expired: boolean; patienceS: number | null };
interface LockRow {
  host_id: number; project_id: number;
  id: number | null; name: string | null; state: CheckState | null; last_change_at: number | null; expired: boolean | null; patience_s: number | null;
}
interface Tracked { hostId: number; name: string; id: number | null; prev: Prev; final: CheckUpdate | null; batch: StateReportBatch | null }

const LOCK = {
  name: 'ovs_ingest_lock',
  text: `WITH l AS MATERIALIZED (SELECT id, project_id FROM hosts WHERE id = ANY($1::bigint[]) ORDER BY id FOR NO KEY UPDATE)
    SELECT l.id AS host_id, l.project_id, c.id, c.name, c.state, c.last_change_at, c.expired, c.patience_s
    FROM l LEFT JOIN LATERAL (
      SELECT c.id, c.name, c.state, c.last_change_at, c.expired, c.patience_s FROM checks c
      WHERE c.host_id = l.id AND c.name = ANY (SELECT x.n FROM unnest($2::bigint[], $3::text[]) AS x(h, n) WHERE x.h = l.id)
      ORDER BY c.id FOR UPDATE
    ) c ON true`,
};

const WRITE = {
  name: 'ovs_ingest_write',
  text: `WITH hu AS (
      UPDATE hosts h SET last_seen_at = x.at, last_address = x.addr
      FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS x(id, at, addr) WHERE h.id = x.id
    ), ins AS (
      INSERT INTO checks (project_id, host_id, name, source, state, info, period_s, patience_s, last_report_at, last_change_at,
                          deadline_at, expired, source_address, created_at)
      SELECT u.pr, u.h, u.n, u.src, u.s, u.i, u.p, u.pa, u.at, u.lc, u.d, false, u.addr, u.at
      FROM unnest($4::bigint[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[], $10::int[], $11::int[], $12::bigint[],
                  $13::bigint[], $14::bigint[], $15::text[]) AS u(pr, h, n, src, s, i, p, pa, at, lc, d, addr)
      ON CONFLICT (host_id, name) DO NOTHING
      RETURNING id, host_id, name
    ), upd AS (
      UPDATE checks c SET state = u.s, info = u.i, period_s = u.p, patience_s = u.pa, last_report_at = u.at, last_change_at = u.lc,
                          deadline_at = u.d, expired = false, source_address = u.addr
      FROM unnest($16::bigint[], $17::text[], $18::text[], $19::int[], $20::int[], $21::bigint[], $22::bigint[], $23::bigint[], $24::text[])
           AS u(id, s, i, p, pa, at, lc, d, addr)
      WHERE c.id = u.id
    ), ids AS (
      SELECT id, host_id, name FROM ins
      UNION ALL SELECT e.id, e.h, e.n FROM unnest($25::bigint[], $26::bigint[], $27::text[]) AS e(id, h, n)
    ), rep AS (
      INSERT INTO state_reports (check_id, at, state, info)
      SELECT ids.id, u.at, u.s, u.i FROM unnest($28::bigint[], $29::text[], $30::bigint[], $31::text[], $32::text[]) WITH ORDINALITY AS u(h, n, at, s, i, ord)
      JOIN ids ON ids.host_id = u.h AND ids.name = u.n ORDER BY u.ord
    ), fl AS (
      INSERT INTO flips (check_id, project_id, host_id, at, old_state, new_state, reason, info)
      SELECT ids.id, u.pr, u.h, u.at, u.o, u.ns, u.r, u.i
      FROM unnest($33::bigint[], $34::bigint[], $35::text[], $36::bigint[], $37::text[], $38::text[], $39::text[], $40::text[])
           WITH ORDINALITY AS u(pr, h, n, at, o, ns, r, i, ord)
      JOIN ids ON ids.host_id = u.h AND ids.name = u.n ORDER BY u.ord
      RETURNING id
    )
    SELECT 'c' AS k, id, host_id, name FROM ins UNION ALL SELECT 'f' AS k, id, NULL, NULL FROM fl`,
};

interface Pending {
  batch: StateReportBatch;
  resolve: (v: StateReportOutcome[]) => void;
  reject: (e: unknown) => void;
}

/** Tuning of the ingest group commit. */
export interface PgIngestOptions {
  /** Transactions of grouped batches in flight at once (each holds one connection). */
  maxGroups: number;
  /** Upper bound of services per group transaction. */
  maxServices: number;
}

/** Ingest on PostgreSQL; each call resolves after the transaction holding its batch committed (synchronous_commit as configured, on by default). */
export class PgIngest implements IngestWriter {
  private queue: Pending[] = [];
  private running = 0;
  private readonly busyHosts = new Set<number>();

  constructor(private readonly pool: pg.Pool, private readonly timed: Timed, private readonly opts: PgIngestOptions) {}

  reportStates(batch: StateReportBatch): Promise<StateReportOutcome[]> {
    return this.timed('ingest.reportStates', () => new Promise<StateReportOutcome[]>((resolve, reject) => {
      this.queue.push({ batch, resolve, reject });
      this.pump();
    }));
  }

  /**
   * Starts group transactions while there is work and a free slot. A batch whose host is in a running
   * group waits for the next one: this node applies each host's batches in call order and never
   * makes its own transactions queue on a host lock.
   */
  private pump(): void {
    while (this.queue.length > 0 && this.running < this.opts.maxGroups) {
      const group: Pending[] = [];
      const rest: Pending[] = [];
      const hosts = new Set<number>();
      const deferred = new Set<number>();
      let services = 0;
      for (const p of this.queue) {
        const fits = group.length === 0 || services + p.batch.services.length <= this.opts.maxServices;
        if (!fits || this.busyHosts.has(p.batch.hostId) || deferred.has(p.batch.hostId)) {
          rest.push(p);
          deferred.add(p.batch.hostId);
          continue;
        }
        group.push(p);
        hosts.add(p.batch.hostId);
        services += p.batch.services.length;
      }
      if (group.length === 0) return;
      this.queue = rest;
      for (const h of hosts) this.busyHosts.add(h);
      this.running++;
      void this.runGroup(group).finally(() => {
        this.running--;
        for (const h of hosts) this.busyHosts.delete(h);
        this.pump();
      });
    }
  }

  /** Applies a group in one transaction; when it fails as a whole, each batch is retried alone so one bad batch fails alone. */
  private async runGroup(group: Pending[]): Promise<void> {
    try {
      const results = await inTransaction(this.pool, (c) => applyGroup(c, group.map((p) => p.batch)));
      group.forEach((p, i) => { const r = results[i] as StateReportOutcome[] | OverseeError; if (r instanceof OverseeError) p.reject(r); else p.resolve(r); });
    } catch (err) {
      // Alone, or the database is unreachable: every batch gets the answer now (fail fast, no retries one by one).
      if (group.length === 1 || (err instanceof OverseeError && err.code === 'OVS_ERR_UNAVAILABLE')) {
        for (const p of group) p.reject(err);
        return;
      }
      for (const p of group) {
        try {
          const [r] = await inTransaction(this.pool, (c) => applyGroup(c, [p.batch]));
          if (r instanceof OverseeError) p.reject(r); else p.resolve(r as StateReportOutcome[]);
        } catch (e) {
          p.reject(e);
        }
      }
    }
  }

  raiseAlerts(alerts: AlertInput[]): Promise<Alert[]> {
    return this.timed('ingest.raiseAlerts', () => inTransaction(this.pool, async (c) => {
      const out: Alert[] = [];
      for (const a of alerts) {
        let checkId: number | null = null;
        if (a.checkName !== null && a.hostId !== null) checkId = await placeholderCheck(c, a);
        const res = await c.query<{ id: number }>(
          'INSERT INTO alerts (project_id, host_id, check_id, at, title, message, source) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id',
          [a.projectId, a.hostId, checkId, a.at, a.title, a.message, a.source]);
        out.push({ id: (res.rows[0] as { id: number }).id, projectId: a.projectId, hostId: a.hostId, checkId, at: a.at, title: a.title, message: a.message, source: a.source });
      }
      return out;
    }));
  }
}

const key = (hostId: number, name: string): string => `${hostId}\u0000${name}`;

/**
 * Applies batches in order inside the caller's transaction. Returns, per batch, its outcomes or the
 * OverseeError that refuses it alone (unknown host); throws RetryTransaction when a check was created concurrently.
 */
async function applyGroup(c: pg.PoolClient, batches: StateReportBatch[]): Promise<(StateReportOutcome[] | OverseeError)[]> {
  // 1. Lock the hosts in id order, each with its existing checks of the group.
  const pairs = new Map<string, [number, string]>();
  for (const b of batches) for (const s of b.services) pairs.set(key(b.hostId, s.name), [b.hostId, s.name]);
  const hostIds = [...new Set(batches.map((b) => b.hostId))];
  const locked = await c.query<LockRow>({ ...LOCK, values: [hostIds, [...pairs.values()].map((p) => p[0]), [...pairs.values()].map((p) => p[1])] });
  const projectOf = new Map<number, number>();
  const tracked = new Map<string, Tracked>();
  for (const r of locked.rows) {
    projectOf.set(r.host_id, r.project_id);
    if (r.id !== null && r.name !== null) {
      tracked.set(key(r.host_id, r.name), {
        hostId: r.host_id, name: r.name, id: r.id, final: null, batch: null,
        prev: { state: r.state as CheckState, lastChangeAt: r.last_change_at, expired: r.expired === true, patienceS: r.patience_s },
      });
    }
  }
  // 2. Run the state machine over every service in order (a name may repeat, a host may send twice).
  const created: boolean[][] = [];
  const reports: { hostId: number; name: string; at: number; state: CheckState; info: string }[] = [];
  const flips: { b: number; i: number; hostId: number; projectId: number; name: string; at: number; draft: FlipDraft }[] = [];
  const hostTouch = new Map<number, StateReportBatch>();
  const results: (StateReportOutcome[] | OverseeError)[] = batches.map(() => []);
  batches.forEach((b, bi) => {
    const projectId = projectOf.get(b.hostId);
    created.push([]);
    if (projectId === undefined) {
      results[bi] = new OverseeError('OVS_ERR_NOT_FOUND', `host ${b.hostId} does not exist`);
      return;
    }
    hostTouch.set(b.hostId, b);
    b.services.forEach((s, i) => {
      const k = key(b.hostId, s.name);
      const t = tracked.get(k);
      const { update, flip } = applyReport(t?.prev, s, b.at, b.reason ?? 'reported');
      const prev: Prev = { state: update.state, lastChangeAt: update.lastChangeAt, expired: false, patienceS: update.patienceS };
      if (t) { t.prev = prev; t.final = update; t.batch = b; } else tracked.set(k, { hostId: b.hostId, name: s.name, id: null, prev, final: update, batch: b });
      (created[bi] as boolean[]).push(t === undefined);
      reports.push({ hostId: b.hostId, name: s.name, at: b.at, state: update.state, info: update.info });
      if (flip) flips.push({ b: bi, i, hostId: b.hostId, projectId, name: s.name, at: b.at, draft: flip });
    });
  });
  if (hostTouch.size === 0) return results;
  // 3. Write hosts, checks, history and flips in one statement.
  const all = [...tracked.values()];
  const fresh = all.filter((t) => t.id === null);
  const old = all.filter((t) => t.id !== null && t.final !== null);
  const fu = (t: Tracked) => t.final as CheckUpdate;
  const fb = (t: Tracked) => t.batch as StateReportBatch;
  const touched = [...hostTouch.entries()];
  const res = await c.query<{ k: 'c' | 'f'; id: number; host_id: number | null; name: string | null }>({
    ...WRITE,
    values: [
      touched.map(([h]) => h), touched.map(([, b]) => b.at), touched.map(([, b]) => b.address),
      fresh.map((t) => projectOf.get(t.hostId)), fresh.map((t) => t.hostId), fresh.map((t) => t.name), fresh.map((t) => fb(t).source),
      fresh.map((t) => fu(t).state), fresh.map((t) => fu(t).info), fresh.map((t) => fu(t).periodS), fresh.map((t) => fu(t).patienceS),
      fresh.map((t) => fu(t).lastReportAt), fresh.map((t) => fu(t).lastChangeAt), fresh.map((t) => fu(t).deadlineAt), fresh.map((t) => fb(t).address),
      old.map((t) => t.id), old.map((t) => fu(t).state), old.map((t) => fu(t).info), old.map((t) => fu(t).periodS), old.map((t) => fu(t).patienceS),
      old.map((t) => fu(t).lastReportAt), old.map((t) => fu(t).lastChangeAt), old.map((t) => fu(t).deadlineAt), old.map((t) => fb(t).address),
      old.map((t) => t.id), old.map((t) => t.hostId), old.map((t) => t.name),
      reports.map((r) => r.hostId), reports.map((r) => r.name), reports.map((r) => r.at), reports.map((r) => r.state), reports.map((r) => r.info),
      flips.map((f) => f.projectId), flips.map((f) => f.hostId), flips.map((f) => f.name), flips.map((f) => f.at),
      flips.map((f) => f.draft.oldState), flips.map((f) => f.draft.newState), flips.map((f) => f.draft.reason), flips.map((f) => f.draft.info),
    ],
  });
  // 4. A check created meanwhile by another writer (e.g. an alert placeholder) made an insert yield: start over.
  const flipIds: number[] = [];
  let inserted = 0;
  for (const r of res.rows) {
    if (r.k === 'f') { flipIds.push(r.id); continue; }
    const t = tracked.get(key(r.host_id as number, r.name as string));
    if (t) t.id = r.id;
    inserted++;
  }
  if (inserted !== fresh.length) throw new RetryTransaction('a check of the batch was created concurrently');
  // 5. Hand each batch its outcomes; flip ids were drawn in input order.
  flipIds.sort((a, b) => a - b);
  const flipOf = new Map<string, Flip>();
  flips.forEach((f, n) => {
    const checkId = tracked.get(key(f.hostId, f.name))?.id as number;
    flipOf.set(`${f.b}:${f.i}`, { id: flipIds[n] as number, checkId, projectId: f.projectId, hostId: f.hostId, at: f.at, ...f.draft });
  });
  batches.forEach((b, bi) => {
    if (results[bi] instanceof OverseeError) return;
    results[bi] = b.services.map((s, i) => ({
      checkId: tracked.get(key(b.hostId, s.name))?.id as number,
      created: (created[bi] as boolean[])[i] as boolean,
      flip: flipOf.get(`${bi}:${i}`) ?? null,
    }));
  });
  return results;
}

/** The id of the check named by an alert, creating an UNK placeholder when it does not exist yet. */
async function placeholderCheck(c: pg.PoolClient, a: AlertInput): Promise<number> {
  const find = () => c.query<{ id: number }>('SELECT id FROM checks WHERE host_id = $1 AND name = $2', [a.hostId, a.checkName]);
  const found = (await find()).rows[0];
  if (found) return found.id;
  const ins = await c.query<{ id: number }>(
    `INSERT INTO checks (project_id, host_id, name, source, state, info, created_at) VALUES ($1, $2, $3, $4, 'UNK', 'no state reported yet', $5)
     ON CONFLICT (host_id, name) DO NOTHING RETURNING id`, [a.projectId, a.hostId, a.checkName, a.source, a.at]);
  const id = ins.rows[0]?.id ?? (await find()).rows[0]?.id;
  if (id === undefined) throw new RetryTransaction('a check named by an alert was deleted concurrently');
  return id;
}
