/**
 * Navigation and window guards for every web contents the app ever creates.
 *
 * Guarantees: a page can never leave the app's own URL (link clicks, form posts, location
 * changes, server redirects, in the main frame or any subframe), never open a new window, and
 * never attach a <webview>. Blocked attempts are logged with the URL, never followed and never
 * handed to the OS browser (a LAN messenger has no reason to open links yet).
 */
import type { WebContents } from 'electron';
import type { Logger } from '../core/log/logger';
import type { AppLocation } from './app-location';

const guarded = new WeakSet<WebContents>();

/** Installs the guards on `contents`; a second call for the same contents does nothing. */
export function guardWebContents(contents: WebContents, location: AppLocation, log: Logger): void {
  if (guarded.has(contents)) return;
  guarded.add(contents);
  const blockForeign =
    (kind: string) =>
    (event: { url: string; preventDefault(): void }): void => {
      if (location.isAppUrl(event.url)) return;
      event.preventDefault();
      log.warn('navigation_blocked', { kind, url: event.url });
    };
  contents.on('will-navigate', blockForeign('navigate'));
  contents.on('will-frame-navigate', blockForeign('frame-navigate'));
  contents.on('will-redirect', blockForeign('redirect'));
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log.warn('webview_blocked');
  });
  contents.setWindowOpenHandler(({ url }) => {
    log.warn('window_open_blocked', { url });
    return { action: 'deny' };
  });
}
