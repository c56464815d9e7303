/**
 * The notifications slice: decides when a new message deserves a system notification and
 * hands it to the Notifier. A message notifies when it is someone else's, the room is not
 * muted, notifications are on in Settings, and the user is not already looking at the room
 * (it is not open, or the window is not focused). A click opens the room.
 */
import type { StateCreator } from 'zustand';
import type { MessageInfo } from '../../../shared/api';
import type { Notifier, NotifyPermission } from '../notify/notifier';
import type { AppState } from './app-store';
import { openRoomId } from './ui-slice';

/** Longest message preview in a notification, in characters. */
const PREVIEW_MAX = 140;

export interface NotificationsSlice {
  notifications: { permission: NotifyPermission };
  requestNotificationPermission(): Promise<void>;
  notifyIfWanted(message: MessageInfo): void;
}

export function preview(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > PREVIEW_MAX ? `${oneLine.slice(0, PREVIEW_MAX - 1)}…` : oneLine;
}

export const createNotificationsSlice =
  (notifier: Notifier): StateCreator<AppState, [], [], NotificationsSlice> =>
  (set, get) => ({
    notifications: { permission: notifier.permission() },

    async requestNotificationPermission() {
      const permission = await notifier.requestPermission();
      set({ notifications: { permission } });
    },

    notifyIfWanted(message) {
      if (message.mine) return;
      const state = get();
      const room = state.rooms.byId[message.roomId];
      if (!room || room.muted || room.myRole === null) return;
      if (state.settings.settings?.notifications === false) return;
      const looking = state.ui.windowFocused && openRoomId(state.ui) === message.roomId;
      if (looking) return;
      const isDm = room.kind === 'dm';
      notifier.show({
        title: isDm ? message.senderName : room.name,
        body: isDm ? preview(message.text) : `${message.senderName}: ${preview(message.text)}`,
        tag: message.roomId,
        onClick: () => get().selectRoom(message.roomId),
      });
    },
  });
