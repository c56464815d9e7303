// Asks before an action that changes a room or a peer; runs it, and when the node refuses,
// keeps the dialog open with the node's reason so the user can read it and try again.
import type { ReactNode } from 'react';
import type { Outcome } from '../store/outcome';
import { Dialog } from './Dialog';
import { useAction } from './use-action';

export interface ConfirmDialogProps {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  /** Red confirm button for actions that take something away. */
  danger?: boolean;
  onConfirm(): Promise<Outcome>;
  onClose(): void;
}

export function ConfirmDialog(props: ConfirmDialogProps) {
  const { title, children, confirmLabel, danger, onConfirm, onClose } = props;
  const { busy, error, run } = useAction();

  const confirm = async (): Promise<void> => {
    if ((await run(onConfirm)).ok) onClose();
  };

  return (
    <Dialog title={title} onClose={onClose} testId="confirm-dialog">
      <div className="dialog-body">{children}</div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" className="secondary" onClick={onClose}>
          Cancel
        </button>
        <button
          type="button"
          className={danger ? 'danger' : undefined}
          onClick={() => void confirm()}
          disabled={busy}
          autoFocus
        >
          {busy ? 'Working…' : confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
