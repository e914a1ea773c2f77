// The ingest write path on PostgreSQL. One batch = one transaction of four statements:
// lock the host row, lock the batch's existing checks, then one statement that inserts new checks,
// updates existing ones and writes every history row and flip (arrays through unnest). The host row
// lock serializes batches of the same host across nodes (checks belong to one host), so the state
// machine (applyReport, run here in JS) always sees the committed state; locks are always taken
// host first, then checks by id, so batches never deadlock one another.
import type pg from 'pg';
import { applyReport, type CheckUpdate, type FlipDraft } from '../../domain/check-state.js';
import type { Alert, CheckState, Flip } from '../../domain/types.js';
import { OverseeError } from '../../errors.js';
import type { AlertInput, IngestWriter, StateReportBatch, StateReportOutcome } from '../types.js';
import { inTransaction, RetryTransaction } from './pool.js';
import type { Timed } from './repos.js';

type Prev = { state: CheckState; lastChangeAt: number | null; expired: boolean; patienceS: number | null };
interface PrevRow { id: number; name: string; state: CheckState; last_change_at: number | null; expired: boolean; patience_s: number | null }
interface Tracked { id: number | null; prev: Prev; final: CheckUpdate | null }

const LOCK_HOST = {
  name: 'ovs_lock_host',
  text: 'UPDATE hosts SET last_seen_at = $2, last_address = $3 WHERE id = $1 RETURNING project_id',
};
const LOCK_CHECKS = {
  name: 'ovs_lock_checks',
  text: `SELECT id, name, state, last_change_at, expired, patience_s FROM checks
         WHERE host_id = $1 AND name = ANY($2::text[]) ORDER BY id FOR UPDATE`,
};
const WRITE_BATCH = {
  name: 'ovs_write_batch',
  text: `WITH ins AS (
      INSERT INTO checks (project_id, host_id, name, source, state, info, period_s, patience_s, last_report_at, last_change_at,
                          deadline_at, expired, source_address, created_at)
      SELECT $1, $2, u.n, $3, u.s, u.i, u.p, u.pa, $4, u.lc, u.d, false, $5, $4
      FROM unnest($6::text[], $7::text[], $8::text[], $9::int[], $10::bigint[], $11::bigint[], $28::int[]) AS u(n, s, i, p, lc, d, pa)
      ON CONFLICT (host_id, name) DO NOTHING
      RETURNING id, name
    ), upd AS (
      UPDATE checks c SET state = u.s, info = u.i, period_s = u.p, patience_s = u.pa, last_report_at = $4, last_change_at = u.lc,
                          deadline_at = u.d, expired = false, source_address = $5
      FROM unnest($12::bigint[], $13::text[], $14::text[], $15::int[], $16::bigint[], $17::bigint[], $29::int[]) AS u(id, s, i, p, lc, d, pa)
      WHERE c.id = u.id
    ), ids AS (
      SELECT id, name FROM ins UNION ALL SELECT e.id, e.name FROM unnest($18::bigint[], $19::text[]) AS e(id, name)
    ), rep AS (
      INSERT INTO state_reports (check_id, at, state, info)
      SELECT ids.id, $4, u.s, u.i FROM unnest($20::text[], $21::text[], $22::text[]) WITH ORDINALITY AS u(n, s, i, ord)
      JOIN ids ON ids.name = u.n ORDER BY u.ord
    ), fl AS (
      INSERT INTO flips (check_id, project_id, host_id, at, old_state, new_state, reason, info)
      SELECT ids.id, $1, $2, $4, u.o, u.ns, u.r, u.i
      FROM unnest($23::text[], $24::text[], $25::text[], $26::text[], $27::text[]) WITH ORDINALITY AS u(n, o, ns, r, i, ord)
      JOIN ids ON ids.name = u.n ORDER BY u.ord
      RETURNING id
    )
    SELECT 'c' AS k, id, name FROM ins UNION ALL SELECT 'f' AS k, id, NULL AS name FROM fl`,
};

/** Ingest on PostgreSQL; each call resolves after its transaction committed (synchronous_commit as configured, on by default). */
export class PgIngest implements IngestWriter {
  constructor(private readonly pool: pg.Pool, private readonly timed: Timed) {}

  reportStates(batch: StateReportBatch): Promise<StateReportOutcome[]> {
    return this.timed('ingest.reportStates', () => inTransaction(this.pool, (c) => this.applyBatch(c, batch)));
  }

  private async applyBatch(c: pg.PoolClient, batch: StateReportBatch): Promise<StateReportOutcome[]> {
    // 1. Lock the host (serializes this host's batches on every node) and learn its project.
    const host = await c.query<{ project_id: number }>({ ...LOCK_HOST, values: [batch.hostId, batch.at, batch.address] });
    const projectId = host.rows[0]?.project_id;
    if (projectId === undefined) throw new OverseeError('OVS_ERR_NOT_FOUND', `host ${batch.hostId} does not exist`);
    if (batch.services.length === 0) return [];
    // 2. Lock the existing checks of the batch.
    const names = [...new Set(batch.services.map((s) => s.name))];
    const existing = await c.query<PrevRow>({ ...LOCK_CHECKS, values: [batch.hostId, names] });
    const tracked = new Map<string, Tracked>();
    for (const r of existing.rows) {
      tracked.set(r.name, { id: r.id, prev: { state: r.state, lastChangeAt: r.last_change_at, expired: r.expired, patienceS: r.patience_s }, final: null });
    }
    // 3. Run the state machine over the services in order (a name may repeat within a batch).
    const created: boolean[] = [];
    const reports: { name: string; state: CheckState; info: string }[] = [];
    const flips: { name: string; draft: FlipDraft; index: number }[] = [];
    batch.services.forEach((s, index) => {
      const t = tracked.get(s.name);
      const { update, flip } = applyReport(t?.prev, s, batch.at);
      const prev: Prev = { state: update.state, lastChangeAt: update.lastChangeAt, expired: false, patienceS: update.patienceS };
      if (t) { t.prev = prev; t.final = update; } else tracked.set(s.name, { id: null, prev, final: update });
      created.push(t === undefined);
      reports.push({ name: s.name, state: update.state, info: update.info });
      if (flip) flips.push({ name: s.name, draft: flip, index });
    });
    // 4. Write everything in one statement.
    const fresh = [...tracked.entries()].filter(([, t]) => t.id === null);
    const old = [...tracked.entries()].filter(([, t]) => t.id !== null && t.final !== null);
    const col = <T>(rows: [string, Tracked][], f: (name: string, u: CheckUpdate, t: Tracked) => T): T[] =>
      rows.map(([n, t]) => f(n, t.final as CheckUpdate, t));
    const res = await c.query<{ k: 'c' | 'f'; id: number; name: string | null }>({
      ...WRITE_BATCH,
      values: [
        projectId, batch.hostId, batch.source, batch.at, batch.address,
        col(fresh, (n) => n), col(fresh, (_, u) => u.state), col(fresh, (_, u) => u.info), col(fresh, (_, u) => u.periodS),
        col(fresh, (_, u) => u.lastChangeAt), col(fresh, (_, u) => u.deadlineAt),
        col(old, (_, __, t) => t.id), col(old, (_, u) => u.state), col(old, (_, u) => u.info), col(old, (_, u) => u.periodS),
        col(old, (_, u) => u.lastChangeAt), col(old, (_, u) => u.deadlineAt),
        [...existing.rows.map((r) => r.id)], [...existing.rows.map((r) => r.name)],
        reports.map((r) => r.name), reports.map((r) => r.state), reports.map((r) => r.info),
        flips.map((f) => f.name), flips.map((f) => f.draft.oldState), flips.map((f) => f.draft.newState),
        flips.map((f) => f.draft.reason), flips.map((f) => f.draft.info),
        col(fresh, (_, u) => u.patienceS), col(old, (_, u) => u.patienceS),
      ],
    });
    // 5. A check created meanwhile by another writer (e.g. an alert placeholder) made an insert yield: start over.
    const newIds = new Map<string, number>();
    const flipIds: number[] = [];
    for (const r of res.rows) {
      if (r.k === 'c') newIds.set(r.name as string, r.id);
      else flipIds.push(r.id);
    }
    if (newIds.size !== fresh.length) throw new RetryTransaction('a check of the batch was created concurrently');
    flipIds.sort((a, b) => a - b); // ids were drawn in input order
    const flipAt = new Map<number, Flip>();
    flips.forEach((f, i) => {
      const checkId = (tracked.get(f.name)?.id ?? newIds.get(f.name)) as number;
      flipAt.set(f.index, { id: flipIds[i] as number, checkId, projectId, hostId: batch.hostId, at: batch.at, ...f.draft });
    });
    return batch.services.map((s, i) => ({
      checkId: (tracked.get(s.name)?.id ?? newIds.get(s.name)) as number,
      created: created[i] as boolean,
      flip: flipAt.get(i) ?? null,
    }));
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
