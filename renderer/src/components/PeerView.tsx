// One peer: presence, address, last seen, and its fingerprint and device ID to compare with
// the ones on the peer's own screen (Settings there) before marking it verified; and a button
// to message it.
import { useState } from 'react';
import { lastSeen } from '../lib/format';
import { useAppStore } from '../store/store-context';
import { ConfirmDialog } from './ConfirmDialog';
import { FormError } from './Field';

export function PeerView({ deviceId }: { deviceId: string }) {
  const peer = useAppStore((s) => s.peers.byId[deviceId]);
  const mine = useAppStore((s) => s.identity.info);
  const setPeerVerified = useAppStore((s) => s.setPeerVerified);
  const openDm = useAppStore((s) => s.openDm);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [opening, setOpening] = useState(false);

  if (!peer) {
    return (
      <main className="main padded" aria-label="Peer">
        <p className="muted">This peer is no longer known.</p>
      </main>
    );
  }

  const message = async (): Promise<void> => {
    setOpening(true);
    setError(null);
    const result = await openDm(deviceId);
    setOpening(false);
    if (!result.ok) setError(result.error);
  };

  return (
    <main className="main padded" aria-labelledby="peer-title" data-testid="peer-view">
      <h2 id="peer-title">{peer.name}</h2>
      <p className="peer-status">
        <span className={`presence ${peer.online ? 'online' : 'offline'}`} aria-hidden="true" />{' '}
        {peer.online ? (peer.linked ? 'Online, connected' : 'Online') : 'Offline'}
        {peer.verified ? (
          <span className="tag verified" data-testid="peer-verified">
            verified
          </span>
        ) : (
          <span className="tag">not verified</span>
        )}
        {peer.manual && <span className="tag">added by address</span>}
      </p>
      <div className="actions-row">
        <button
          type="button"
          onClick={() => void message()}
          disabled={opening}
          data-testid="message-peer"
        >
          {opening ? 'Opening…' : 'Message'}
        </button>
        <FormError error={error} />
      </div>
      <dl className="facts card">
        <div className="fact">
          <dt>Last seen</dt>
          <dd>{peer.online ? 'now' : lastSeen(peer.lastSeen)}</dd>
        </div>
        <div className="fact">
          <dt>Address</dt>
          <dd className="mono">{peer.address ?? 'unknown'}</dd>
        </div>
        <div className="fact">
          <dt>Their fingerprint</dt>
          <dd>
            {peer.fingerprint ? (
              <code className="mono selectable" data-testid="peer-fingerprint">
                {peer.fingerprint}
              </code>
            ) : (
              'known once connected'
            )}
          </dd>
        </div>
        <div className="fact">
          <dt>Their device ID</dt>
          <dd>
            <code className="mono selectable" data-testid="peer-device-id">
              {peer.deviceId}
            </code>
          </dd>
        </div>
      </dl>
      <section className="card verify" aria-labelledby="verify-heading">
        <h3 id="verify-heading">Verify {peer.name}</h3>
        <p>
          Ask {peer.name} to open Settings in Parley and read out their fingerprint (or device ID).
          If it matches the one above, digit for digit, mark them verified. Parley then warns you
          loudly if this device ever shows up with another key.
        </p>
        {mine && (
          <p className="hint">
            Your own fingerprint, for them to check:{' '}
            <code className="mono">{mine.fingerprint}</code>
          </p>
        )}
        <button
          type="button"
          className={peer.verified ? 'secondary' : undefined}
          onClick={() => setConfirming(true)}
          data-testid="toggle-verified"
        >
          {peer.verified ? 'Mark as not verified' : 'Mark as verified'}
        </button>
      </section>
      {confirming && (
        <ConfirmDialog
          title={
            peer.verified ? `Mark ${peer.name} as not verified?` : `Mark ${peer.name} as verified?`
          }
          confirmLabel={peer.verified ? 'Mark not verified' : 'Yes, the IDs match'}
          onConfirm={() => setPeerVerified(deviceId, !peer.verified)}
          onClose={() => setConfirming(false)}
        >
          <p>
            {peer.verified
              ? 'Do this if you are no longer sure this device is who it says.'
              : `Only confirm if what ${peer.name} reads out is exactly ${peer.fingerprint ?? peer.deviceId}.`}
          </p>
        </ConfirmDialog>
      )}
    </main>
  );
}
