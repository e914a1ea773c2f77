// The create/edit forms of the settings pages: their submit (busy while saving, the server's
// validation error shown on the field it names, a toast and onDone(true) once saved) and their buttons.
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { useServices } from '../../context.js';
import { errorsFrom, type FieldErrors } from '../../forms.js';

/** What useEditorSubmit gives a form. */
export interface EditorSubmit {
  errors: FieldErrors;
  setErrors: (e: FieldErrors) => void;
  busy: boolean;
  /** Runs `save` (it sends the request and returns the toast text); on an error the form shows it on one of `fields` (or above the form). */
  submit: (e: Event, fields: readonly string[], save: () => Promise<string>) => Promise<void>;
}

/** Submit state of a create/edit form that calls `onDone(true)` once saved. */
export function useEditorSubmit(onDone: (changed: boolean) => void): EditorSubmit {
  const { toast } = useServices();
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event, fields: readonly string[], save: () => Promise<string>): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    try {
      toast(await save());
      onDone(true);
    } catch (err) {
      setErrors(errorsFrom(err, fields));
    } finally {
      setBusy(false);
    }
  };
  return { errors, setErrors, busy, submit };
}

/** The submit button (disabled while busy) and Cancel (calls onDone(false)) of a create/edit form. */
export function EditorButtons({ busy, label, onDone }: { busy: boolean; label: string; onDone: (changed: boolean) => void }): JSX.Element {
  return (
    <div class="form-buttons">
      <button type="submit" class="btn primary" disabled={busy}>{label}</button>
      <button type="button" class="btn ghost" onClick={() => onDone(false)}>Cancel</button>
    </div>
  );
}
