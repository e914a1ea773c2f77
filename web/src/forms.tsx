// Form pieces for the settings editors: a labelled field that shows the server's validation error
// next to itself (aria-invalid + aria-describedby), and the mapping of an API error to a field.
import type { ComponentChildren, JSX } from 'preact';
import { ApiError } from './lib/api.js';

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

/** A labelled control with its error underneath; `id` must be unique on the page. */
export function Field({ id, label, error, hint, children }: {
  id: string; label: string; error?: string | undefined; hint?: string; children: (attrs: { id: string; 'aria-invalid'?: 'true'; 'aria-describedby'?: string }) => ComponentChildren;
}): JSX.Element {
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class={`field${error ? ' has-error' : ''}`} data-field={id}>
      <label for={id}>{label}</label>
      {children({ id, ...(error ? { 'aria-invalid': 'true' as const } : {}), ...(described ? { 'aria-describedby': described } : {}) })}
      {hint ? <span class="hint muted small" id={`${id}-hint`}>{hint}</span> : null}
      {error ? <span class="field-error" id={`${id}-error`} role="alert">⚠ {error}</span> : null}
    </div>
  );
}

/** The error of the whole form (one that names no field), or nothing. */
export function FormError({ errors }: { errors: FieldErrors }): JSX.Element | null {
  return errors[''] ? <p class="error form-error" role="alert">⚠ {errors['']}</p> : null;
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

/** A group of checkboxes over `options`; the chosen ones in option order. */
export function CheckGroup({ legend, options, value, onChange, error, id }: {
  legend: string; options: readonly string[]; value: readonly string[]; onChange: (v: string[]) => void; error?: string | undefined; id: string;
}): JSX.Element {
  return (
    <fieldset class={`field checks${error ? ' has-error' : ''}`} data-field={id} aria-describedby={error ? `${id}-error` : undefined}>
      <legend>{legend}</legend>
      {options.length === 0 ? <span class="muted small">none available</span> : null}
      {options.map((o) => (
        <label key={o} class="check"><input type="checkbox" checked={value.includes(o)}
          onChange={(e) => onChange(options.filter((x) => (x === o ? e.currentTarget.checked : value.includes(x))))} /> {o}</label>
      ))}
      {error ? <span class="field-error" id={`${id}-error`} role="alert">⚠ {error}</span> : null}
    </fieldset>
  );
}
