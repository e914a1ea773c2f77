// The alerting module's tables on SQLite (module 'alerting' in schema_migrations) and its AlertStore.
// Writes go through the store's group committer, so they share its transactions and durability.
import type Database from 'better-sqlite3';
import type {
  AlertEvent, AlertStore, AttemptResult, CheckAlertState, CheckStatePatch, DecisionBatch, Delivery, EventFilter, EventStatus,
  ExpiryPlanner, IntakeItem, IntakePlanner, NewEvent, NotificationRecord, Origin, StoredChannel, StoredRoute, StoredSilence,
} from '../../alert/store-types.js';
import { defaultCheckState } from '../../alert/store-types.js';
import type { Route, SilenceInput } from '../../alert/types.js';
import type { CheckState, Flip } from '../../domain/types.js';
import type { ChannelDefinition } from '../../notify/registry.js';
import type { NotifyEvent } from '../../notify/types.js';
import { decodeNumericCursor, pageOf } from '../cursor.js';
import type { Page, TimeFilter } from '../types.js';
import type { SqliteStore } from './index.js';
import { runMigrations, type Migration } from './migrations-runner.js';
import {
  STATE_COLUMNS, toChannel, toDelivery, toEvent, toNotification, toRoute, toSilence, toState,
  type ChannelRow, type DeliveryRow, type EventRow, type NotificationRow, type RouteRow, type SilenceRow, type StateRow,
} from '../alerting-rows.js';
import { toAlert, toFlip, type AlertRow, type FlipRow } from './rows.js';

/** Schema steps of the alerting module. Append new steps; never edit a released one. */
export const ALERTING_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'channels, routes, silences, per-check alert state, events, deliveries, notifications',
    up: (db) => db.exec(`
      CREATE TABLE alert_channels (
        name TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        config TEXT NOT NULL,
        enabled INTEGER NOT NULL DEFAULT 1,
        disabled_reason TEXT,
        origin TEXT NOT NULL CHECK (origin IN ('config','api')),
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE alert_routes (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        spec TEXT NOT NULL,
        origin TEXT NOT NULL CHECK (origin IN ('config','api'))
      );
      CREATE TABLE alert_silences (
        id INTEGER PRIMARY KEY,
        project TEXT,
        host TEXT NOT NULL,
        check_pattern TEXT NOT NULL,
        starts_at INTEGER NOT NULL,
        ends_at INTEGER NOT NULL,
        recurrence TEXT NOT NULL CHECK (recurrence IN ('none','daily','weekly')),
        until INTEGER,
        comment TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        origin TEXT NOT NULL CHECK (origin IN ('config','api'))
      );
      CREATE TABLE alert_check_state (
        check_id INTEGER PRIMARY KEY REFERENCES checks(id) ON DELETE CASCADE,
        notified_state TEXT,
        last_notified_at INTEGER,
        acked_at INTEGER,
        acked_by TEXT,
        ack_comment TEXT,
        flapping INTEGER NOT NULL DEFAULT 0,
        next_flap_eval_at INTEGER,
        next_reminder_at INTEGER,
        reduction_ms INTEGER
      );
      CREATE INDEX alert_check_state_reminder ON alert_check_state (next_reminder_at) WHERE next_reminder_at IS NOT NULL;
      CREATE INDEX alert_check_state_flap ON alert_check_state (next_flap_eval_at) WHERE next_flap_eval_at IS NOT NULL;
      CREATE TABLE alert_events (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL CHECK (source IN ('flip','alert','engine')),
        source_id INTEGER,
        check_id INTEGER,
        at INTEGER NOT NULL,
        release_at INTEGER NOT NULL,
        status TEXT NOT NULL,
        note TEXT,
        decided_at INTEGER,
        event TEXT NOT NULL
      );
      CREATE UNIQUE INDEX alert_events_source ON alert_events (source, source_id) WHERE source_id IS NOT NULL;
      CREATE INDEX alert_events_held ON alert_events (release_at) WHERE status = 'held';
      CREATE INDEX alert_events_check ON alert_events (check_id, status);
      CREATE INDEX alert_events_at ON alert_events (at, id);
      CREATE TABLE alert_deliveries (
        id INTEGER PRIMARY KEY,
        event_id INTEGER NOT NULL REFERENCES alert_events(id) ON DELETE CASCADE,
        channel TEXT NOT NULL,
        group_key TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending','sent','failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        claimed_by TEXT,
        lease_until INTEGER,
        last_error TEXT,
        sent_at INTEGER,
        UNIQUE (event_id, channel)
      );
      CREATE INDEX alert_deliveries_pending ON alert_deliveries (next_attempt_at) WHERE status = 'pending';
      CREATE TABLE notifications (
        id INTEGER PRIMARY KEY,
        delivery_id INTEGER NOT NULL REFERENCES alert_deliveries(id) ON DELETE CASCADE,
        event_id INTEGER NOT NULL,
        channel TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        at INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('ok','transient','permanent')),
        error TEXT,
        duration_ms INTEGER NOT NULL
      );
      CREATE INDEX notifications_at ON notifications (at, id);
      CREATE INDEX notifications_delivery ON notifications (delivery_id);
    `),
  },
];

function stateValue(v: unknown): string | number | null {
  if (typeof v === 'boolean') return v ? 1 : 0;
  return (v ?? null) as string | number | null;
}

/** Migrates the alerting tables in the store's file and returns an AlertStore over them. */
export function openSqliteAlertStore(store: SqliteStore): SqliteAlertStore {
  runMigrations(store.db, 'alerting', ALERTING_MIGRATIONS);
  return new SqliteAlertStore(store);
}

/** The SQLite AlertStore (see src/alert/store-types.ts for the contract). */
export class SqliteAlertStore implements AlertStore {
  private readonly db: Database.Database;
  private readonly write: <T>(fn: () => T) => Promise<T>;
  private readonly stmts = new Map<string, Database.Statement>();

  constructor(store: SqliteStore) {
    this.db = store.db;
    this.write = (fn) => store.writer.run(fn);
  }

  /** A cached prepared statement (preparing costs more than running on the hot paths). */
  private q(sql: string): Database.Statement {
    let st = this.stmts.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.stmts.set(sql, st);
    }
    return st;
  }

  // ---- channels, routes, silences ----

  async listChannels(): Promise<StoredChannel[]> {
    return (this.q('SELECT * FROM alert_channels ORDER BY name').all() as ChannelRow[]).map(toChannel);
  }

  async getChannel(name: string): Promise<StoredChannel | null> {
    const row = this.q('SELECT * FROM alert_channels WHERE name = ?').get(name) as ChannelRow | undefined;
    return row ? toChannel(row) : null;
  }

  putChannel(channel: ChannelDefinition & { enabled?: boolean; origin: Origin }, now: number): Promise<StoredChannel> {
    return this.write(() => this.putChannelSync(channel, now));
  }

  private putChannelSync(channel: ChannelDefinition & { enabled?: boolean; origin: Origin }, now: number): StoredChannel {
    const config = JSON.stringify(channel.config);
    const prev = this.q('SELECT * FROM alert_channels WHERE name = ?').get(channel.name) as ChannelRow | undefined;
    // A changed config re-enables a channel that was disabled for a failure: the operator fixed it.
    const enabled = channel.enabled ?? (prev ? prev.enabled !== 0 || prev.config !== config : true);
    const reason = enabled ? null : (prev?.config === config ? prev.disabled_reason : null);
    return toChannel(this.q(`INSERT INTO alert_channels (name, type, config, enabled, disabled_reason, origin, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET type = excluded.type, config = excluded.config,
      enabled = excluded.enabled, disabled_reason = excluded.disabled_reason, origin = excluded.origin, updated_at = excluded.updated_at
      RETURNING *`).get(channel.name, channel.type, config, enabled ? 1 : 0, reason, channel.origin, now) as ChannelRow);
  }

  deleteChannel(name: string): Promise<boolean> {
    return this.write(() => this.q('DELETE FROM alert_channels WHERE name = ?').run(name).changes === 1);
  }

  setChannelEnabled(name: string, enabled: boolean, reason: string | null, now: number): Promise<boolean> {
    return this.write(() => this.q(
      'UPDATE alert_channels SET enabled = ?, disabled_reason = ?, updated_at = ? WHERE name = ? AND enabled = ?',
    ).run(enabled ? 1 : 0, enabled ? null : reason, now, name, enabled ? 0 : 1).changes === 1);
  }

  async listRoutes(): Promise<StoredRoute[]> {
    return (this.q('SELECT * FROM alert_routes ORDER BY id').all() as RouteRow[]).map(toRoute);
  }

  putRoute(route: Route, origin: Origin): Promise<StoredRoute> {
    return this.write(() => this.putRouteSync(route, origin));
  }

  private putRouteSync(route: Route, origin: Origin): StoredRoute {
    return toRoute(this.q(`INSERT INTO alert_routes (name, spec, origin) VALUES (?, ?, ?)
      ON CONFLICT (name) DO UPDATE SET spec = excluded.spec, origin = excluded.origin RETURNING *`)
      .get(route.name, JSON.stringify(route), origin) as RouteRow);
  }

  deleteRoute(name: string): Promise<boolean> {
    return this.write(() => this.q('DELETE FROM alert_routes WHERE name = ?').run(name).changes === 1);
  }

  async listSilences(): Promise<StoredSilence[]> {
    return (this.q('SELECT * FROM alert_silences ORDER BY starts_at, id').all() as SilenceRow[]).map(toSilence);
  }

  addSilence(s: SilenceInput, origin: Origin, now: number): Promise<StoredSilence> {
    return this.write(() => this.addSilenceSync(s, origin, now));
  }

  private addSilenceSync(s: SilenceInput, origin: Origin, now: number): StoredSilence {
    return toSilence(this.q(`INSERT INTO alert_silences (project, host, check_pattern, starts_at, ends_at, recurrence, until,
      comment, created_by, created_at, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`)
      .get(s.project, s.host, s.check, s.startsAt, s.endsAt, s.recurrence, s.until, s.comment, s.createdBy, now, origin) as SilenceRow);
  }

  deleteSilence(id: number): Promise<boolean> {
    return this.write(() => this.q('DELETE FROM alert_silences WHERE id = ?').run(id).changes === 1);
  }

  replaceConfigured(input: { channels: Array<ChannelDefinition & { enabled: boolean }>; routes: Route[]; silences: SilenceInput[] }, now: number): Promise<void> {
    return this.write(() => {
      const names = input.channels.map((c) => c.name);
      const stale = (this.q("SELECT name FROM alert_channels WHERE origin = 'config'").pluck().all() as string[])
        .filter((n) => !names.includes(n));
      for (const n of stale) this.q('DELETE FROM alert_channels WHERE name = ?').run(n);
      for (const c of input.channels) {
        const prev = this.q('SELECT config, enabled FROM alert_channels WHERE name = ?').get(c.name) as { config: string; enabled: number } | undefined;
        // Keep a failure-disabled channel disabled across restarts unless its config changed.
        const keepDisabled = c.enabled && prev !== undefined && prev.enabled === 0 && prev.config === JSON.stringify(c.config);
        this.putChannelSync({ ...c, enabled: keepDisabled ? undefined : c.enabled, origin: 'config' }, now);
      }
      this.q("DELETE FROM alert_routes WHERE origin = 'config'").run();
      for (const r of input.routes) this.putRouteSync(r, 'config');
      this.q("DELETE FROM alert_silences WHERE origin = 'config'").run();
      for (const s of input.silences) this.addSilenceSync(s, 'config', now);
    });
  }

  // ---- per-check state ----

  async checkStates(checkIds: readonly number[]): Promise<Map<number, CheckAlertState>> {
    const out = new Map<number, CheckAlertState>(checkIds.map((id) => [id, defaultCheckState(id)]));
    const rows = this.q('SELECT * FROM alert_check_state WHERE check_id IN (SELECT value FROM json_each(?))')
      .all(JSON.stringify(checkIds)) as StateRow[];
    for (const r of rows) out.set(r.check_id, toState(r));
    return out;
  }

  async recentStates(checkIds: readonly number[], n: number): Promise<Map<number, CheckState[]>> {
    const out = new Map<number, CheckState[]>(checkIds.map((id) => [id, []]));
    const rows = this.q(`SELECT check_id, state FROM (
        SELECT check_id, state, at, id, ROW_NUMBER() OVER (PARTITION BY check_id ORDER BY at DESC, id DESC) AS rn
        FROM state_reports WHERE check_id IN (SELECT value FROM json_each(?)))
      WHERE rn <= ? ORDER BY check_id, at, id`).all(JSON.stringify(checkIds), n) as Array<{ check_id: number; state: CheckState }>;
    for (const r of rows) out.get(r.check_id)?.push(r.state);
    return out;
  }

  patchCheckState(checkId: number, expected: CheckStatePatch, patch: CheckStatePatch, event?: NewEvent): Promise<boolean> {
    return this.write(() => {
      if (!this.ensureStateRow(checkId)) return false;
      const where = ['check_id = ?'];
      const args: Array<string | number | null> = [];
      for (const [k, v] of Object.entries(expected)) {
        where.push(`${STATE_COLUMNS[k as keyof CheckStatePatch]} IS ?`);
        args.push(stateValue(v));
      }
      if (!this.patchState(checkId, patch, where, args)) return false;
      if (event) this.insertEvent('engine', null, event.checkId, event.event, event.releaseAt, 'held', null, null);
      return true;
    });
  }

  private ensureStateRow(checkId: number): boolean {
    this.q('INSERT INTO alert_check_state (check_id) SELECT id FROM checks WHERE id = ? ON CONFLICT DO NOTHING').run(checkId);
    return this.q('SELECT 1 FROM alert_check_state WHERE check_id = ?').get(checkId) !== undefined;
  }

  private patchState(checkId: number, patch: CheckStatePatch, where: string[] = ['check_id = ?'], whereArgs: Array<string | number | null> = []): boolean {
    const sets: string[] = [];
    const args: Array<string | number | null> = [];
    for (const [k, v] of Object.entries(patch)) {
      sets.push(`${STATE_COLUMNS[k as keyof CheckStatePatch]} = ?`);
      args.push(stateValue(v));
    }
    if (sets.length === 0) sets.push('check_id = check_id');
    return this.q(`UPDATE alert_check_state SET ${sets.join(', ')} WHERE ${where.join(' AND ')}`)
      .run(...args, checkId, ...whereArgs).changes === 1;
  }

  async dueReminders(now: number, limit: number): Promise<CheckAlertState[]> {
    return (this.q('SELECT * FROM alert_check_state WHERE next_reminder_at IS NOT NULL AND next_reminder_at <= ? ORDER BY next_reminder_at LIMIT ?')
      .all(now, limit) as StateRow[]).map(toState);
  }

  async dueFlapEvaluations(now: number, limit: number): Promise<CheckAlertState[]> {
    return (this.q('SELECT * FROM alert_check_state WHERE next_flap_eval_at IS NOT NULL AND next_flap_eval_at <= ? ORDER BY next_flap_eval_at LIMIT ?')
      .all(now, limit) as StateRow[]).map(toState);
  }

  // ---- expiry ----

  async nextDeadline(): Promise<number | null> {
    return (this.q('SELECT MIN(deadline_at) FROM checks WHERE deadline_at IS NOT NULL AND expired = 0').pluck().get() as number | null) ?? null;
  }

  async expireDue(now: number, limit: number, plan: ExpiryPlanner): Promise<Flip[]> {
    const next = await this.nextDeadline();
    if (next === null || next > now) return [];
    return this.write(() => {
      const due = this.q(`SELECT id, project_id, host_id, state, last_report_at, period_s, deadline_at FROM checks
        WHERE deadline_at IS NOT NULL AND expired = 0 AND deadline_at <= ? ORDER BY deadline_at LIMIT ?`).all(now, limit) as Array<{
          id: number; project_id: number; host_id: number; state: CheckState; last_report_at: number | null; period_s: number | null; deadline_at: number;
        }>;
      const expire = this.q(`UPDATE checks SET expired = 1, state = ?, info = ?, last_change_at = ?
        WHERE id = ? AND expired = 0 AND deadline_at = ?`);
      const insertFlip = this.q(`INSERT INTO flips (check_id, project_id, host_id, at, old_state, new_state, reason, info)
        VALUES (?, ?, ?, ?, ?, ?, 'expired', ?) RETURNING *`);
      const flips: Flip[] = [];
      for (const c of due) {
        const next = plan({ id: c.id, state: c.state, lastReportAt: c.last_report_at, periodS: c.period_s }, now);
        if (expire.run(next.state, next.info, now, c.id, c.deadline_at).changes !== 1) continue;
        flips.push(toFlip(insertFlip.get(c.id, c.project_id, c.host_id, now, c.state, next.state, next.info) as FlipRow));
      }
      return flips;
    });
  }

  // ---- pipeline ----

  async intake(nodeId: string, now: number, limit: number, plan: IntakePlanner): Promise<number> {
    const waiting = this.q(`SELECT EXISTS (SELECT 1 FROM flips WHERE notified_at IS NULL)
      OR EXISTS (SELECT 1 FROM alerts WHERE notified_at IS NULL)`).pluck().get() as number;
    if (!waiting) return 0;
    return this.write(() => {
      let n = 0;
      const flips = this.q(`SELECT f.*, p.name AS project, h.name AS host_name, c.name AS check_name, c.tags AS tags,
          s.reduction_ms AS reduction_ms
        FROM flips f JOIN checks c ON c.id = f.check_id JOIN hosts h ON h.id = f.host_id JOIN projects p ON p.id = f.project_id
        LEFT JOIN alert_check_state s ON s.check_id = f.check_id
        WHERE f.notified_at IS NULL ORDER BY f.id LIMIT ?`).all(limit) as Array<FlipRow & {
          project: string; host_name: string; check_name: string; tags: string; reduction_ms: number | null;
        }>;
      const claimFlip = this.q('UPDATE flips SET claimed_by = ?, notified_at = ? WHERE id = ? AND notified_at IS NULL');
      const clearAck = this.q('UPDATE alert_check_state SET acked_at = NULL, acked_by = NULL, ack_comment = NULL WHERE check_id = ?');
      for (const r of flips) {
        if (claimFlip.run(nodeId, now, r.id).changes !== 1) continue;
        const item: IntakeItem = {
          source: 'flip', flip: toFlip(r), project: r.project, hostName: r.host_name, checkName: r.check_name,
          tags: JSON.parse(r.tags) as string[], reductionMs: r.reduction_ms,
        };
        const { event, releaseAt } = plan(item);
        this.insertEvent('flip', r.id, r.check_id, event, releaseAt, 'held', null, null);
        clearAck.run(r.check_id);
        n++;
      }
      const alerts = this.q(`SELECT a.*, p.name AS project, h.name AS host_name, c.name AS check_name, c.tags AS tags
        FROM alerts a JOIN projects p ON p.id = a.project_id LEFT JOIN hosts h ON h.id = a.host_id LEFT JOIN checks c ON c.id = a.check_id
        WHERE a.notified_at IS NULL ORDER BY a.id LIMIT ?`).all(limit) as Array<AlertRow & {
          project: string; host_name: string | null; check_name: string | null; tags: string | null;
        }>;
      const claimAlert = this.q('UPDATE alerts SET claimed_by = ?, notified_at = ? WHERE id = ? AND notified_at IS NULL');
      for (const r of alerts) {
        if (claimAlert.run(nodeId, now, r.id).changes !== 1) continue;
        const item: IntakeItem = {
          source: 'alert', alert: toAlert(r), project: r.project, hostName: r.host_name, checkName: r.check_name,
          tags: r.tags ? JSON.parse(r.tags) as string[] : [],
        };
        const { event, releaseAt } = plan(item);
        this.insertEvent('alert', r.id, r.check_id, event, releaseAt, 'held', null, null);
        n++;
      }
      return n;
    });
  }

  private insertEvent(source: AlertEvent['source'], sourceId: number | null, checkId: number | null, event: NotifyEvent,
    releaseAt: number, status: EventStatus, note: string | null, decidedAt: number | null): number {
    return this.q(`INSERT INTO alert_events (source, source_id, check_id, at, release_at, status, note, decided_at, event)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`).pluck()
      .get(source, sourceId, checkId, event.at, releaseAt, status, note, decidedAt, JSON.stringify(event)) as number;
  }

  async heldEvents(now: number, limit: number): Promise<AlertEvent[]> {
    return (this.q(`SELECT * FROM alert_events WHERE status = 'held' AND (
        (check_id IS NULL AND release_at <= ?)
        OR check_id IN (SELECT check_id FROM alert_events WHERE status = 'held' AND release_at <= ? AND check_id IS NOT NULL))
      ORDER BY id LIMIT ?`).all(now, now, limit) as EventRow[]).map(toEvent);
  }

  async nextRelease(): Promise<number | null> {
    return (this.q("SELECT MIN(release_at) FROM alert_events WHERE status = 'held'").pluck().get() as number | null) ?? null;
  }

  applyDecisions(batch: DecisionBatch, now: number): Promise<number> {
    return this.write(() => {
      const decide = this.q(`UPDATE alert_events SET status = ?, note = ?, decided_at = ? WHERE id = ? AND status = 'held'
        RETURNING check_id`);
      const applied = new Set<number>();
      let n = 0;
      for (const d of batch.decisions) {
        const row = decide.get(d.status, d.note, now, d.eventId) as { check_id: number | null } | undefined;
        if (!row) continue;
        n++;
        if (row.check_id !== null) applied.add(row.check_id);
        if (d.status === 'routed') this.insertDeliveries(d.eventId, d.channels, d.groupKey, now);
      }
      for (const c of batch.created) {
        if (c.checkId === null || !applied.has(c.checkId)) continue;
        const id = this.insertEvent('engine', null, c.checkId, c.event, c.releaseAt, c.decision.status, c.decision.note, now);
        if (c.decision.status === 'routed') this.insertDeliveries(id, c.decision.channels, c.decision.groupKey, now);
      }
      for (const [checkId, patch] of batch.patches) {
        if (!applied.has(checkId) || !this.ensureStateRow(checkId)) continue;
        this.patchState(checkId, patch);
      }
      return n;
    });
  }

  private insertDeliveries(eventId: number, channels: readonly string[], groupKey: string, now: number): void {
    const st = this.q(`INSERT INTO alert_deliveries (event_id, channel, group_key, created_at, status, attempts, next_attempt_at)
      VALUES (?, ?, ?, ?, 'pending', 0, ?) ON CONFLICT (event_id, channel) DO NOTHING`);
    for (const ch of channels) st.run(eventId, ch, groupKey, now, now);
  }

  async dueDeliveries(now: number, limit: number): Promise<Delivery[]> {
    // A lease moves next_attempt_at to its end, so one indexed bound finds what is due and not leased.
    return (this.q(`SELECT d.*, e.event FROM alert_deliveries d JOIN alert_events e ON e.id = d.event_id
      WHERE d.status = 'pending' AND d.next_attempt_at <= ? ORDER BY d.next_attempt_at, d.id LIMIT ?`).all(now, limit) as DeliveryRow[]).map(toDelivery);
  }

  async nextDeliveryAt(): Promise<number | null> {
    return (this.q("SELECT MIN(next_attempt_at) FROM alert_deliveries WHERE status = 'pending'").pluck().get() as number | null) ?? null;
  }

  claimDeliveries(ids: readonly number[], nodeId: string, now: number, leaseUntil: number): Promise<number[]> {
    return this.write(() => {
      const st = this.q(`UPDATE alert_deliveries SET claimed_by = ?, lease_until = ?, next_attempt_at = ?
        WHERE id = ? AND status = 'pending' AND next_attempt_at <= ?`);
      return ids.filter((id) => st.run(nodeId, leaseUntil, leaseUntil, id, now).changes === 1);
    });
  }

  recordAttempts(results: readonly AttemptResult[], now: number): Promise<void> {
    return this.write(() => {
      const bump = this.q(`UPDATE alert_deliveries SET attempts = attempts + 1, status = ?, next_attempt_at = ?,
        lease_until = NULL, last_error = ?, sent_at = ? WHERE id = ? RETURNING attempts, event_id`);
      const log = this.q(`INSERT INTO notifications (delivery_id, event_id, channel, attempt, at, status, error, duration_ms)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
      for (const r of results) {
        const status = r.status === 'ok' ? 'sent' : r.status === 'transient' && r.retryAt !== null ? 'pending' : 'failed';
        const row = bump.get(status, r.retryAt ?? now, r.error, r.status === 'ok' ? now : null, r.deliveryId) as
          { attempts: number; event_id: number } | undefined;
        if (!row) continue;
        log.run(r.deliveryId, row.event_id, r.channel, row.attempts, now, r.status, r.error, Math.round(r.durationMs));
      }
    });
  }

  cancelDeliveries(channel: string, reason: string, now: number): Promise<number> {
    return this.write(() => this.q(`UPDATE alert_deliveries SET status = 'failed', last_error = ?, next_attempt_at = ?
      WHERE channel = ? AND status = 'pending' AND (lease_until IS NULL OR lease_until < ?)`).run(reason, now, channel, now).changes);
  }

  // ---- feeds ----

  async events(filter: EventFilter): Promise<Page<AlertEvent>> {
    const { where, args } = timeWhere(filter);
    if (filter.projectId !== undefined) { where.push("json_extract(event, '$.projectId') = ?"); args.push(filter.projectId); }
    if (filter.projectIds !== undefined) {
      where.push("json_extract(event, '$.projectId') IN (SELECT value FROM json_each(?))"); args.push(JSON.stringify(filter.projectIds));
    }
    if (filter.checkId !== undefined) { where.push('check_id = ?'); args.push(filter.checkId); }
    if (filter.status !== undefined) { where.push('status = ?'); args.push(filter.status); }
    const rows = this.q(`SELECT * FROM alert_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY at DESC, id DESC LIMIT ?`).all(...args, filter.limit + 1) as EventRow[];
    return pageOf(rows.map(toEvent), filter.limit, (e) => [e.at, e.id]);
  }

  async notifications(filter: TimeFilter & { channel?: string; eventId?: number }): Promise<Page<NotificationRecord>> {
    const { where, args } = timeWhere(filter);
    if (filter.channel !== undefined) { where.push('channel = ?'); args.push(filter.channel); }
    if (filter.eventId !== undefined) { where.push('event_id = ?'); args.push(filter.eventId); }
    const rows = this.q(`SELECT * FROM notifications ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY at DESC, id DESC LIMIT ?`).all(...args, filter.limit + 1) as NotificationRow[];
    return pageOf(rows.map(toNotification), filter.limit, (n) => [n.at, n.id]);
  }
}

/** WHERE parts for a newest-first log with an (at, id) cursor. */
function timeWhere(filter: TimeFilter): { where: string[]; args: Array<string | number> } {
  const where: string[] = [];
  const args: Array<string | number> = [];
  if (filter.from !== undefined) { where.push('at >= ?'); args.push(filter.from); }
  if (filter.to !== undefined) { where.push('at <= ?'); args.push(filter.to); }
  if (filter.cursor) {
    const [at, id] = decodeNumericCursor(filter.cursor, 2) as [number, number];
    where.push('(at < ? OR (at = ? AND id < ?))');
    args.push(at, at, id);
  }
  return { where, args };
}
