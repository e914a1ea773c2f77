// Default places for the agent's and the monitor's on-disk state (outbox, failing state).
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** `$XDG_STATE_HOME/oversee` or `~/.local/state/oversee`. */
export function stateRoot(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env['XDG_STATE_HOME'];
  return join(xdg && xdg !== '' ? xdg : join(homedir(), '.local', 'state'), 'oversee');
}

/** A state directory per monitor config file, so two monitors never share an outbox. */
export function monitorStateDir(configPath: string, env: NodeJS.ProcessEnv = process.env): string {
  const abs = resolve(configPath);
  const hash = createHash('sha256').update(abs).digest('hex').slice(0, 12);
  return join(stateRoot(env), `monitor-${hash}`);
}
