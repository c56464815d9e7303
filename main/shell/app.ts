/**
 * The desktop app's lifecycle around one Parley node.
 *
 * Guarantees:
 * - One instance per data folder: a second launch focuses the first window and exits.
 * - The node's data folder is Electron's userData ($PARLEY_DATA_DIR overrides it, for tests
 *   and for running two instances side by side).
 * - The window opens only after the node has started; if start-up fails, the user sees
 *   "Parley could not start" with the reason in words, and the process exits with code 1.
 * - On quit (last window closed, Ctrl+C, SIGTERM, the menu), the node is closed exactly once,
 *   and the app exits only after that close has finished.
 * - Every web contents the app creates, not just our window, is sandboxed and can neither
 *   navigate away nor open windows.
 */
import path from 'node:path';
import { app, dialog, type BrowserWindow } from 'electron';
import { DEFAULT_PEER_PORT, type NodeConfig, type ParleyNode } from '../core/node';
import { defaultInterfaces } from '../core/discovery';
import type { Logger } from '../core/log/logger';
import { resolveAppLocation } from './app-location';
import { guardWebContents } from './guard';
import { registerIpc } from './ipc';
import { resolveSqliteNativeBinding } from './native-binding';
import { createSafeStorageKeyProtector } from './safe-storage';
import { createMainWindow } from './window';

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
  const location = resolveAppLocation({
    isPackaged: app.isPackaged,
    mainDir,
    devServerUrl: process.env['ELECTRON_RENDERER_URL'],
  });

  let node: ParleyNode | undefined;
  let window: BrowserWindow | undefined;
  let disposeIpc: (() => void) | undefined;
  let phase: 'running' | 'closing' | 'closed' = 'running';

  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, location, log));

  app.on('second-instance', () => {
    if (!window || window.isDestroyed()) return;
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
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
    disposeIpc?.();
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
    disposeIpc = registerIpc({ router: node.api, window, location, log });
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
