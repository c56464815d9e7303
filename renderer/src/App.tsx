// The first screen: the app's name and this device's identity.
import { useEffect } from 'react';
import { IdentityPanel } from './components/IdentityPanel';
import { useAppStore } from './store/store-context';

export function App() {
  const loadIdentity = useAppStore((s) => s.loadIdentity);

  useEffect(() => {
    void loadIdentity();
  }, [loadIdentity]);

  return (
    <div className="app">
      <header className="app-header">
        <h1 className="app-title">Parley</h1>
        <p className="app-tagline">Encrypted messaging for your local network</p>
      </header>
      <main>
        <IdentityPanel />
      </main>
    </div>
  );
}
