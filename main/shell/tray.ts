/**
 * The tray (notification area / menu bar) icon and the app badge, both showing whether
 * anything is unread.
 *
 * Guarantees:
 * - The tray icon carries a red dot while a room that is not muted has unread messages, and
 *   its tooltip says how many; its menu offers "Open Parley" and "Quit Parley" (on Linux the
 *   menu is the only way to reach it: AppIndicator trays report no clicks).
 * - The app badge (macOS dock, Linux launchers that support it) shows the same count; where
 *   the OS has no badge, setBadgeCount is a no-op.
 * - The icon is drawn in memory (app-icon.ts), so the tray never depends on finding an image
 *   file beside the bundle.
 * - A tray that the desktop cannot show is logged and skipped; it never stops the app.
 */
import { app, Menu, nativeImage, Tray, type NativeImage } from 'electron';
import type { Logger } from '../core/log/logger';
import { iconPng } from './app-icon';
import { unreadLabel } from './unread-count';

/** Tray icons are 16 DIP; the 32 px copy serves HiDPI screens. */
const TRAY_SIZE = 16;

export interface UnreadIndicator {
  /** Shows `total` unread messages (0: nothing unread). */
  setUnread(total: number): void;
  /** Removes the tray icon and the badge; safe to call twice. */
  destroy(): void;
}

export interface TrayOptions {
  onOpen: () => void;
  onQuit: () => void;
  log: Logger;
}

export function createUnreadIndicator({ onOpen, onQuit, log }: TrayOptions): UnreadIndicator {
  const images = { plain: trayImage(false), unread: trayImage(true) };
  let tray: Tray | undefined;
  try {
    tray = new Tray(images.plain);
    tray.setToolTip(unreadLabel(0));
    tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: 'Open Parley', click: onOpen },
        { type: 'separator' },
        { label: 'Quit Parley', click: onQuit },
      ]),
    );
    // Windows and most Linux trays: a plain click opens the window (macOS shows the menu).
    tray.on('click', onOpen);
  } catch (err) {
    log.warn('tray_unavailable', { err });
  }

  let shown = 0;
  return {
    setUnread(total) {
      if (total === shown) return;
      shown = total;
      if (tray && !tray.isDestroyed()) {
        tray.setImage(total > 0 ? images.unread : images.plain);
        tray.setToolTip(unreadLabel(total));
      }
      app.setBadgeCount(total);
    },
    destroy() {
      if (tray && !tray.isDestroyed()) tray.destroy();
      tray = undefined;
      app.setBadgeCount(0);
    },
  };
}

function trayImage(unread: boolean): NativeImage {
  const image = nativeImage.createFromBuffer(iconPng(TRAY_SIZE, { unread }), { scaleFactor: 1 });
  image.addRepresentation({ scaleFactor: 2, buffer: iconPng(TRAY_SIZE * 2, { unread }) });
  return image;
}
