/**
 * Hands the app's store to components: <StoreProvider store={…}> at the root, and
 * `useAppStore(selector)` below it. Selectors should return stored values (not new objects),
 * so components re-render only when what they read changed.
 */
import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { AppState, AppStore } from './app-store';

const StoreContext = createContext<AppStore | null>(null);

export function StoreProvider({ store, children }: { store: AppStore; children: ReactNode }) {
  return <StoreContext.Provider value={store}>{children}</StoreContext.Provider>;
}

export function useAppStore<T>(selector: (state: AppState) => T): T {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useAppStore must be used inside <StoreProvider>.');
  return useStore(store, selector);
}
