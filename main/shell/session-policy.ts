/**
 * What the window's session lets a page do.
 *
 * Guarantees:
 * - Every response carries the renderer's Content Security Policy as a header (this is what
 *   protects pages from the dev server; the built app, loaded from file://, relies on the
 *   <meta> in renderer/index.html). The header replaces any CSP the server sent.
 * - No remote content: requests go only to the app's own files (file:, data:, blob:) or, in
 *   development, to the Vite dev server's origin (http and its HMR WebSocket). Anything else
 *   is cancelled and logged.
 * - Every permission request and check is denied, with two exceptions, both only for the
 *   app's own page in its top-level frame: writing text to the clipboard (the "copy device
 *   ID" button) and notifications (new messages; Electron asks the request handler each time
 *   one is shown, see window-focus.ts). Camera, microphone, geolocation, ... and every
 *   permission asked by any other origin or by a subframe are refused.
 */
import type { Session } from 'electron';
import type { Logger } from '../core/log/logger';
import type { AppLocation } from './app-location';
import { developmentCsp, PRODUCTION_CSP } from './csp';

const LOCAL_SCHEMES = new Set(['file:', 'data:', 'blob:', 'devtools:']);
const ALLOWED_PERMISSIONS = new Set(['clipboard-sanitized-write', 'notifications']);

export function applySessionPolicy(session: Session, location: AppLocation, log: Logger): void {
  const devOrigin = location.devServerOrigin;
  const csp = devOrigin ? developmentCsp(devOrigin) : PRODUCTION_CSP;
  const devHosts = devOrigin ? new Set([new URL(devOrigin).host]) : new Set<string>();

  session.webRequest.onBeforeRequest((details, callback) => {
    const allowed = isAllowedRequest(details.url, devHosts);
    if (!allowed) log.warn('request_blocked', { url: details.url, type: details.resourceType });
    callback({ cancel: !allowed });
  });

  session.webRequest.onHeadersReceived((details, callback) => {
    const headers = Object.fromEntries(
      Object.entries(details.responseHeaders ?? {}).filter(
        ([name]) => name.toLowerCase() !== 'content-security-policy',
      ),
    );
    callback({ responseHeaders: { ...headers, 'Content-Security-Policy': [csp] } });
  });

  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const granted = isPermissionGranted(permission, details, location);
    if (!granted) log.warn('permission_denied', { permission, url: details.requestingUrl });
    callback(granted);
  });

  session.setPermissionCheckHandler((_contents, permission, _origin, details) =>
    isPermissionGranted(permission, details, location),
  );

  session.setDevicePermissionHandler(() => false);
}

/**
 * Whether a permission is granted: only the allowed ones, only to the app's own page, only in
 * its top-level frame.
 */
export function isPermissionGranted(
  permission: string,
  frame: { isMainFrame: boolean; requestingUrl?: string | undefined },
  location: Pick<AppLocation, 'isAppUrl'>,
): boolean {
  return (
    ALLOWED_PERMISSIONS.has(permission) &&
    frame.isMainFrame &&
    frame.requestingUrl !== undefined &&
    location.isAppUrl(frame.requestingUrl)
  );
}

function isAllowedRequest(url: string, devHosts: ReadonlySet<string>): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (LOCAL_SCHEMES.has(parsed.protocol)) return true;
  const web = ['http:', 'https:', 'ws:', 'wss:'].includes(parsed.protocol);
  return web && devHosts.has(parsed.host);
}
