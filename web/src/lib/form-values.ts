// Form values without the DOM: a server error mapped to the field it names, and the text ↔ list/map
// conversions of the settings forms.
import { ApiError } from './api.js';

/** Errors of one form: by field name, plus '' for an error that names no field of the form. */
export type FieldErrors = Record<string, string>;

/**
 * Splits a server error into the form field it names and the message. The API words validation
 * errors as `field: problem` (`to[0]: …`, `headers.X: …`); the field is the part before the first
 * `.` or `[` when it is one of `fields`, else the error belongs to the whole form ('').
 */
export function errorsFrom(err: unknown, fields: readonly string[]): FieldErrors {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof ApiError && err.code === 'OVS_ERR_VALIDATION') {
    const m = /^([A-Za-z_][\w.[\]-]*): (.*)$/s.exec(message);
    const base = m?.[1]?.split(/[.[]/)[0];
    if (m && base !== undefined && fields.includes(base)) return { [base]: message };
  }
  return { '': message };
}

/** "a, b\nc" → ['a', 'b', 'c'] (commas or new lines; blanks dropped). */
export function splitList(text: string): string[] {
  return text.split(/[,\n]/).map((s) => s.trim()).filter(Boolean);
}

/** "K: v" / "K=v" lines → a map (the separator is the first `sep`). */
export function parseMap(text: string, sep: ':' | '='): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf(sep);
    if (line.trim() === '') continue;
    if (i <= 0) out[line.trim()] = '';
    else out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}

/** A map → "K: v" / "K=v" lines. */
export function formatMap(map: unknown, sep: ':' | '='): string {
  if (typeof map !== 'object' || map === null) return '';
  return Object.entries(map as Record<string, unknown>).map(([k, v]) => `${k}${sep === ':' ? ': ' : '='}${String(v)}`).join('\n');
}
