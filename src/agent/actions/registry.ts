// Every action type by name. Adding an action: its file plus one line here.
import { execAction } from './exec.js';
import { httpAction } from './http.js';
import { mailAction } from './mail.js';
import { pushAction } from './push.js';
import type { ActionFactory } from './types.js';

/** Action factories keyed by `type`. */
export const ACTIONS: ReadonlyMap<string, ActionFactory> = new Map<string, ActionFactory>(
  [execAction, httpAction, mailAction, pushAction].map((a) => [a.type, a]),
);
