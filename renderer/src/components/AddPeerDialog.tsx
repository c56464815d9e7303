// Adds a peer by host:port, for networks where multicast discovery does not reach. The node
// keeps the address and redials it; the peer shows in the list once it answers.
import { useState } from 'react';
import { useAppStore } from '../store/store-context';
import { Field } from './Field';
import { FormDialog } from './FormDialog';
import { useAction } from './use-action';

export function AddPeerDialog({ onClose }: { onClose(): void }) {
  const addPeer = useAppStore((s) => s.addPeer);
  const [address, setAddress] = useState('');
  const { busy, error, run } = useAction();

  const submit = async (): Promise<void> => {
    if ((await run(() => addPeer(address.trim()))).ok) onClose();
  };

  return (
    <FormDialog
      title="Add a peer by address"
      testId="add-peer-dialog"
      onClose={onClose}
      onSubmit={() => void submit()}
      submitLabel="Add peer"
      busyLabel="Adding…"
      busy={busy}
      canSubmit={address.trim() !== ''}
      error={error}
    >
      <Field
        label="Address"
        hint="The other device’s address and peer port, e.g. 192.168.1.20:47778. Its Settings page shows the port."
      >
        {({ id, describedBy }) => (
          <input
            id={id}
            type="text"
            value={address}
            onChange={(e) => setAddress(e.target.value)}
            aria-describedby={describedBy}
            aria-invalid={error !== null}
            placeholder="host:port"
            autoFocus
            autoComplete="off"
            spellCheck={false}
            data-testid="peer-address-input"
          />
        )}
      </Field>
    </FormDialog>
  );
}
