// One decision pass over held events (pure): reduction, flapping, silences and routing, producing
// what the store writes atomically. Reminders and "flapping stopped" are decided in engine passes.
import type { CheckState } from '../domain/types.js';
import type { NotifyEvent } from '../notify/types.js';
import { flapTransition, percentStateChange } from './flapping.js';
import { reduceChanges, type HeldChange } from './reduction.js';
import { nextReminderAt } from './reminders.js';
import { channelsFor } from './routing.js';
import { findSilence } from './silences.js';
import type { AlertEvent, CheckAlertState, CheckStatePatch, DecisionBatch, EventDecision } from './store-types.js';
import { defaultCheckState } from './store-types.js';
import type { AlertSettings, Route, Silence } from './types.js';

/** How often a flapping check is re-evaluated for "flapping stopped". */
export const FLAP_EVAL_INTERVAL_MS = 30_000;

/** Everything a decision pass reads. */
export interface DecideInput {
  now: number;
  /** Held events (see AlertStore.heldEvents), any order. */
  held: readonly AlertEvent[];
  states: ReadonlyMap<number, CheckAlertState>;
  /** The latest results of each check with held flips, oldest first (for flap detection). */
  flapHistories: ReadonlyMap<number, readonly CheckState[]>;
  silences: readonly Silence[];
  routes: readonly Route[];
  /** Names of enabled channels. */
  channels: readonly string[];
  settings: AlertSettings;
}

/** The messages' grouping key: the host, or the project for host-less events. */
export function groupKeyOf(event: NotifyEvent): string {
  return event.hostName !== null ? `host:${event.project ?? ''}/${event.hostName}` : `project:${event.project ?? ''}`;
}

/** Silence and routing for one event that is to be notified. */
export function routeEvent(event: NotifyEvent, input: Pick<DecideInput, 'silences' | 'routes' | 'channels'>): Omit<EventDecision, 'eventId'> {
  const groupKey = groupKeyOf(event);
  const silence = findSilence(input.silences, { project: event.project, hostName: event.hostName, checkName: event.checkName }, event.at);
  if (silence) return { status: 'silenced', note: `silence ${silence.id}${silence.comment ? `: ${silence.comment}` : ''}`, channels: [], groupKey };
  const enabled = new Set(input.channels);
  const channels = channelsFor(input.routes, input.channels, event).filter((c) => enabled.has(c));
  if (channels.length === 0) return { status: 'unrouted', note: 'no route or channel', channels: [], groupKey };
  return { status: 'routed', note: null, channels, groupKey };
}

/** Decides the held events that are due at `now`; returns the batch and when to look again. */
export function decide(input: DecideInput): { batch: DecisionBatch; wakeAt: number | null } {
  const { now, settings } = input;
  const batch: DecisionBatch = { decisions: [], created: [], patches: new Map() };
  let wakeAt: number | null = null;
  const wake = (t: number | null): void => {
    if (t !== null) wakeAt = wakeAt === null ? t : Math.min(wakeAt, t);
  };
  const byCheck = new Map<number, AlertEvent[]>();
  for (const e of [...input.held].sort((a, b) => a.id - b.id)) {
    if (e.checkId === null) {
      if (e.releaseAt <= now) batch.decisions.push({ eventId: e.id, ...routeEvent(e.event, input) });
      else wake(e.releaseAt);
      continue;
    }
    const list = byCheck.get(e.checkId) ?? [];
    list.push(e);
    byCheck.set(e.checkId, list);
  }

  for (const [checkId, events] of byCheck) {
    const state = input.states.get(checkId) ?? defaultCheckState(checkId);
    const patch: CheckStatePatch = {};
    let flapping = state.flapping;
    let flapChecked = false;
    const flips = events.filter((e) => e.source === 'flip');
    const delay = state.reductionMs ?? settings.reductionMs;
    const changes: HeldChange[] = flips.map((e) => ({
      id: e.id, at: e.event.at, oldState: e.event.oldState ?? 'OK', newState: e.event.state ?? 'OK',
    }));
    const verdict = reduceChanges(changes, now, delay);
    wake(verdict.wakeAt);
    for (const id of verdict.drop) {
      batch.decisions.push({ eventId: id, status: 'dropped', note: `reverted within ${delay / 1000} s (reduction)`, channels: [], groupKey: '' });
    }
    const released = new Set(verdict.release);
    for (const e of flips) {
      if (!released.has(e.id)) continue;
      // 1. Flapping: judged once per pass on the check's latest results.
      if (!flapChecked) {
        flapChecked = true;
        const history = input.flapHistories.get(checkId) ?? [];
        const percent = percentStateChange(history, settings.flapWindow);
        if (flapTransition(flapping, percent, { window: settings.flapWindow, high: settings.flapHigh, low: settings.flapLow }) === 'started') {
          flapping = true;
          patch.flapping = true;
          patch.nextFlapEvalAt = now + FLAP_EVAL_INTERVAL_MS;
          patch.nextReminderAt = null;
          const started: NotifyEvent = {
            ...e.event, key: `flapping-started:${e.id}`, kind: 'flapping-started', at: now, reason: null,
            title: `${e.event.hostName ?? ''}/${e.event.checkName ?? ''}: flapping started (${percent.toFixed(1)} % state change)`,
            message: `Further changes are not notified until the check is stable. Last change: ${e.event.title}`,
          };
          batch.created.push({ checkId, event: started, releaseAt: now, decision: routeEvent(started, input) });
        }
      }
      if (flapping) {
        batch.decisions.push({ eventId: e.id, status: 'flapping', note: 'check is flapping', channels: [], groupKey: '' });
        continue;
      }
      // 2. Silences and routes.
      const d = routeEvent(e.event, input);
      batch.decisions.push({ eventId: e.id, ...d });
      const newState = e.event.state ?? 'OK';
      if (d.status === 'routed') {
        patch.notifiedState = newState;
        patch.lastNotifiedAt = now;
      }
      patch.nextReminderAt = nextReminderAt({ state: newState, lastNotifiedAt: now, acked: false, flapping: false }, settings.reminderIntervalMs);
    }
    // 3. Other events of the check (direct alerts, engine events) are not reduced.
    for (const e of events) {
      if (e.source === 'flip') continue;
      if (e.releaseAt <= now) batch.decisions.push({ eventId: e.id, ...routeEvent(e.event, input) });
      else wake(e.releaseAt);
    }
    if (Object.keys(patch).length > 0) batch.patches.set(checkId, patch);
  }
  return { batch, wakeAt };
}
