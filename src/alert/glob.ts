// Shell-style name patterns for routes and silences: `*` any run, `?` one character, all else literal.

/** Compiles a glob into an anchored, case-sensitive RegExp. */
export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (const ch of pattern) {
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else re += ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

/** True when `value` matches `pattern` (null value matches only "*"). */
export function globMatch(pattern: string, value: string | null): boolean {
  if (pattern === '*') return true;
  return value !== null && globToRegExp(pattern).test(value);
}

/** True when `value` matches any of `patterns`; a null/empty list matches everything. */
export function anyGlob(patterns: readonly string[] | null, value: string | null): boolean {
  return patterns === null || patterns.length === 0 || patterns.some((p) => globMatch(p, value));
}
