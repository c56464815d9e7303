// The room's encryption keys: the current epoch, which members hold it, and the rotation
// history (who renewed it, when and why). Admins can renew the master key here.
import { useState } from 'react';
import { dateTime, isAdminRole, plural, rotationReason } from '../lib/format';
import { useAppStore } from '../store/store-context';
import { ConfirmDialog } from './ConfirmDialog';
import { SidePanel } from './SidePanel';

export function KeysPanel({ roomId }: { roomId: string }) {
  const details = useAppStore((s) => s.rooms.details[roomId]);
  const rotateRoomKey = useAppStore((s) => s.rotateRoomKey);
  const [confirming, setConfirming] = useState(false);

  if (!details) {
    return (
      <SidePanel title="Keys" testId="keys-panel">
        <p className="muted">Loading keys…</p>
      </SidePanel>
    );
  }

  const holders = details.members.filter((m) => m.hasCurrentKey);
  const waiting = details.members.filter((m) => !m.hasCurrentKey);
  const history = [...details.epochs].sort((a, b) => b.index - a.index);

  return (
    <SidePanel title="Keys" testId="keys-panel">
      <p>
        Messages are encrypted with key number{' '}
        <strong data-testid="current-epoch">{details.epoch}</strong>.{' '}
        {waiting.length === 0
          ? 'Every member holds it.'
          : `${plural(holders.length, 'member')} of ${details.members.length} hold it.`}
      </p>
      {waiting.length > 0 && (
        <p className="hint">
          Waiting for the key: {waiting.map((m) => m.name).join(', ')}. It reaches them when an
          admin and they are online together.
        </p>
      )}
      <ul className="key-holders" aria-label="Who holds the current key">
        {details.members.map((m) => (
          <li key={m.deviceId} data-testid="key-holder">
            <span>{m.name}</span>{' '}
            <span className={m.hasCurrentKey ? 'tag verified' : 'tag'}>
              {m.hasCurrentKey ? 'has the key' : 'waiting'}
            </span>
          </li>
        ))}
      </ul>
      {isAdminRole(details.myRole) && (
        <button type="button" onClick={() => setConfirming(true)} data-testid="rotate-key">
          Renew master key
        </button>
      )}
      <section className="panel-section" aria-labelledby="rotations-heading">
        <h3 id="rotations-heading">Key history</h3>
        <ul className="rotation-list" data-testid="rotation-history">
          {history.map((e) => (
            <li key={e.id} className="rotation">
              <strong>Key {e.index}</strong>: {rotationReason(e.reason)}
              <br />
              <span className="muted">
                by {e.authorName}, {dateTime(e.at)}, {plural(e.holders.length, 'holder')}
              </span>
            </li>
          ))}
        </ul>
      </section>
      {confirming && (
        <ConfirmDialog
          title="Renew the master key?"
          confirmLabel="Renew key"
          onConfirm={() => rotateRoomKey(roomId)}
          onClose={() => setConfirming(false)}
        >
          <p>
            Every current member gets a fresh key; messages from now on use it. Do this if you think
            a device or a key may have been exposed.
          </p>
        </ConfirmDialog>
      )}
    </SidePanel>
  );
}
