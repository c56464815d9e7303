/**
 * The renderer's one store, built from typed slices (one per concern), and fed by the node's
 * events. Components read it and call its actions; only actions talk to the ParleyApi.
 *
 * `createAppStore(api)` takes the API so that tests pass a fake and the web GUI passes its
 * WebSocket client; `dispose()` ends every event subscription the store made.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ParleyApi } from '../../../shared/api';
import { createIdentitySlice, subscribeIdentityEvents, type IdentitySlice } from './identity-slice';

export type AppState = IdentitySlice;

export interface AppStore extends StoreApi<AppState> {
  /** Unsubscribes from every API event; the store keeps its last state. Safe to call twice. */
  dispose(): void;
}

export function createAppStore(api: ParleyApi): AppStore {
  const store = createStore<AppState>()((...a) => ({
    ...createIdentitySlice(api)(...a),
  }));
  const subscriptions = [subscribeIdentityEvents(api, store.getState)];
  const dispose = (): void => {
    for (const unsubscribe of subscriptions.splice(0)) unsubscribe();
  };
  return Object.assign(store, { dispose });
}
