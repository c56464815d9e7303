// The first screen on a new device: pick the name contacts will see, and meet the device ID
// and fingerprint that others use to verify this device.
import { useAppStore } from '../store/store-context';
import { IdentityPanel } from './IdentityPanel';

export function Onboarding() {
  const completeOnboarding = useAppStore((s) => s.completeOnboarding);
  return (
    <main className="onboarding" aria-labelledby="welcome-title" data-testid="onboarding">
      <h1 id="welcome-title" className="app-title">
        Welcome to Parley
      </h1>
      <p className="app-tagline">
        Encrypted messaging for your local network: no server, no account. Devices on this network
        running Parley find each other by themselves.
      </p>
      <IdentityPanel level={2} />
      <p className="hint">
        You can change your name at any time in Settings, where the device ID is shown too.
      </p>
      <button type="button" onClick={completeOnboarding} data-testid="finish-onboarding">
        Start using Parley
      </button>
    </main>
  );
}
