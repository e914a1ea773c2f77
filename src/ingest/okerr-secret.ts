// Verification of the okerr `secret` field. A project's own okerr secret is user-chosen, so it is
// stored as a salted scrypt hash (like host keys); without one, the project's ingest token (the UUID
// OddEye agents also present) is the secret. Comparisons are constant-time. A verified secret is
// remembered as its SHA-256 so that the hot path does not pay scrypt on every update.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Project } from '../domain/types.js';
import { verifyHostKey } from './host-auth.js';
import type { OkerrSettings } from './okerr-repo.js';

/** Outcome of a secret check: okerr answers 400 `Require secret` / `Bad secret` to the last two. */
export type OkerrSecretVerdict = 'ok' | 'missing' | 'bad';

function sha256(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** Checks presented okerr secrets against project settings; one instance per server. */
export class OkerrSecretChecker {
  private readonly verified = new Map<string, Buffer>();

  constructor(private readonly maxCached = 10_000) {}

  /** Verifies `presented` for `project` under `settings`. */
  async check(project: Project, settings: OkerrSettings, presented: string | null): Promise<OkerrSecretVerdict> {
    if (presented === null || presented === '') return 'missing';
    const digest = sha256(presented);
    if (settings.secret === null) return timingSafeEqual(digest, sha256(project.ingestToken)) ? 'ok' : 'bad';
    const cacheKey = `${project.id}\u0000${settings.secret.salt}\u0000${settings.secret.hash}`;
    const hit = this.verified.get(cacheKey);
    if (hit !== undefined && timingSafeEqual(hit, digest)) return 'ok';
    if (!(await verifyHostKey(presented, settings.secret))) return 'bad';
    if (this.verified.size >= this.maxCached) this.verified.clear();
    this.verified.set(cacheKey, digest);
    return 'ok';
  }
}
