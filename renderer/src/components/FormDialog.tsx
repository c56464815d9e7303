// A dialog holding one form: its fields, the node's refusal if any, and Cancel / submit.
// Enter in a field submits; Escape or Cancel closes without doing anything.
import type { FormEvent, ReactNode } from 'react';
import { Dialog } from './Dialog';
import { FormError } from './Field';

export interface FormDialogProps {
  title: string;
  testId: string;
  onClose(): void;
  onSubmit(): void;
  submitLabel: string;
  busyLabel: string;
  busy: boolean;
  canSubmit: boolean;
  error: string | null;
  children: ReactNode;
}

export function FormDialog(props: FormDialogProps) {
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (props.canSubmit && !props.busy) props.onSubmit();
  };
  return (
    <Dialog title={props.title} onClose={props.onClose} testId={props.testId}>
      <form onSubmit={submit} noValidate>
        {props.children}
        <FormError error={props.error} />
        <div className="dialog-actions">
          <button type="button" className="secondary" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" disabled={props.busy || !props.canSubmit}>
            {props.busy ? props.busyLabel : props.submitLabel}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
