// The alert engine: one loop that expires silent checks, takes new flips and alerts, decides them and
// dispatches deliveries. One timer at a time, set to the earliest of every durable queue's next due
// time (checks.deadline_at, held events, pending deliveries) and never longer than `maxSleepMs`.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { CheckState } from '../domain/types.js';
import { OverseeError } from '../errors.js';
import { buildMessage } from '../notify/format.js';
import { errorText } from '../notify/http.js';
import { isChannelType, sendVia } from '../notify/registry.js';
import { isPermanentFailure, type NotifyEvent } from '../notify/types.js';
import type { Store } from '../store/types.js';
import type { Clock } from '../util/clock.js';
import { backoffDelay } from './backoff.js';
import { decide, FLAP_EVAL_INTERVAL_MS } from './decide.js';
import { CHANNEL_ALERT_SOURCE, planExpiry, planIntake } from './events.js';
import { flapTransition, percentStateChange } from './flapping.js';
import { readyGroups } from './grouping.js';
import { nextReminderAt } from './reminders.js';
import type { AlertStore, AttemptResult, Delivery, StoredChannel } from './store-types.js';
import { DEFAULT_ALERT_SETTINGS, type AlertSettings } from './types.js';

/** The logging the engine needs (a pino logger fits). */
export interface AlertLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** What the engine is built from. Only store, alertStore, clock and logger are required. */
export interface AlertEngineOptions {
  store: Store;
  alertStore: AlertStore;
  clock: Clock;
  logger: AlertLogger;
  settings?: AlertSettings;
  fetch?: typeof fetch;
  /** Identity written into claims; unique per process by default. */
  nodeId?: string;
  /** Upper bound of one delivery attempt (ms). */
  sendTimeoutMs?: number;
  /** Longest sleep between passes (ms): bounds how late a deadline moved earlier by a report is seen. */
  maxSleepMs?: number;
  /** Deliveries in flight at once. */
  maxInflight?: number;
  random?: () => number;
  /** Called once per delivery attempt (one message to one channel), e.g. to feed self-metrics. */
  onAttempt?: DeliveryObserver;
}

/** Observes delivery attempts: channel name, outcome, seconds taken, events in the message. */
export type DeliveryObserver = (channel: string, status: AttemptResult['status'], seconds: number, events: number) => void;

/** Counts of one pass, for tests and self-metrics. */
export interface TickReport {
  expired: number;
  taken: number;
  decided: number;
  reminders: number;
  dispatched: number;
  /** When the next pass is due by the durable queues (ms), or null when nothing is scheduled. */
  nextAt: number | null;
}

/** Result of `testChannel`. */
export interface ChannelTestResult {
  ok: boolean;
  error: string | null;
  permanent: boolean;
}

const BATCH = 5000;
/** Shortest sleep after a pass that did nothing. */
const MIN_IDLE_WAIT_MS = 50;

/** Runs alerting: `start()` to run on timers, `stop()` to finish in-flight deliveries, `tick()` for one pass. */
export class AlertEngine {
  private readonly store: Store;
  private readonly alerts: AlertStore;
  private readonly clock: Clock;
  private readonly log: AlertLogger;
  private readonly settings: AlertSettings;
  private readonly fetchFn: typeof fetch;
  private readonly nodeId: string;
  private readonly sendTimeoutMs: number;
  private readonly maxSleepMs: number;
  private readonly maxInflight: number;
  private readonly expiredState: CheckState;
  private readonly random: () => number;
  private readonly onAttempt: DeliveryObserver | undefined;
  private readonly inflight = new Set<Promise<void>>();
  /** Deliveries this node is sending: never claimed again by this node, even if their lease ran out. */
  private readonly sending = new Set<number>();
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private passing: Promise<TickReport> | null = null;
  private again = false;

  constructor(opts: AlertEngineOptions) {
    this.store = opts.store;
    this.alerts = opts.alertStore;
    this.clock = opts.clock;
    this.log = opts.logger;
    this.settings = opts.settings ?? DEFAULT_ALERT_SETTINGS;
    this.fetchFn = opts.fetch ?? fetch;
    this.nodeId = opts.nodeId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.sendTimeoutMs = opts.sendTimeoutMs ?? 10_000;
    this.maxSleepMs = opts.maxSleepMs ?? 1000;
    this.maxInflight = opts.maxInflight ?? 256;
    this.expiredState = this.settings.expiredState;
    this.random = opts.random ?? Math.random;
    this.onAttempt = opts.onAttempt;
  }

  /** Starts the loop (first pass at once). Idempotent. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Stops the loop and waits for the pass and the deliveries in flight. Idempotent. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.passing?.catch(() => undefined);
    await this.drain();
  }

  /** Asks for a pass as soon as possible (e.g. after ingest wrote flips). Cheap; safe to call often. */
  kick(): void {
    if (!this.running) return;
    if (this.passing) this.again = true;
    else this.schedule(0);
  }

  /** Resolves when every delivery in flight has been recorded. */
  async drain(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  /** Runs one pass at clock.now(): expire, take, remind, decide, dispatch. Deliveries continue in the background. */
  tick(): Promise<TickReport> {
    if (this.passing) return this.passing;
    this.passing = this.pass().finally(() => { this.passing = null; });
    return this.passing;
  }

  /** Sends a test message through a channel now (not recorded, not retried, never disables it). */
  async testChannel(name: string): Promise<ChannelTestResult> {
    const channel = await this.alerts.getChannel(name);
    if (!channel) return { ok: false, error: `no channel named "${name}"`, permanent: true };
    const now = this.clock.now();
    const event: NotifyEvent = {
      key: `test:${now}`, kind: 'test', at: now, projectId: null, project: null, hostName: null, checkName: null, oldState: null,
      state: 'OK', reason: null, title: `Test message for channel ${name}`, message: 'If you can read this, the channel works.', tags: [],
    };
    try {
      await sendVia(channel, buildMessage([event]), { fetch: this.fetchFn, timeoutMs: this.sendTimeoutMs });
      return { ok: true, error: null, permanent: false };
    } catch (err) {
      return { ok: false, error: errorText(err), permanent: isPermanentFailure(err) };
    }
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.tick().then((report) => {
        const again = this.again;
        this.again = false;
        const progressed = report.expired + report.taken + report.decided + report.reminders + report.dispatched > 0;
        let wait = again ? 0 : report.nextAt === null ? this.maxSleepMs : report.nextAt - this.clock.now();
        // Never spin: a pass that changed nothing waits a little even if something claims to be due.
        if (!progressed && !again) wait = Math.max(wait, MIN_IDLE_WAIT_MS);
        this.schedule(Math.max(0, Math.min(this.maxSleepMs, wait)));
      }, (err: unknown) => {
        this.log.error({ err }, 'alert engine pass failed');
        this.schedule(this.maxSleepMs);
      });
    }, delayMs);
    this.timer.unref?.();
  }

  private async pass(): Promise<TickReport> {
    const report: TickReport = { expired: 0, taken: 0, decided: 0, reminders: 0, dispatched: 0, nextAt: null };
    let wakeAt: number | null = null;
    const wake = (t: number | null): void => {
      if (t !== null) wakeAt = wakeAt === null ? t : Math.min(wakeAt, t);
    };
    // 1. Expire checks whose deadline passed (writes flips with reason "expired").
    for (;;) {
      const flips = await this.alerts.expireDue(this.clock.now(), BATCH, (c, now) => planExpiry(c, now, this.expiredState));
      report.expired += flips.length;
      if (flips.length < BATCH) break;
    }
    // 2. Take new flips and alerts (exactly-once claim) as held events.
    for (;;) {
      const n = await this.alerts.intake(this.nodeId, this.clock.now(), BATCH, (item) => planIntake(item, this.settings.reductionMs));
      report.taken += n;
      if (n < BATCH) break;
    }
    // 3. Reminders and "flapping stopped" (conditional per check).
    report.reminders = await this.remind();
    await this.reevaluateFlapping();
    // 4. Decide held events that are due.
    const decided = await this.decideHeld();
    report.decided = decided.count;
    wake(decided.wakeAt);
    // 5. Dispatch deliveries whose group window closed.
    const dispatched = await this.dispatch();
    report.dispatched = dispatched.count;
    wake(dispatched.wakeAt);
    wake(await this.alerts.nextDeadline());
    wake(await this.alerts.nextRelease());
    // Deliveries already due are either waiting for their group window (dispatch's wakeAt), or for
    // a free slot (a finishing delivery kicks the loop): only future retries set a wake time here.
    const nextDelivery = await this.alerts.nextDeliveryAt();
    if (nextDelivery !== null && nextDelivery > this.clock.now()) wake(nextDelivery);
    report.nextAt = wakeAt;
    return report;
  }

  private async channelSetup(): Promise<{ channels: StoredChannel[]; enabled: string[] }> {
    const channels = await this.alerts.listChannels();
    return { channels, enabled: channels.filter((c) => c.enabled).map((c) => c.name) };
  }

  private async decideHeld(): Promise<{ count: number; wakeAt: number | null }> {
    const now = this.clock.now();
    const held = await this.alerts.heldEvents(now, BATCH);
    if (held.length === 0) return { count: 0, wakeAt: null };
    const checkIds = [...new Set(held.map((e) => e.checkId).filter((id): id is number => id !== null))];
    const states = await this.alerts.checkStates(checkIds);
    const flipChecks = new Set(held.filter((e) => e.source === 'flip' && e.releaseAt <= now).map((e) => e.checkId as number));
    const flapHistories = await this.recentStates([...flipChecks]);
    const { enabled } = await this.channelSetup();
    const { batch, wakeAt } = decide({
      now, held, states, flapHistories, silences: await this.alerts.listSilences(), routes: await this.alerts.listRoutes(),
      channels: enabled, settings: this.settings,
    });
    const count = batch.decisions.length > 0 ? await this.alerts.applyDecisions(batch, now) : 0;
    return { count, wakeAt };
  }

  private async latestStates(checkId: number): Promise<CheckState[]> {
    return (await this.recentStates([checkId])).get(checkId) ?? [];
  }

  // The newest results of each check, oldest first: one query when the alert store offers it.
  private async recentStates(checkIds: number[]): Promise<Map<number, CheckState[]>> {
    const n = this.settings.flapWindow;
    if (this.alerts.recentStates) return this.alerts.recentStates(checkIds, n);
    const out = new Map<number, CheckState[]>();
    for (const id of checkIds) {
      const page = await this.store.history.stateReports(id, { limit: n });
      out.set(id, page.items.map((r) => r.state).reverse());
    }
    return out;
  }

  private async remind(): Promise<number> {
    const now = this.clock.now();
    const due = await this.alerts.dueReminders(now, BATCH);
    let sent = 0;
    for (const st of due) {
      const check = await this.store.checks.get(st.checkId);
      const next = check ? nextReminderAt({ state: check.state, lastNotifiedAt: now, acked: st.ackedAt !== null, flapping: st.flapping }, this.settings.reminderIntervalMs) : null;
      if (!check || next === null) {
        await this.alerts.patchCheckState(st.checkId, { nextReminderAt: st.nextReminderAt }, { nextReminderAt: null });
        continue;
      }
      const project = await this.store.projects.get(check.projectId);
      const event: NotifyEvent = {
        key: `reminder:${check.id}:${now}`, kind: 'reminder', at: now, projectId: check.projectId, project: project?.name ?? null,
        hostName: check.hostName, checkName: check.name, oldState: check.state, state: check.state, reason: null,
        title: `${check.hostName}/${check.name}: still ${check.state}`, message: check.info, tags: check.tags,
      };
      const ok = await this.alerts.patchCheckState(st.checkId, { nextReminderAt: st.nextReminderAt },
        { nextReminderAt: next, lastNotifiedAt: now }, { checkId: check.id, event, releaseAt: now });
      if (ok) sent++;
    }
    return sent;
  }

  private async reevaluateFlapping(): Promise<void> {
    const now = this.clock.now();
    const flapSettings = { window: this.settings.flapWindow, high: this.settings.flapHigh, low: this.settings.flapLow };
    for (const st of await this.alerts.dueFlapEvaluations(now, BATCH)) {
      const expected = { flapping: st.flapping, nextFlapEvalAt: st.nextFlapEvalAt };
      const check = await this.store.checks.get(st.checkId);
      if (!check || !st.flapping) {
        await this.alerts.patchCheckState(st.checkId, expected, { nextFlapEvalAt: null });
        continue;
      }
      const percent = percentStateChange(await this.latestStates(check.id), this.settings.flapWindow);
      if (flapTransition(true, percent, flapSettings) !== 'stopped') {
        await this.alerts.patchCheckState(st.checkId, expected, { nextFlapEvalAt: now + FLAP_EVAL_INTERVAL_MS });
        continue;
      }
      const project = await this.store.projects.get(check.projectId);
      const event: NotifyEvent = {
        key: `flapping-stopped:${check.id}:${now}`, kind: 'flapping-stopped', at: now, projectId: check.projectId,
        project: project?.name ?? null, hostName: check.hostName, checkName: check.name, oldState: st.notifiedState, state: check.state,
        reason: null, title: `${check.hostName}/${check.name}: flapping stopped, now ${check.state}`, message: check.info, tags: check.tags,
      };
      await this.alerts.patchCheckState(st.checkId, expected, {
        flapping: false, nextFlapEvalAt: null, notifiedState: check.state, lastNotifiedAt: now,
        nextReminderAt: nextReminderAt({ state: check.state, lastNotifiedAt: now, acked: st.ackedAt !== null, flapping: false }, this.settings.reminderIntervalMs),
      }, { checkId: check.id, event, releaseAt: now });
    }
  }

  private async dispatch(): Promise<{ count: number; wakeAt: number | null }> {
    const now = this.clock.now();
    const room = this.maxInflight - this.inflight.size;
    if (room <= 0) return { count: 0, wakeAt: null };
    // Fetch a few times what can be sent now: enough to fill groups, without re-reading thousands per pass.
    const limit = Math.min(BATCH, room * 4 + this.sending.size);
    const fetched = await this.alerts.dueDeliveries(now, limit);
    const due = fetched.filter((d) => !this.sending.has(d.id));
    if (due.length === 0) return { count: 0, wakeAt: null };
    const grouped = readyGroups(due.map((d) => ({ id: d.id, channel: d.channel, groupKey: d.groupKey, createdAt: d.createdAt })),
      now, this.settings.groupWindowMs);
    const byId = new Map(due.map((d) => [d.id, d]));
    const { channels } = await this.channelSetup();
    const byName = new Map(channels.map((c) => [c.name, c]));
    const { ready } = grouped;
    // More may be due beyond what was read: look again at once if there is room for them.
    const wakeAt = fetched.length === limit && ready.length < room ? now : grouped.wakeAt;
    // One conditional claim for every ready group (one transaction), then one send per group.
    const groups = ready.slice(0, room);
    const leaseUntil = now + 2 * this.sendTimeoutMs + 30_000;
    const claimed = new Set(await this.alerts.claimDeliveries(groups.flatMap((g) => g.ids), this.nodeId, now, leaseUntil));
    let count = 0;
    for (const group of groups) {
      const deliveries = group.ids.filter((id) => claimed.has(id)).map((id) => byId.get(id) as Delivery);
      if (deliveries.length === 0) continue;
      for (const d of deliveries) this.sending.add(d.id);
      const p = this.deliver(byName.get(group.channel) ?? null, group.channel, deliveries, leaseUntil)
        .catch((err: unknown) => this.log.error({ err, channel: group.channel }, 'recording a delivery failed'))
        .finally(() => {
          this.inflight.delete(p);
          for (const d of deliveries) this.sending.delete(d.id);
          // Refill when half the slots are free (not after every single delivery).
          if (this.inflight.size <= this.maxInflight / 2) this.kick();
        });
      this.inflight.add(p);
      count++;
    }
    return { count, wakeAt };
  }

  private async deliver(channel: StoredChannel | null, name: string, deliveries: Delivery[], leaseUntil: number): Promise<void> {
    const started = performance.now();
    let status: AttemptResult['status'] = 'ok';
    let error: string | null = null;
    if (!channel || !isChannelType(channel.type)) {
      status = 'permanent';
      error = `no channel named "${name}"`;
    } else if (!channel.enabled) {
      status = 'permanent';
      error = `channel "${name}" is disabled`;
    } else {
      const events = deliveries.map((d) => d.event).sort((a, b) => a.at - b.at);
      try {
        await sendVia(channel, buildMessage(events), { fetch: this.fetchFn, timeoutMs: this.sendTimeoutMs });
      } catch (err) {
        status = isPermanentFailure(err) ? 'permanent' : 'transient';
        error = errorText(err);
      }
    }
    const now = this.clock.now();
    const durationMs = performance.now() - started;
    const results: AttemptResult[] = deliveries.map((d) => {
      const attempt = d.attempts + 1;
      const retryAt = status === 'transient' && attempt < this.settings.maxAttempts
        ? now + backoffDelay(attempt, { baseMs: this.settings.backoffBaseMs, maxMs: this.settings.backoffMaxMs }, this.random)
        : null;
      return { deliveryId: d.id, channel: name, status, error, durationMs, retryAt };
    });
    await this.recordAttempts(results, now, leaseUntil);
    this.onAttempt?.(name, status, durationMs / 1000, deliveries.length);
    if (status === 'transient') this.log.warn({ channel: name, error, deliveries: deliveries.length }, 'delivery failed, will retry');
    if (status === 'permanent' && channel?.enabled) await this.disableChannel(name, error ?? 'permanent failure', now);
  }

  // The message went out (or failed): record it. While the store is unavailable (a PostgreSQL restart),
  // try again until it is back, the engine stops or the lease ends; giving up at once would leave the
  // delivery leased, and whoever takes it after the lease would send it a second time.
  private async recordAttempts(results: AttemptResult[], now: number, leaseUntil: number): Promise<void> {
    for (let waitMs = 200; ; waitMs = Math.min(waitMs * 2, 2000)) {
      try {
        await this.alerts.recordAttempts(results, now);
        return;
      } catch (err) {
        const unavailable = err instanceof OverseeError && err.code === 'OVS_ERR_UNAVAILABLE';
        if (!unavailable || !this.running || this.clock.now() + waitMs >= leaseUntil) throw err;
        await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
    }
  }

  // A permanent failure disables the channel once (conditional update) and raises an alert about it,
  // which reaches the other channels through the normal routes.
  private async disableChannel(name: string, reason: string, now: number): Promise<void> {
    if (!(await this.alerts.setChannelEnabled(name, false, reason, now))) return;
    const cancelled = await this.alerts.cancelDeliveries(name, `channel disabled: ${reason}`, now);
    this.log.error({ channel: name, reason, cancelled }, 'channel disabled after a permanent failure');
    const project = await this.store.projects.getByName('default') ?? (await this.store.projects.list())[0];
    if (!project) return;
    await this.store.ingest.raiseAlerts([{
      projectId: project.id, hostId: null, checkName: null, at: now, source: CHANNEL_ALERT_SOURCE,
      title: `Channel ${name} disabled`, message: `Disabled after a permanent delivery failure: ${reason}. Fix it and re-enable it.`,
    }]);
  }
}

