// Persisted failing state of goma monitors (goma kept it only in memory): monitor name → time (ms)
// the failure began. Written atomically on every change so a restart does not re-fire `fail`.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** A small JSON-file map, written with rename for atomicity. */
export class FailStateStore {
  private readonly path: string | undefined;
  private state: Record<string, number> = {};

  /** `path` undefined keeps state in memory only. */
  constructor(path: string | undefined) {
    this.path = path;
    if (path !== undefined && existsSync(path)) {
      try {
        const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
        if (typeof parsed === 'object' && parsed !== null) {
          for (const [k, v] of Object.entries(parsed)) if (typeof v === 'number') this.state[k] = v;
        }
      } catch {
        this.state = {};
      }
    }
  }

  /** When `monitor` started failing, if it is failing. */
  failingSince(monitor: string): number | undefined {
    return this.state[monitor];
  }

  /** Records a failure start (number) or a recovery (undefined). */
  set(monitor: string, since: number | undefined): void {
    if (since === undefined) delete this.state[monitor];
    else this.state[monitor] = since;
    if (this.path === undefined) return;
    mkdirSync(dirname(this.path), { recursive: true });
    writeFileSync(`${this.path}.tmp`, JSON.stringify(this.state));
    renameSync(`${this.path}.tmp`, this.path);
  }
}
