// Form pieces for the settings editors: a labelled field that shows the server's validation error
// next to itself (aria-invalid + aria-describedby), and the mapping of an API error to a field.
import type { ComponentChildren, JSX } from 'preact';
import type { FieldErrors } from './lib/form-values.js';

/** The DOM-free form helpers, for the pages that import the components from here. */
export { errorsFrom, formatMap, parseMap, splitList, type FieldErrors } from './lib/form-values.js';

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
