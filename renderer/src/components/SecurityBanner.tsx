// Loud warnings that a known peer presented a different key: they stay until dismissed,
// because a changed key can mean that someone is impersonating the peer.
import { useAppStore } from '../store/store-context';

export function SecurityBanner() {
  const alerts = useAppStore((s) => s.alerts);
  const dismissAlert = useAppStore((s) => s.dismissAlert);
  if (alerts.length === 0) return null;
  return (
    <div className="security-alerts" role="alert" data-testid="security-alerts">
      {alerts.map((a) => (
        <div key={a.key} className="security-alert" data-testid="security-alert">
          <p>
            <strong>Security warning: a peer’s key changed.</strong> {a.message}
          </p>
          <p className="alert-detail">
            At <span className="mono">{a.address}</span> Parley expected device{' '}
            <span className="mono">{a.expected}</span>
            {a.presented ? (
              <>
                {' '}
                but <span className="mono">{a.presented}</span> answered.
              </>
            ) : (
              '.'
            )}{' '}
            Do not trust messages from it until you have checked its device ID with its owner.
          </p>
          <button type="button" className="secondary" onClick={() => dismissAlert(a.key)}>
            Dismiss warning
          </button>
        </div>
      ))}
    </div>
  );
}
