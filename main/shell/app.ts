/**
 * The desktop app's lifecycle around one Parley node.
 *
 * Guarantees:
 * - One instance per data folder: a second launch brings the first window to the front and
 *   exits.
 * - The node's data folder is Electron's userData ($PARLEY_DATA_DIR overrides it, for tests
 *   and for running two instances side by side).
 * - The window opens only after the node has started; if start-up fails, the user sees
 *   "Parley could not start" with the reason in words, and the process exits with code 1.
 * - On quit (last window closed, Ctrl+C, SIGTERM, the menu), the node is closed exactly once,
 *   and the app exits only after that close has finished.
 * - Every web contents the app creates, not just our window, is sandboxed and can neither
 *   navigate away nor open windows.
 * - While the window is open, a tray icon (Open / Quit) and the app badge show the unread
 *   total of the rooms that are not muted; a notification click raises the window
 *   (window-focus.ts tells how notifications work here).
 */
import path from 'node:path';
import { app, dialog, type BrowserWindow } from 'electron';
import type { RoomSummary } from '../../shared/api';
import type { ApiRouter } from '../core/api/router';
import { DEFAULT_PEER_PORT, type NodeConfig, type ParleyNode } from '../core/node';
import { defaultInterfaces } from '../core/discovery';
import type { Logger } from '../core/log/logger';
import { resolveAppLocation } from './app-location';
import { guardWebContents } from './guard';
import { registerIpc } from './ipc';
import { resolveSqliteNativeBinding } from './native-binding';
import { createSafeStorageKeyProtector } from './safe-storage';
import { createUnreadIndicator } from './tray';
import { followUnreadTotal, type RoomEventSource } from './unread-count';
import { createMainWindow, revealWindow } from './window';
import { registerWindowFocusRequests } from './window-focus';

export interface DesktopAppOptions {
  createNode: (config: NodeConfig) => ParleyNode;
  /** The root logger: the node logs to it as is, the shell under the scope 'shell'. */
  logger: Logger;
  /** The folder of the built main bundle (out/main): the preload and renderer sit beside it. */
  mainDir: string;
}

export function runDesktopApp({ createNode, logger, mainDir }: DesktopAppOptions): void {
  const log = logger.child('shell');
  const dataDirOverride = process.env['PARLEY_DATA_DIR'];
  if (dataDirOverride) app.setPath('userData', path.resolve(dataDirOverride));

  // The single-instance lock is keyed by the userData folder, so it is taken after the override.
  if (!app.requestSingleInstanceLock()) {
    log.info('already_running', { userData: app.getPath('userData') });
    app.quit();
    return;
  }

  app.enableSandbox();
  // Windows shows toasts (the page's notifications) only for an app with a user model ID; the
  // packaged one must match electron-builder's appId, a development run uses its executable.
  if (process.platform === 'win32') {
    app.setAppUserModelId(app.isPackaged ? 'org.parley.app' : process.execPath);
  }
  const location = resolveAppLocation({
    isPackaged: app.isPackaged,
    mainDir,
    devServerUrl: process.env['ELECTRON_RENDERER_URL'],
  });

  let node: ParleyNode | undefined;
  let window: BrowserWindow | undefined;
  /** What undoes the wiring of the window to the node (IPC, focus requests, tray, badge). */
  const disposers: Array<() => void> = [];
  let phase: 'running' | 'closing' | 'closed' = 'running';

  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, location, log));

  app.on('second-instance', () => {
    if (window) revealWindow(window);
  });

  app.on('window-all-closed', () => app.quit());

  app.on('before-quit', (event) => {
    if (phase === 'closed') return;
    event.preventDefault();
    if (phase === 'closing') return;
    phase = 'closing';
    void closeNode().finally(() => {
      phase = 'closed';
      app.quit();
    });
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log.info('signal', { signal });
      app.quit();
    });
  }

  async function closeNode(): Promise<void> {
    for (const dispose of disposers.splice(0).reverse()) dispose();
    try {
      await node?.close();
    } catch (err) {
      log.error('node_close_failed', { err });
    }
  }

  async function start(): Promise<void> {
    await app.whenReady();
    if (phase !== 'running') return; // quit was asked for before we were ready
    // `node` is set before the first await below, so a quit from here on closes it.
    const dataDir = app.getPath('userData');
    node = createNode({
      dataDir,
      keyProtector: createSafeStorageKeyProtector(log),
      logger,
      peer: { port: DEFAULT_PEER_PORT, fallbackToAnyPort: true },
      // PARLEY_DISCOVERY_INTERFACES (comma-separated IPv4 addresses) pins discovery, e.g. to
      // 127.0.0.1 in end-to-end tests; by default every non-internal interface is used.
      discovery: {
        interfaces:
          process.env['PARLEY_DISCOVERY_INTERFACES']
            ?.split(',')
            .map((s) => s.trim())
            .filter(Boolean) ?? defaultInterfaces(),
      },
      // No limits given: the node rotates room keys by those kept in its settings (set by
      // `parley serve --rotate-after-messages/--rotate-after-days` on this data folder), else
      // by the defaults (1,000 messages or 7 days).
      rotation: {},
      sqliteNativeBinding: resolveSqliteNativeBinding({
        isPackaged: app.isPackaged,
        resourcesPath: process.resourcesPath,
        projectRoot: path.resolve(mainDir, '..', '..'),
        electronVersion: process.versions.electron,
        override: process.env['PARLEY_SQLITE_BINDING'],
      }),
    });
    await node.start();
    if (phase !== 'running') return; // quit was asked for while we were starting

    window = createMainWindow({
      preloadPath: path.join(mainDir, '..', 'preload', 'index.cjs'),
      location,
      dataDir,
      log,
    });
    const shown = window;
    disposers.push(
      registerIpc({ router: node.api, window, location, log }),
      registerWindowFocusRequests({ window, location, log }),
    );
    const unread = createUnreadIndicator({
      onOpen: () => revealWindow(shown),
      onQuit: () => app.quit(),
      log,
    });
    disposers.push(
      () => unread.destroy(),
      followUnreadTotal(
        roomEventsOf(node.api),
        (total) => unread.setUnread(total),
        (err) => log.warn('unread_list_failed', { err }),
      ),
    );
  }

  start().catch(async (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    log.error('start_failed', { err });
    if (phase !== 'running') return; // already quitting: no dialog, before-quit finishes the job
    dialog.showErrorBox('Parley could not start', message);
    phase = 'closing';
    await closeNode();
    phase = 'closed';
    app.exit(1);
  });
}

/** The node's room list and events, as the unread counter wants them. */
function roomEventsOf(router: ApiRouter): RoomEventSource {
  return {
    async listRooms() {
      const result = await router.invoke('rooms.list', {});
      if (!result.ok) throw new Error(result.error.message);
      return result.value as RoomSummary[]; // checked against the contract by the router
    },
    onRoomUpdated: (listener) => router.on('room.updated', listener),
    onRoomRemoved: (listener) => router.on('room.removed', listener),
  };
}
