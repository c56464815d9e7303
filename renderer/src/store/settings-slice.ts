/**
 * The settings slice: the node's settings (notifications on or off, the discovery group and
 * port that apply at the next start, the key renewal policy that applies at once) and the
 * node's status (data folder, peer port). The `settings.updated` event keeps them current when
 * another client changes them.
 */
import type { StateCreator } from 'zustand';
import type { CommandArgs, NodeStatus, ParleyApi, Settings } from '../../../shared/api';
import type { AppState } from './app-store';
import { done, request, type Outcome } from './outcome';

export interface SettingsState {
  settings: Settings | null;
  status: NodeStatus | null;
  loadError: string | null;
}

export interface SettingsSlice {
  settings: SettingsState;
  loadSettings(): Promise<void>;
  updateSettings(change: CommandArgs<'settings.update'>): Promise<Outcome>;
  settingsUpdated(settings: Settings): void;
}

export const createSettingsSlice =
  (api: ParleyApi): StateCreator<AppState, [], [], SettingsSlice> =>
  (set) => {
    const patch = (change: Partial<SettingsState>): void =>
      set((s) => ({ settings: { ...s.settings, ...change } }));
    return {
      settings: { settings: null, status: null, loadError: null },

      async loadSettings() {
        const [settings, status] = await Promise.all([
          request(api, 'settings.get', {}),
          request(api, 'node.status', {}),
        ]);
        patch({
          ...(settings.ok ? { settings: settings.value } : {}),
          ...(status.ok ? { status: status.value } : {}),
          loadError: !settings.ok ? settings.error : !status.ok ? status.error : null,
        });
      },

      async updateSettings(change) {
        const result = await request(api, 'settings.update', change);
        if (result.ok) patch({ settings: result.value });
        return done(result);
      },

      settingsUpdated(settings) {
        patch({ settings });
      },
    };
  };
