/**
 * The security slice: alerts the node raised (a known peer presented a different key). An
 * alert stays until the user dismisses it: a changed key may mean someone is impersonating a
 * peer, and a banner that fades by itself could be missed.
 */
import type { StateCreator } from 'zustand';
import type { SecurityAlert } from '../../../shared/api';
import type { AppState } from './app-store';

export interface ShownAlert extends SecurityAlert {
  /** Stable key for the list and for dismissing. */
  key: string;
}

export interface SecuritySlice {
  alerts: ShownAlert[];
  alertRaised(alert: SecurityAlert): void;
  dismissAlert(key: string): void;
}

export const createSecuritySlice: StateCreator<AppState, [], [], SecuritySlice> = (set) => ({
  alerts: [],
  alertRaised(alert) {
    const key = `${alert.expected}|${alert.presented ?? ''}|${alert.address}`;
    // The same mismatch seen again (every redial) is one alert, refreshed, not a pile of them.
    set((s) => ({ alerts: [...s.alerts.filter((a) => a.key !== key), { ...alert, key }] }));
  },
  dismissAlert(key) {
    set((s) => ({ alerts: s.alerts.filter((a) => a.key !== key) }));
  },
});
