/**
 * The security slice: alerts the node raised (a known peer presented a different key). An
 * alert stays until the user dismisses it: a changed key may mean someone is impersonating a
 * peer, and a banner that fades by itself could be missed. The node keeps them too
 * (`security.alerts`), so a warning raised while no window was open shows when one opens, and
 * dismissing goes through the node so that it stays dismissed.
 */
import type { StateCreator } from 'zustand';
import type { ParleyApi, SecurityAlert } from '../../../shared/api';
import type { AppState } from './app-store';
import { request } from './outcome';

export interface ShownAlert extends SecurityAlert {
  /** Stable key for the list and for dismissing: the node's alert ID. */
  key: string;
}

export interface SecuritySlice {
  alerts: ShownAlert[];
  /** Loads the alerts the node kept (raised before this window opened). */
  loadAlerts(): Promise<void>;
  alertRaised(alert: SecurityAlert): void;
  dismissAlert(key: string): void;
}

export const createSecuritySlice =
  (api: ParleyApi): StateCreator<AppState, [], [], SecuritySlice> =>
  (set) => ({
    alerts: [],

    async loadAlerts() {
      const result = await request(api, 'security.alerts', {});
      if (!result.ok) return;
      set((s) => {
        const known = new Set(result.value.map((a) => a.id));
        // Alerts that arrived by event while loading stay; the node's list comes first.
        const extra = s.alerts.filter((a) => !known.has(a.key));
        return { alerts: [...result.value.map((a) => ({ ...a, key: a.id })), ...extra] };
      });
    },

    alertRaised(alert) {
      // The same mismatch seen again (every redial) is one alert, refreshed, not a pile of them.
      set((s) => ({
        alerts: [...s.alerts.filter((a) => a.key !== alert.id), { ...alert, key: alert.id }],
      }));
    },

    dismissAlert(key) {
      set((s) => ({ alerts: s.alerts.filter((a) => a.key !== key) }));
      void request(api, 'security.dismiss', { id: key });
    },
  });
