// Alerting: the public surface for the composition root, the HTTP routes and the CLI.
//
// Composition root (serve):
//   const alerting = parseAlertingConfig(config.raw);                 // throws ConfigError naming the key
//   const alertStore = openSqliteAlertStore(sqliteStore);             // src/store/sqlite/alerting.ts, migrations module 'alerting'
//   const admin = new AlertAdmin({ store, alertStore, clock, reminderIntervalMs: alerting.settings.reminderIntervalMs });
//   await admin.applyConfig(alerting);                                // config channels/routes/silences replace the previous config's
//   const engine = new AlertEngine({ store, alertStore, clock, logger, settings: alerting.settings, fetch, onAttempt });
//   engine.start();                                                   // one timer; wakes at the next deadline / release / retry, ≤ 1 s
//   ... after ingest wrote flips or alerts: engine.kick();            // optional: lower latency than the ≤ 1 s poll
//   on shutdown: await engine.stop();  then close the store.         // waits for deliveries in flight
//
// Routes / CLI (all on AlertAdmin; errors are OverseeError with stable codes):
//   listChannels() · getChannel(name) · createChannel(body) · updateChannel(name, body) · setChannelEnabled(name, bool) · deleteChannel(name)
//   listRoutes() · createRoute(body) · updateRoute(name, body) · deleteRoute(name)
//   listSilences({includeExpired}) · addSilence(body, createdBy) · removeSilence(id)
//   ack(checkId, by, comment) · unack(checkId) · setReduction(checkId, seconds | null)
//   events({limit, cursor, from, to, checkId, status, projectId}) — the alert feed (`oversee alerts`)
//   notifications({limit, cursor, from, to, channel, eventId}) — delivery attempts
//   `oversee channel test NAME` → engine.testChannel(name) → {ok, error, permanent}
export { AlertAdmin, type AlertAdminOptions, type ChannelView } from './admin.js';
export { parseAlertingConfig, parseAlertSettings, parseRoute, parseSilence, type AlertingConfig, type ConfiguredChannel } from './config.js';
export { AlertEngine, type AlertEngineOptions, type AlertLogger, type ChannelTestResult, type DeliveryObserver, type TickReport } from './engine.js';
export type { AlertEvent, AlertStore, CheckAlertState, EventFilter, EventStatus, NotificationRecord, StoredChannel, StoredRoute, StoredSilence } from './store-types.js';
export { HEARTBEAT_POLICIES, heartbeatPolicy, type HeartbeatPolicy } from './policies.js';
export { DEFAULT_ALERT_SETTINGS, type AlertSettings, type Route, type Silence, type SilenceInput } from './types.js';
