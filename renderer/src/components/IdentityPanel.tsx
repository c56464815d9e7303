// This device's identity: the editable display name, the device ID and the fingerprint.
import { useAppStore } from '../store/store-context';
import { DeviceId } from './DeviceId';
import { NameForm } from './NameForm';

/** `level` keeps the heading order of the page it sits in (onboarding: 2, settings: 3). */
export function IdentityPanel({ level = 3 }: { level?: 2 | 3 }) {
  const Heading = level === 2 ? 'h2' : 'h3';
  const { info, loading, loadError } = useAppStore((s) => s.identity);
  const loadIdentity = useAppStore((s) => s.loadIdentity);

  if (!info) {
    if (loadError) {
      return (
        <section className="card" aria-labelledby="identity-heading">
          <Heading id="identity-heading">This device</Heading>
          <p className="error" role="alert">
            {loadError}
          </p>
          <button type="button" onClick={() => void loadIdentity()} disabled={loading}>
            Try again
          </button>
        </section>
      );
    }
    return (
      <section className="card" aria-busy="true">
        <p className="muted">Loading this device&rsquo;s identity&hellip;</p>
      </section>
    );
  }

  return (
    <section className="card" aria-labelledby="identity-heading">
      <Heading id="identity-heading">This device</Heading>
      <NameForm name={info.name} />
      <dl className="facts">
        <div className="fact">
          <dt>Device ID</dt>
          <dd>
            <DeviceId deviceId={info.deviceId} />
          </dd>
        </div>
        <div className="fact">
          <dt>Fingerprint</dt>
          <dd>
            <code className="mono" data-testid="fingerprint">
              {info.fingerprint}
            </code>
            <p className="hint">Compare it with your contact&rsquo;s screen to verify them.</p>
          </dd>
        </div>
      </dl>
    </section>
  );
}
