// What the main column shows when nothing is open: how to get started.
import { useAppStore } from '../store/store-context';

export function HomeView() {
  const hasRooms = useAppStore((s) => Object.keys(s.rooms.byId).length > 0);
  const showView = useAppStore((s) => s.showView);
  return (
    <main className="main padded home" aria-labelledby="home-title" data-testid="home-view">
      <h2 id="home-title">{hasRooms ? 'Pick a room' : 'Get started'}</h2>
      <p className="muted">
        {hasRooms
          ? 'Choose a room or a direct message on the left.'
          : 'Create a room with “New room”, join a public room, or open a peer to message them.'}
      </p>
      <button
        type="button"
        className="secondary"
        onClick={() => showView({ kind: 'public-rooms' })}
      >
        Browse public rooms
      </button>
    </main>
  );
}
