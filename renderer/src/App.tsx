// The window: onboarding on a new device, then the three columns (sidebar, the open view, and
// a room's side panel). Keeps the window title's unread count and the store's idea of whether
// the window has focus (a room is marked read only while the user can see it).
import { useEffect } from 'react';
import { HomeView } from './components/HomeView';
import { Onboarding } from './components/Onboarding';
import { PeerView } from './components/PeerView';
import { PublicRoomsView } from './components/PublicRoomsView';
import { RoomView } from './components/RoomView';
import { ConnectionBanner } from './components/ConnectionBanner';
import { SecurityBanner } from './components/SecurityBanner';
import { SettingsView } from './components/SettingsView';
import { Sidebar } from './components/Sidebar';
import { totalUnread } from './store/rooms-slice';
import { useAppStore } from './store/store-context';

export function windowTitle(unread: number): string {
  return unread > 0 ? `(${unread}) Parley` : 'Parley';
}

export function App() {
  const loadAll = useAppStore((s) => s.loadAll);
  const identity = useAppStore((s) => s.identity);
  const onboardedDevice = useAppStore((s) => s.ui.onboardedDevice);
  const setWindowFocused = useAppStore((s) => s.setWindowFocused);
  const unread = useAppStore((s) => totalUnread(s.rooms.byId));

  useEffect(() => {
    void loadAll();
  }, [loadAll]);

  useEffect(() => {
    document.title = windowTitle(unread);
  }, [unread]);

  useEffect(() => {
    const update = (): void => setWindowFocused(document.hasFocus() && !document.hidden);
    window.addEventListener('focus', update);
    window.addEventListener('blur', update);
    document.addEventListener('visibilitychange', update);
    update();
    return () => {
      window.removeEventListener('focus', update);
      window.removeEventListener('blur', update);
      document.removeEventListener('visibilitychange', update);
    };
  }, [setWindowFocused]);

  if (!identity.info) {
    return (
      <main className="onboarding" aria-label="Parley">
        {identity.loadError ? (
          <>
            <h1 className="app-title">Parley</h1>
            <p className="error" role="alert">
              {identity.loadError}
            </p>
            <button type="button" onClick={() => void loadAll()}>
              Try again
            </button>
          </>
        ) : (
          <p className="muted" aria-busy="true">
            Starting Parley…
          </p>
        )}
      </main>
    );
  }

  if (onboardedDevice !== identity.info.deviceId) return <Onboarding />;

  return (
    <div className="layout">
      <ConnectionBanner />
      <SecurityBanner />
      <div className="columns">
        <Sidebar />
        <MainView />
      </div>
    </div>
  );
}

function MainView() {
  const view = useAppStore((s) => s.ui.view);
  switch (view.kind) {
    case 'room':
      return <RoomView key={view.roomId} roomId={view.roomId} />;
    case 'peer':
      return <PeerView deviceId={view.deviceId} />;
    case 'public-rooms':
      return <PublicRoomsView />;
    case 'settings':
      return <SettingsView />;
    case 'home':
      return <HomeView />;
  }
}
