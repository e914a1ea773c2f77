// Turning flips, alerts and expiries into alert events (pure).
import type { CheckState } from '../domain/types.js';
import { flipTitle } from '../notify/format.js';
import type { NotifyEvent, NotifyEventKind } from '../notify/types.js';
import type { IntakeItem } from './store-types.js';

/** Source name of alerts Oversee raises about its own channels. */
export const CHANNEL_ALERT_SOURCE = 'oversee.channel';

/** The kind of a state change: to OK is a recovery, from OK a problem, between bad states a change. */
export function changeKind(oldState: CheckState, newState: CheckState): NotifyEventKind {
  if (newState === 'OK') return 'recovery';
  return oldState === 'OK' ? 'problem' : 'change';
}

/** The event for an intake item and the time it may be released (reduction delays flips only). */
export function planIntake(item: IntakeItem, defaultReductionMs: number): { event: NotifyEvent; releaseAt: number } {
  if (item.source === 'flip') {
    const f = item.flip;
    const suffix = f.reason === 'reported' ? '' : ` (${f.reason})`;
    const event: NotifyEvent = {
      key: `flip:${f.id}`, kind: changeKind(f.oldState, f.newState), at: f.at, projectId: f.projectId, project: item.project,
      hostName: item.hostName, checkName: item.checkName, oldState: f.oldState, state: f.newState, reason: f.reason,
      title: flipTitle(item.hostName, item.checkName, f.oldState, f.newState) + suffix, message: f.info, tags: item.tags,
    };
    return { event, releaseAt: f.at + (item.reductionMs ?? defaultReductionMs) };
  }
  const a = item.alert;
  const where = [item.hostName, item.checkName].filter((s) => s !== null).join('/');
  const event: NotifyEvent = {
    key: `alert:${a.id}`, kind: a.source === CHANNEL_ALERT_SOURCE ? 'channel-disabled' : 'alert', at: a.at, projectId: a.projectId,
    project: item.project, hostName: item.hostName, checkName: item.checkName, oldState: null, state: null, reason: null,
    title: a.title || (where ? `${where}: alert` : 'alert'), message: a.message, tags: item.tags,
  };
  return { event, releaseAt: a.at };
}

/** New state and info of a check that missed its deadline: ERR (or `expiredState`) "No report for N s". */
export function planExpiry(check: { lastReportAt: number | null }, now: number, expiredState: CheckState = 'ERR'): { state: CheckState; info: string } {
  const info = check.lastReportAt === null ? 'No report' : `No report for ${Math.round((now - check.lastReportAt) / 1000)} s`;
  return { state: expiredState, info };
}
