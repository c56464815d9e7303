/**
 * The Electron IPC adapter over the node's ApiRouter.
 *
 * Guarantees:
 * - A call is answered only if it comes from OUR window's top-level frame showing the app's
 *   own URL (VS Code's rule: check the sender before looking at the payload). Anything else
 *   gets `{ ok: false, error: { code: 'BAD_REQUEST' } }` and a log line.
 * - The command name and arguments are handed to `router.invoke` untouched: the router
 *   validates both against shared/api.ts and always answers with a Result, never a throw.
 * - Every router event is forwarded to the window on IPC_CHANNELS.event as (name, payload);
 *   the subscription ends when the window closes or the returned disposer runs.
 */
import { ipcMain, type BrowserWindow } from 'electron';
import { IPC_CHANNELS } from '../../shared/api';
import { fail } from '../../shared/errors';
import type { ApiRouter } from '../core/api/router';
import type { Logger } from '../core/log/logger';
import type { AppLocation } from './app-location';
import { frameUrlForLog, isTrustedSender } from './sender-check';

export interface IpcBridgeOptions {
  router: ApiRouter;
  window: BrowserWindow;
  location: AppLocation;
  log: Logger;
}

/** Registers the invoke handler and event forwarding; returns the function that undoes both. */
export function registerIpc({ router, window, location, log }: IpcBridgeOptions): () => void {
  const contents = window.webContents;

  ipcMain.handle(IPC_CHANNELS.invoke, (event, name: unknown, args: unknown) => {
    if (!isTrustedSender(event.sender, event.senderFrame, contents, location)) {
      log.warn('ipc_sender_rejected', {
        url: frameUrlForLog(event.senderFrame),
        command: typeof name === 'string' ? name.slice(0, 64) : typeof name,
      });
      return fail('BAD_REQUEST', 'This request did not come from the Parley window.');
    }
    return router.invoke(name, args);
  });

  const stopEvents = router.onAny((name, payload) => {
    if (!contents.isDestroyed()) contents.send(IPC_CHANNELS.event, name, payload);
  });
  window.once('closed', stopEvents);

  let disposed = false;
  return () => {
    if (disposed) return;
    disposed = true;
    ipcMain.removeHandler(IPC_CHANNELS.invoke);
    stopEvents();
  };
}
