// Invites a known peer into a room: pick one of the peers that is not a member yet. The node
// seals the room key to them; they see the room when they are online.
import { useState } from 'react';
import type { RoomDetails } from '../../../shared/api';
import { sortedPeers } from '../store/peers-slice';
import { useAppStore } from '../store/store-context';
import { Field } from './Field';
import { FormDialog } from './FormDialog';
import { useAction } from './use-action';

export function InviteDialog({ details, onClose }: { details: RoomDetails; onClose(): void }) {
  const peersById = useAppStore((s) => s.peers.byId);
  const memberAction = useAppStore((s) => s.memberAction);
  const members = new Set(details.members.map((m) => m.deviceId));
  const candidates = sortedPeers(peersById).filter((p) => !members.has(p.deviceId));
  const [deviceId, setDeviceId] = useState(candidates[0]?.deviceId ?? '');
  const { busy, error, run } = useAction();

  const submit = async (): Promise<void> => {
    if ((await run(() => memberAction('invite', details.id, deviceId))).ok) onClose();
  };

  return (
    <FormDialog
      title={`Invite to ${details.name}`}
      testId="invite-dialog"
      onClose={onClose}
      onSubmit={() => void submit()}
      submitLabel="Invite"
      busyLabel="Inviting…"
      busy={busy}
      canSubmit={deviceId !== ''}
      error={error}
    >
      {candidates.length === 0 ? (
        <p className="empty">Every peer Parley knows is already a member.</p>
      ) : (
        <Field label="Peer" hint="Peers found on the network or added by address.">
          {({ id, describedBy }) => (
            <select
              id={id}
              value={deviceId}
              onChange={(e) => setDeviceId(e.target.value)}
              aria-describedby={describedBy}
              autoFocus
              data-testid="invite-peer-select"
            >
              {candidates.map((p) => (
                <option key={p.deviceId} value={p.deviceId}>
                  {p.name} ({p.shortId}){p.online ? '' : ', offline'}
                  {p.verified ? ', verified' : ''}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
    </FormDialog>
  );
}
