// What the HTTP routes and CLI commands call: CRUD over channels, routes and silences, acknowledgement,
// and the alert and notification feeds. Input is validated here (OVS_ERR_VALIDATION naming the field);
// missing objects are OVS_ERR_NOT_FOUND, clashes OVS_ERR_CONFLICT.
import { invalid, OverseeError } from '../errors.js';
import { parseChannel, redactedConfig, restoreRedacted } from '../notify/registry.js';
import type { Page, Store, TimeFilter } from '../store/types.js';
import type { Clock } from '../util/clock.js';
import type { AlertingConfig } from './config.js';
import { parseRoute, parseSilence } from './config.js';
import { silenceExpired } from './silences.js';
import type { Route } from './types.js';
import type { AlertEvent, AlertStore, CheckAlertState, EventFilter, NotificationRecord, StoredChannel, StoredRoute, StoredSilence } from './store-types.js';

/** A channel as listed over the API: secrets replaced by "***". */
export interface ChannelView {
  name: string;
  type: string;
  enabled: boolean;
  disabledReason: string | null;
  origin: 'config' | 'api';
  updatedAt: number;
  config: Record<string, unknown>;
}

/** What AlertAdmin needs. */
export interface AlertAdminOptions {
  store: Store;
  alertStore: AlertStore;
  clock: Clock;
  /** Reminder interval (ms) resumed when an acknowledgement is removed; 0 = none. */
  reminderIntervalMs?: number;
}

const view = (c: StoredChannel): ChannelView => ({
  name: c.name, type: c.type, enabled: c.enabled, disabledReason: c.disabledReason, origin: c.origin, updatedAt: c.updatedAt,
  config: redactedConfig(c),
});

function notFound(what: string): OverseeError {
  return new OverseeError('OVS_ERR_NOT_FOUND', `${what} does not exist`);
}

/** Administration of alerting; every method is safe to expose to an editor/admin token. */
export class AlertAdmin {
  private readonly store: Store;
  private readonly alerts: AlertStore;
  private readonly clock: Clock;
  private readonly reminderIntervalMs: number;

  constructor(opts: AlertAdminOptions) {
    this.store = opts.store;
    this.alerts = opts.alertStore;
    this.clock = opts.clock;
    this.reminderIntervalMs = opts.reminderIntervalMs ?? 0;
  }

  /** Stores the channels, routes and silences of the config file, replacing the previous config's. */
  async applyConfig(config: AlertingConfig): Promise<void> {
    await this.alerts.replaceConfigured({ channels: config.channels, routes: config.routes, silences: config.silences }, this.clock.now());
  }

  /** Every channel, secrets redacted. */
  async listChannels(): Promise<ChannelView[]> {
    return (await this.alerts.listChannels()).map(view);
  }

  /** One channel; NOT_FOUND when missing. */
  async getChannel(name: string): Promise<ChannelView> {
    const c = await this.alerts.getChannel(name);
    if (!c) throw notFound(`channel "${name}"`);
    return view(c);
  }

  /** Creates a channel from `{name, type, enabled?, ...fields}`; CONFLICT when the name is taken. */
  async createChannel(raw: unknown): Promise<ChannelView> {
    const def = parseChannel(raw);
    if (await this.alerts.getChannel(def.name)) throw new OverseeError('OVS_ERR_CONFLICT', `channel "${def.name}" already exists`);
    const enabled = (raw as { enabled?: unknown }).enabled;
    if (enabled !== undefined && typeof enabled !== 'boolean') throw invalid('enabled', 'must be true or false');
    return view(await this.alerts.putChannel({ ...def, enabled: enabled ?? true, origin: 'api' }, this.clock.now()));
  }

  /** Replaces a channel's type and fields (the body's name, if any, must match); re-enables it when the config changed. */
  async updateChannel(name: string, raw: unknown): Promise<ChannelView> {
    const stored = await this.alerts.getChannel(name);
    if (!stored) throw notFound(`channel "${name}"`);
    const sent = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? raw as Record<string, unknown> : null;
    if (!sent) throw invalid('channel', 'must be an object');
    if (sent.name !== undefined && sent.name !== name) throw invalid('name', 'cannot be changed; create a new channel instead');
    const body = sent.type === stored.type || sent.type === undefined ? restoreRedacted(stored.type, sent, stored.config) : sent;
    const def = parseChannel({ ...body, name });
    const enabled = body.enabled;
    if (enabled !== undefined && typeof enabled !== 'boolean') throw invalid('enabled', 'must be true or false');
    return view(await this.alerts.putChannel({ ...def, enabled, origin: 'api' }, this.clock.now()));
  }

  /** Enables or disables a channel by hand. */
  async setChannelEnabled(name: string, enabled: boolean): Promise<ChannelView> {
    if (!(await this.alerts.getChannel(name))) throw notFound(`channel "${name}"`);
    await this.alerts.setChannelEnabled(name, enabled, enabled ? null : 'disabled by hand', this.clock.now());
    return this.getChannel(name);
  }

  /** Deletes a channel; CONFLICT while a route still names it. */
  async deleteChannel(name: string): Promise<void> {
    const users = (await this.alerts.listRoutes()).filter((r) => r.channels.includes(name)).map((r) => r.name);
    if (users.length > 0) throw new OverseeError('OVS_ERR_CONFLICT', `channel "${name}" is used by route(s) ${users.join(', ')}`);
    if (!(await this.alerts.deleteChannel(name))) throw notFound(`channel "${name}"`);
  }

  /** Every route in evaluation order. */
  listRoutes(): Promise<StoredRoute[]> {
    return this.alerts.listRoutes();
  }

  /** Creates a route; its channels must exist; at most one default route; CONFLICT when the name is taken. */
  async createRoute(raw: unknown): Promise<StoredRoute> {
    const route = parseRoute(raw);
    const routes = await this.alerts.listRoutes();
    if (routes.some((r) => r.name === route.name)) throw new OverseeError('OVS_ERR_CONFLICT', `route "${route.name}" already exists`);
    await this.checkRoute(route, routes);
    return this.alerts.putRoute(route, 'api');
  }

  /** Replaces a route by name. */
  async updateRoute(name: string, raw: unknown): Promise<StoredRoute> {
    const routes = await this.alerts.listRoutes();
    if (!routes.some((r) => r.name === name)) throw notFound(`route "${name}"`);
    const body = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? raw as Record<string, unknown> : null;
    if (!body) throw invalid('route', 'must be an object');
    if (body.name !== undefined && body.name !== name) throw invalid('name', 'cannot be changed');
    const route = parseRoute({ ...body, name });
    await this.checkRoute(route, routes.filter((r) => r.name !== name));
    return this.alerts.putRoute(route, 'api');
  }

  private async checkRoute(route: Route, others: StoredRoute[]): Promise<void> {
    const names = new Set((await this.alerts.listChannels()).map((c) => c.name));
    route.channels.forEach((c, i) => {
      if (!names.has(c)) throw invalid(`channels[${i}]`, `no channel named "${c}"`);
    });
    if (route.isDefault && others.some((r) => r.isDefault)) throw invalid('default', 'another route is already the default');
  }

  /** Deletes a route; NOT_FOUND when missing. */
  async deleteRoute(name: string): Promise<void> {
    if (!(await this.alerts.deleteRoute(name))) throw notFound(`route "${name}"`);
  }

  /** Silences, without those that can never be active again unless `includeExpired`. */
  async listSilences(opts: { includeExpired?: boolean } = {}): Promise<StoredSilence[]> {
    const now = this.clock.now();
    const all = await this.alerts.listSilences();
    return opts.includeExpired ? all : all.filter((s) => !silenceExpired(s, now));
  }

  /** Adds a silence from `{host, check, project, starts, ends | duration_s, recurrence, until, comment}`; starts defaults to now. */
  async addSilence(raw: unknown, createdBy: string): Promise<StoredSilence> {
    const body = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? raw as Record<string, unknown> : null;
    if (!body) throw invalid('silence', 'must be an object');
    const input = parseSilence({ starts: this.clock.now(), ...body, created_by: createdBy });
    return this.alerts.addSilence(input, 'api', this.clock.now());
  }

  /** Removes a silence; NOT_FOUND when missing. */
  async removeSilence(id: number): Promise<void> {
    if (!(await this.alerts.deleteSilence(id))) throw notFound(`silence ${id}`);
  }

  /** Acknowledges a check's current problem: no reminders until its state changes. CONFLICT when it is OK. */
  async ack(checkId: number, by: string, comment = ''): Promise<CheckAlertState> {
    const check = await this.store.checks.get(checkId);
    if (!check) throw notFound(`check ${checkId}`);
    if (check.state === 'OK') throw new OverseeError('OVS_ERR_CONFLICT', `check ${checkId} is OK: nothing to acknowledge`);
    const now = this.clock.now();
    await this.alerts.patchCheckState(checkId, {}, { ackedAt: now, ackedBy: by, ackComment: comment, nextReminderAt: null });
    return (await this.alerts.checkStates([checkId])).get(checkId) as CheckAlertState;
  }

  /** Sets a check's own reduction delay in seconds (okerr `reduction`), or null for the engine default. */
  async setReduction(checkId: number, seconds: number | null): Promise<CheckAlertState> {
    if (seconds !== null && (!Number.isInteger(seconds) || seconds < 0 || seconds > 86_400)) {
      throw invalid('reduction_s', 'must be an integer from 0 to 86400, or null');
    }
    if (!(await this.store.checks.get(checkId))) throw notFound(`check ${checkId}`);
    await this.alerts.patchCheckState(checkId, {}, { reductionMs: seconds === null ? null : seconds * 1000 });
    return (await this.alerts.checkStates([checkId])).get(checkId) as CheckAlertState;
  }

  /** Removes an acknowledgement; reminders resume one interval from now. */
  async unack(checkId: number): Promise<CheckAlertState> {
    const check = await this.store.checks.get(checkId);
    if (!check) throw notFound(`check ${checkId}`);
    const now = this.clock.now();
    const next = this.reminderIntervalMs > 0 && check.state !== 'OK' ? now + this.reminderIntervalMs : null;
    await this.alerts.patchCheckState(checkId, {}, { ackedAt: null, ackedBy: null, ackComment: null, nextReminderAt: next });
    return (await this.alerts.checkStates([checkId])).get(checkId) as CheckAlertState;
  }

  /**
   * The alert feed, newest first: every event with what became of it (routed, silenced, dropped, ...).
   * With `projectId` (or `projectIds`), only those projects' events (checked again here, so a store that ignored the
   * filter could shorten a page but never leak another project's events).
   */
  async events(filter: EventFilter): Promise<Page<AlertEvent>> {
    const page = await this.alerts.events(filter);
    const only = filter.projectId !== undefined ? [filter.projectId] : filter.projectIds;
    if (only === undefined) return page;
    return { ...page, items: page.items.filter((e) => e.event.projectId !== undefined && e.event.projectId !== null && only.includes(e.event.projectId)) };
  }

  /** Delivery attempts, newest first. */
  notifications(filter: TimeFilter & { channel?: string; eventId?: number }): Promise<Page<NotificationRecord>> {
    return this.alerts.notifications(filter);
  }
}
