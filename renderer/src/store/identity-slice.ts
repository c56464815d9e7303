/**
 * The identity slice: this device's name, device ID and fingerprint, as the node reports them.
 *
 * State changes only through these actions; the node's `identity.updated` event feeds
 * `identityUpdated`, so a name changed anywhere (this window, the CLI, another client) shows.
 * Errors are kept as the words of the node's Result, ready to show.
 */
import type { StateCreator } from 'zustand';
import type { IdentityInfo, ParleyApi } from '../../../shared/api';
import type { AppState } from './app-store';

export type NameSaveStatus = 'idle' | 'saving' | 'saved' | 'failed';

export interface IdentityState {
  info: IdentityInfo | null;
  loading: boolean;
  /** Why the identity could not be loaded, in words; null when it loaded (or has not yet). */
  loadError: string | null;
  nameSave: { status: NameSaveStatus; error: string | null };
}

export interface IdentitySlice {
  identity: IdentityState;
  /** Asks the node for the identity (identity.get). */
  loadIdentity(): Promise<void>;
  /** Asks the node to change the display name; resolves true when it did. */
  setDisplayName(name: string): Promise<boolean>;
  /** The node reported the identity (identity.updated). */
  identityUpdated(info: IdentityInfo): void;
  /** Forgets the last save's outcome (the user started editing again). */
  resetNameSave(): void;
}

export const initialIdentityState: IdentityState = {
  info: null,
  loading: false,
  loadError: null,
  nameSave: { status: 'idle', error: null },
};

export const createIdentitySlice =
  (api: ParleyApi): StateCreator<AppState, [], [], IdentitySlice> =>
  (set, get) => {
    const patch = (change: Partial<IdentityState>): void =>
      set((s) => ({ identity: { ...s.identity, ...change } }));

    return {
      identity: initialIdentityState,

      async loadIdentity() {
        patch({ loading: true, loadError: null });
        const result = await api.invoke('identity.get', {});
        if (result.ok) patch({ info: result.value, loading: false });
        else patch({ loading: false, loadError: result.error.message });
      },

      async setDisplayName(name) {
        if (get().identity.nameSave.status === 'saving') return false;
        patch({ nameSave: { status: 'saving', error: null } });
        const result = await api.invoke('identity.setName', { name });
        if (result.ok) {
          patch({ info: result.value, nameSave: { status: 'saved', error: null } });
          return true;
        }
        patch({ nameSave: { status: 'failed', error: result.error.message } });
        return false;
      },

      identityUpdated(info) {
        patch({ info, loadError: null });
      },

      resetNameSave() {
        if (get().identity.nameSave.status === 'idle') return;
        patch({ nameSave: { status: 'idle', error: null } });
      },
    };
  };

/** Feeds the node's identity events into the store; returns the unsubscribe function. */
export function subscribeIdentityEvents(api: ParleyApi, state: () => IdentitySlice): () => void {
  return api.on('identity.updated', (info) => state().identityUpdated(info));
}
