// Minimal cookie parsing and Set-Cookie formatting for the session cookie (one cookie, so a
// dependency such as @fastify/cookie would bring more than it saves).

/** Name of the session cookie. */
export const SESSION_COOKIE = 'oversee_session';

/** The value of cookie `name` from a Cookie header, or null. */
export function readCookie(header: string | undefined, name: string): string | null {
  if (header === undefined) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const raw = part.slice(eq + 1).trim();
    try {
      return decodeURIComponent(raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw);
    } catch {
      return null;
    }
  }
  return null;
}

/** Set-Cookie value for the session: HttpOnly, SameSite=Lax, Path=/, Secure when `secure`; maxAge 0 clears it. */
export function sessionCookie(value: string, maxAgeS: number, secure: boolean): string {
  const parts = [`${SESSION_COOKIE}=${encodeURIComponent(value)}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${Math.max(0, Math.floor(maxAgeS))}`];
  if (secure) parts.push('Secure');
  return parts.join('; ');
}
