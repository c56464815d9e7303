/**
 * How notifications work in the desktop app, and the main-process half of it.
 *
 * The renderer raises notifications itself with the Web Notification API
 * (`new Notification(title, { body, tag })`) for new messages in rooms that are not open and
 * not muted: the same code runs in the browser (`parley serve --ui`) and here. In Electron,
 * Chromium hands those to the OS, so they are system notifications (macOS Notification
 * Center, Windows toasts, libnotify on Linux). The shell's part:
 *
 * 1. Permission: the window's session grants 'notifications' to the app's own page only (its
 *    top-level frame on the app's URL) and refuses it to anything else, like every other
 *    permission (session-policy.ts). Electron asks the same handler each time a notification
 *    is about to be shown, so this one check covers showing, not only `requestPermission()`.
 * 2. Click: Chromium delivers the click to the page's `notification.onclick`, which opens the
 *    room and calls `window.focus()`. Electron does not raise a window for a renderer's
 *    window.focus() (it emits nothing main could act on), so the preload forwards that call
 *    (preload/window-focus.ts) while the page holds the user activation the click grants, and
 *    this module restores, shows and focuses the window. Nothing else can ask: the request
 *    must come from our window's top-level frame on the app's URL (sender-check.ts).
 * 3. Unread state outside the window: the tray icon and the app badge (tray.ts), computed in
 *    main from the node's room events (unread-count.ts), not from the renderer.
 *
 * Main never builds notifications itself: it does not know which room is open, and two
 * sources would show each message twice.
 */
import { ipcMain, type BrowserWindow, type IpcMainEvent } from 'electron';
import { IPC_CHANNELS } from '../../shared/api';
import type { Logger } from '../core/log/logger';
import type { AppLocation } from './app-location';
import { frameUrlForLog, isTrustedSender } from './sender-check';
import { revealWindow } from './window';

/** Raises `window` when its page asks; returns the function that stops listening. */
export function registerWindowFocusRequests(options: {
  window: BrowserWindow;
  location: AppLocation;
  log: Logger;
}): () => void {
  const { window, location, log } = options;
  const contents = window.webContents; // read once: it throws after the window is destroyed
  const onRequest = (event: IpcMainEvent): void => {
    if (!isTrustedSender(event.sender, event.senderFrame, contents, location)) {
      log.warn('focus_request_rejected', { url: frameUrlForLog(event.senderFrame) });
      return;
    }
    revealWindow(window);
  };
  ipcMain.on(IPC_CHANNELS.windowFocus, onRequest);
  return () => {
    ipcMain.removeListener(IPC_CHANNELS.windowFocus, onRequest);
  };
}
