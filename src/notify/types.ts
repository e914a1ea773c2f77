// The contract between the alert engine and the notification channels (one folder per channel).
import type { CheckState, FlipReason } from '../domain/types.js';

/** What happened, from a reader's point of view. */
export type NotifyEventKind =
  | 'problem' | 'recovery' | 'change' | 'alert' | 'reminder'
  | 'flapping-started' | 'flapping-stopped' | 'channel-disabled' | 'test';

/** One event as the channels see it: self-contained, no store ids needed to render it. */
export interface NotifyEvent {
  /** Stable identity of the event ("flip:12", "alert:7", ...): receivers may de-duplicate by it. */
  key: string;
  kind: NotifyEventKind;
  /** When it happened (ms since the epoch). */
  at: number;
  projectId: number | null;
  /** Project name (routes and silences match on it). */
  project: string | null;
  hostName: string | null;
  checkName: string | null;
  oldState: CheckState | null;
  state: CheckState | null;
  reason: FlipReason | null;
  /** One line a human reads first. */
  title: string;
  /** Details: the check's info or the alert's text. */
  message: string;
  tags: string[];
}

/** One delivery: one or more events (grouped by host) rendered once for every channel type. */
export interface NotifyMessage {
  subject: string;
  /** Plain-text body, one paragraph per event. */
  text: string;
  hostName: string | null;
  /** The worst state among the events (null when none carries a state). */
  state: CheckState | null;
  events: NotifyEvent[];
}

/** What a channel gets besides its config; passed in by the composition root, never global. */
export interface NotifyContext {
  fetch: typeof fetch;
  /** Upper bound for one attempt (connect + send), in ms. */
  timeoutMs: number;
}

/** A failed delivery. `permanent` means retrying cannot help (the dispatcher disables the channel). */
export class DeliveryError extends Error {
  readonly permanent: boolean;
  constructor(message: string, permanent: boolean) {
    super(message);
    this.name = 'DeliveryError';
    this.permanent = permanent;
  }
}

/** Classifies any error thrown by a send: a DeliveryError says so itself, anything else is transient. */
export function isPermanentFailure(err: unknown): boolean {
  return err instanceof DeliveryError && err.permanent;
}

/** A channel type: validates its config and delivers messages. `C` is its parsed config. */
export interface Notifier<C> {
  readonly type: string;
  /** Config fields that hold secrets: redacted when channels are listed. */
  readonly secretFields: readonly string[];
  /** Validates the type-specific fields; throws OVS_ERR_VALIDATION naming the field. */
  parseConfig(raw: Record<string, unknown>): C;
  /** Delivers one message; resolves when accepted, throws DeliveryError (or anything = transient). */
  send(config: C, message: NotifyMessage, ctx: NotifyContext): Promise<void>;
}
