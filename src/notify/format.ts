// Renders events into one message (subject + plain text) shared by every channel type.
import type { CheckState } from '../domain/types.js';
import type { NotifyEvent, NotifyMessage } from './types.js';

const SEVERITY: Record<CheckState, number> = { ERR: 3, WARN: 2, UNK: 1, OK: 0 };

/** The worst of the given states (ERR > WARN > UNK > OK), or null for none. */
export function worstState(states: readonly (CheckState | null)[]): CheckState | null {
  let worst: CheckState | null = null;
  for (const s of states) if (s !== null && (worst === null || SEVERITY[s] > SEVERITY[worst])) worst = s;
  return worst;
}

/** One message for one or more events (all of one host when grouped); events keep their order. */
export function buildMessage(events: readonly NotifyEvent[]): NotifyMessage {
  if (events.length === 0) throw new Error('buildMessage: no events');
  const first = events[0] as NotifyEvent;
  const hosts = new Set(events.map((e) => e.hostName));
  const hostName = hosts.size === 1 ? first.hostName : null;
  const state = worstState(events.map((e) => e.state));
  const subject = events.length === 1
    ? first.title
    : `${hostName ?? 'several hosts'}: ${events.length} events${state ? ` (worst ${state})` : ''}`;
  const text = events
    .map((e) => `${new Date(e.at).toISOString()} ${e.title}${e.message ? `\n${e.message}` : ''}`)
    .join('\n\n');
  return { subject, text, hostName, state, events: [...events] };
}

/** The title of a state change, e.g. `web1/disk: OK -> ERR`. */
export function flipTitle(hostName: string, checkName: string, oldState: CheckState, newState: CheckState): string {
  return `${hostName}/${checkName}: ${oldState} -> ${newState}`;
}
