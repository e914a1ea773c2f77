// Trust-on-first-use host authentication for the OverC API. Keys are user-chosen and may be weak,
// so they are stored as scrypt hashes (salted); comparisons use crypto.timingSafeEqual.
// A verified key is remembered in memory as its SHA-256 so that the hot path does not pay scrypt
// on every report; a changed or deleted host is re-read from the store.
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { OverseeError } from '../errors.js';
import type { HostKeyHash, HostWithKey, Store } from '../store/types.js';

const SCRYPT_N = 16_384;
const KEY_LEN = 32;

/** Hashes a host key with a fresh random salt. */
export async function hashHostKey(key: string): Promise<HostKeyHash> {
  const salt = randomBytes(16).toString('base64url');
  return { salt, hash: (await scryptAsync(key, salt)).toString('base64url') };
}

/** True when `key` matches the stored hash (constant-time comparison). */
export async function verifyHostKey(key: string, stored: HostKeyHash): Promise<boolean> {
  const expected = Buffer.from(stored.hash, 'base64url');
  const actual = await scryptAsync(key, stored.salt);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Authenticates (and on first use registers) hosts by name and key within a project. */
export class HostAuthenticator {
  private readonly verified = new Map<string, { hostId: number; digest: Buffer }>();

  constructor(private readonly store: Store, private readonly clock: { now(): number }, private readonly maxCached = 100_000) {}

  /** Returns the host id for a valid name/key pair; registers unknown names; OVS_ERR_BAD_SERVER_KEY on a wrong key. */
  async authenticate(projectId: number, name: string, key: string): Promise<number> {
    const cacheKey = `${projectId}\u0000${name}`;
    const digest = createHash('sha256').update(key).digest();
    const hit = this.verified.get(cacheKey);
    if (hit && timingSafeEqual(hit.digest, digest)) return hit.hostId;

    let host: HostWithKey | null = await this.store.hosts.getWithKey(projectId, name);
    if (!host) {
      const hashed = await hashHostKey(key);
      host = await this.store.hosts.register(projectId, name, hashed, this.clock.now());
      // A concurrent first report with another key may have won the registration: verify below.
    }
    if (!host.key) {
      // Created by a keyless protocol (OddEye tags, okerr): the first OverC key claims it.
      host = await this.store.hosts.claimKey(host.id, await hashHostKey(key));
      if (!host) throw new OverseeError('OVS_ERR_NOT_FOUND', `host "${name}" was deleted while being claimed`);
    }
    if (!host.key || !(await verifyHostKey(key, host.key))) {
      throw new OverseeError('OVS_ERR_BAD_SERVER_KEY', 'Invalid server key');
    }
    if (this.verified.size >= this.maxCached) this.verified.clear();
    this.verified.set(cacheKey, { hostId: host.id, digest });
    return host.id;
  }

  /** Drops what is remembered about a host (after it was deleted or failed to resolve). */
  forget(projectId: number, name: string): void {
    this.verified.delete(`${projectId}\u0000${name}`);
  }
}

function scryptAsync(key: string, salt: string): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(key, salt, KEY_LEN, { N: SCRYPT_N, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }, (err, buf) => (err ? reject(err) : resolve(buf))));
}
