/**
 * Where the renderer is loaded from, and the one test of "is this URL our app?".
 *
 * In development the renderer comes from the Vite dev server (electron-vite sets
 * ELECTRON_RENDERER_URL); otherwise it is the built out/renderer/index.html, loaded from
 * file://. Guarantees: `isAppUrl` accepts only that dev server's origin, or only that exact
 * index.html file (any query or #fragment); everything else is foreign. Navigation guards,
 * the IPC sender check, the request filter and the permission handlers all ask this one place.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserWindow } from 'electron';

export interface AppLocation {
  /** 'dev': the Vite dev server; 'file': the built renderer on disk. */
  readonly kind: 'dev' | 'file';
  /** The dev server's origin (`http://localhost:5173`); only when kind is 'dev'. */
  readonly devServerOrigin?: string;
  /** True for a URL of the app's own page, false for anything else (and for garbage). */
  isAppUrl(url: string): boolean;
  /** Loads the app's page into the window. */
  load(window: BrowserWindow): Promise<void>;
}

export interface AppLocationOptions {
  /** Whether the app runs from a package (then the dev server is never used). */
  isPackaged: boolean;
  /** The folder of the built main bundle (out/main); out/renderer sits beside it. */
  mainDir: string;
  /** ELECTRON_RENDERER_URL, set by `electron-vite dev`. */
  devServerUrl?: string;
}

export function resolveAppLocation(options: AppLocationOptions): AppLocation {
  if (!options.isPackaged && options.devServerUrl) {
    const devUrl = options.devServerUrl;
    const origin = new URL(devUrl).origin;
    return {
      kind: 'dev',
      devServerOrigin: origin,
      isAppUrl: (url) => parse(url)?.origin === origin,
      load: (window) => window.loadURL(devUrl),
    };
  }
  const indexHtml = path.resolve(options.mainDir, '..', 'renderer', 'index.html');
  return {
    kind: 'file',
    isAppUrl: (url) => {
      const parsed = parse(url);
      if (parsed?.protocol !== 'file:') return false;
      try {
        // fileURLToPath ignores ?query and #fragment; only the file itself is compared.
        return path.resolve(fileURLToPath(parsed)) === indexHtml;
      } catch {
        return false;
      }
    },
    load: (window) => window.loadFile(indexHtml),
  };
}

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}
