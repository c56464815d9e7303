/**
 * The sync slice: rooms being caught up from peers right now (sync.progress), so the room view
 * can say "Catching up…" while older messages stream in. An entry goes when its sync is done.
 */
import type { StateCreator } from 'zustand';
import type { EventPayload } from '../../../shared/api';
import type { AppState } from './app-store';

export type SyncProgress = EventPayload<'sync.progress'>;

export interface SyncSlice {
  /** roomId → peer → messages received so far in the running sync. */
  syncing: Record<string, Record<string, number>>;
  syncProgressed(progress: SyncProgress): void;
}

export const createSyncSlice: StateCreator<AppState, [], [], SyncSlice> = (set) => ({
  syncing: {},
  syncProgressed({ roomId, peer, received, done }) {
    set((s) => {
      const peers = { ...s.syncing[roomId] };
      if (done) delete peers[peer];
      else peers[peer] = received;
      const syncing = { ...s.syncing };
      if (Object.keys(peers).length === 0) delete syncing[roomId];
      else syncing[roomId] = peers;
      return { syncing };
    });
  },
});

/** How many messages the running syncs of a room brought so far; null when none runs. */
export function catchingUp(syncing: SyncSlice['syncing'], roomId: string): number | null {
  const peers = syncing[roomId];
  if (!peers) return null;
  return Object.values(peers).reduce((sum, n) => sum + n, 0);
}
