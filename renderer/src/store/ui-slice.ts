/**
 * The ui slice: what the window shows (a room, a peer, the public rooms, settings), which side
 * panel is open beside a room, whether the window has focus, and whether onboarding is done.
 *
 * Marking a room read lives here because it depends on what the user can see: a room is read
 * when it is open *and* the window is focused, whichever of the two happens last.
 */
import type { StateCreator } from 'zustand';
import type { AppState } from './app-store';
import type { Prefs } from './prefs';

export type View =
  | { kind: 'home' }
  | { kind: 'room'; roomId: string }
  | { kind: 'peer'; deviceId: string }
  | { kind: 'public-rooms' }
  | { kind: 'settings' };

export type RoomPanel = 'members' | 'keys' | 'room-settings' | 'search';

export interface UiState {
  view: View;
  panel: RoomPanel | null;
  windowFocused: boolean;
  /** The device ID whose user finished onboarding in this window (from Prefs). */
  onboardedDevice: string | null;
}

export interface UiSlice {
  ui: UiState;
  selectRoom(roomId: string): void;
  showView(view: View): void;
  /** Opens a side panel beside the room, or closes it when it is already open. */
  togglePanel(panel: RoomPanel): void;
  closePanel(): void;
  setWindowFocused(focused: boolean): void;
  completeOnboarding(): void;
  /** Marks a room read if the user is looking at it right now. */
  markReadIfSeen(roomId: string): void;
  /** The room's unsent composer text, kept across window restarts. */
  draftOf(roomId: string): string;
  saveDraft(roomId: string, text: string): void;
  /** Forgets the draft once the node stored it as a message, unless the user typed on since. */
  draftSent(roomId: string, text: string): void;
}

export const createUiSlice =
  (prefs: Prefs, initiallyFocused: boolean): StateCreator<AppState, [], [], UiSlice> =>
  (set, get) => {
    const patch = (change: Partial<UiState>): void => set((s) => ({ ui: { ...s.ui, ...change } }));
    return {
      ui: {
        view: { kind: 'home' },
        panel: null,
        windowFocused: initiallyFocused,
        onboardedDevice: prefs.onboardedDevice(),
      },

      selectRoom(roomId) {
        const { view, panel } = get().ui;
        const same = view.kind === 'room' && view.roomId === roomId;
        patch({ view: { kind: 'room', roomId }, panel: same ? panel : null });
        if (!same && get().messages.search.status !== 'idle') get().clearSearch();
        void get().loadMessages(roomId);
        void get().loadRoomDetails(roomId);
        get().markReadIfSeen(roomId);
      },

      showView(view) {
        if (view.kind === 'room') return get().selectRoom(view.roomId);
        patch({ view, panel: null });
        if (view.kind === 'public-rooms') void get().loadPublicRooms();
        if (view.kind === 'settings') {
          void get().loadSettings();
          void get().loadManualPeers();
        }
      },

      togglePanel(panel) {
        const opening = get().ui.panel !== panel;
        patch({ panel: opening ? panel : null });
        // Who holds the key can change without a room.updated: show the node's latest word.
        const roomId = openRoomId(get().ui);
        if (opening && roomId) void get().loadRoomDetails(roomId);
      },

      closePanel() {
        patch({ panel: null });
      },

      setWindowFocused(focused) {
        if (get().ui.windowFocused === focused) return;
        patch({ windowFocused: focused });
        const { view } = get().ui;
        if (focused && view.kind === 'room') get().markReadIfSeen(view.roomId);
      },

      completeOnboarding() {
        const deviceId = get().identity.info?.deviceId;
        if (!deviceId) return;
        prefs.setOnboardedDevice(deviceId);
        patch({ onboardedDevice: deviceId });
        void get().requestNotificationPermission();
      },

      draftOf: (roomId) => prefs.draft(roomId),

      saveDraft(roomId, text) {
        prefs.setDraft(roomId, text.trim() === '' ? '' : text);
      },

      draftSent(roomId, text) {
        if (prefs.draft(roomId) === text) prefs.setDraft(roomId, '');
      },

      markReadIfSeen(roomId) {
        const { view, windowFocused } = get().ui;
        const room = get().rooms.byId[roomId];
        if (view.kind !== 'room' || view.roomId !== roomId || !windowFocused) return;
        if (!room || room.unread === 0 || room.myRole === null) return;
        void get().markRoomRead(roomId);
      },
    };
  };

/** The open room's ID, or null. */
export function openRoomId(ui: UiState): string | null {
  return ui.view.kind === 'room' ? ui.view.roomId : null;
}
