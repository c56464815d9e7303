/**
 * The one application window.
 *
 * Guarantees: the page runs sandboxed with context isolation and no Node integration, web
 * security on, no <webview>, no insecure content; it sees only what the preload exposes
 * (window.parley). It cannot navigate away from the app or open windows (guard.ts), its
 * session refuses remote content and permissions and enforces the CSP (session-policy.ts).
 * The window is shown only once the page has rendered, so it never flashes empty. It opens
 * where it was last closed, on a display that exists now (window-bounds.ts).
 */
import { app, BrowserWindow, nativeImage, nativeTheme, screen } from 'electron';
import type { Logger } from '../core/log/logger';
import { iconPng } from './app-icon';
import type { AppLocation } from './app-location';
import { guardWebContents } from './guard';
import { applySessionPolicy } from './session-policy';
import { loadWindowState, placeWindow, saveWindowState, trackWindowState } from './window-bounds';

const SIZE = { width: 960, height: 680, minWidth: 420, minHeight: 420 };
/** Pixels of the window icon: large enough for HiDPI task switchers. */
const WINDOW_ICON_SIZE = 256;

export interface MainWindowOptions {
  /** Absolute path of the built, CommonJS preload (out/preload/index.cjs). */
  preloadPath: string;
  location: AppLocation;
  /** Where window-state.json is kept (the node's data dir). */
  dataDir: string;
  log: Logger;
}

export function createMainWindow({
  preloadPath,
  location,
  dataDir,
  log,
}: MainWindowOptions): BrowserWindow {
  const placement = placeWindow(
    loadWindowState(dataDir, log),
    {
      workAreas: screen.getAllDisplays().map((d) => d.workArea),
      primary: screen.getPrimaryDisplay().workArea,
    },
    SIZE,
  );
  const window = new BrowserWindow({
    title: 'Parley',
    ...placement.bounds,
    minWidth: SIZE.minWidth,
    minHeight: SIZE.minHeight,
    // The taskbar / window-switcher icon on Linux and Windows (macOS uses the bundle's).
    icon: nativeImage.createFromBuffer(iconPng(WINDOW_ICON_SIZE)),
    show: false,
    autoHideMenuBar: true,
    // Matches the page's background so the first paint does not flash the other theme.
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#17181c' : '#f6f7f9',
    webPreferences: {
      preload: preloadPath,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
    },
  });

  applySessionPolicy(window.webContents.session, location, log);
  guardWebContents(window.webContents, location, log);

  const stopTracking = trackWindowState(window, (state) => saveWindowState(dataDir, state), log);
  window.once('closed', stopTracking);
  window.once('ready-to-show', () => {
    // maximize() also shows a hidden window, so it waits for the first paint too.
    if (placement.maximized) window.maximize();
    window.show();
  });
  window.webContents.on('render-process-gone', (_event, details) => {
    log.error('renderer_gone', { reason: details.reason, exitCode: details.exitCode });
  });
  window.webContents.on('preload-error', (_event, preload, error) => {
    log.error('preload_failed', { preload, err: error });
  });

  location.load(window).catch((err: unknown) => log.error('window_load_failed', { err }));
  return window;
}

/**
 * Brings the window to the front from wherever it is: minimised, hidden, or behind other
 * apps. Used by the tray, a second launch and a notification click.
 */
export function revealWindow(window: BrowserWindow): void {
  if (window.isDestroyed()) return;
  if (window.isMinimized()) window.restore();
  if (!window.isVisible()) window.show();
  // macOS does not activate an app that is not frontmost when one of its windows is focused.
  if (process.platform === 'darwin') app.focus({ steal: true });
  window.focus();
}
