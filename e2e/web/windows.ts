/**
 * One browser window per node: a fresh Chromium context (its own storage, so each window is a
 * different user) opened on the node's web GUI address, light theme, 1280×800.
 *
 * System notifications are recorded instead of shown: an init script replaces
 * window.Notification before the app loads with a stand-in whose permission is 'granted' and
 * which remembers every notification the page raises, so a test can count them.
 */
import type { Browser, BrowserContext, Page } from '@playwright/test';
import type { LanNode } from './lan-nodes';

export const VIEWPORT = { width: 1280, height: 800 };

/** A notification the page raised, as the user would have seen it. */
export interface RaisedNotification {
  title: string;
  body: string;
}

// Plain JavaScript text, not a function: it runs in the page as written, with no transpiler
// helpers. `notifications` is kept on a name no app code uses.
const RECORD_NOTIFICATIONS = `(() => {
  const raised = [];
  const shown = [];
  class RecordedNotification extends EventTarget {
    static get permission() { return 'granted'; }
    static requestPermission() { return Promise.resolve('granted'); }
    constructor(title, options) {
      super();
      this.title = title;
      this.body = (options && options.body) || '';
      this.tag = (options && options.tag) || '';
      this.onclick = null;
      raised.push({ title: this.title, body: this.body });
      shown.push(this);
    }
    close() {}
  }
  Object.defineProperty(window, 'Notification', { value: RecordedNotification, configurable: true, writable: true });
  Object.defineProperty(window, '__e2eNotifications', { value: raised });
  // The user clicks the newest notification, as the system would report it to the page.
  Object.defineProperty(window, '__e2eClickNewestNotification', {
    value: () => {
      const n = shown[shown.length - 1];
      if (!n || typeof n.onclick !== 'function') return false;
      n.onclick(new Event('click'));
      return true;
    },
  });
})();`;

export interface NodeWindow {
  node: LanNode;
  context: BrowserContext;
  page: Page;
  /** The notifications this window has raised so far, oldest first. */
  notifications(): Promise<RaisedNotification[]>;
  /** Clicks the newest notification; false when there is none or it has no click handler. */
  clickNewestNotification(): Promise<boolean>;
}

export async function openWindow(browser: Browser, node: LanNode): Promise<NodeWindow> {
  const context = await browser.newContext({ viewport: VIEWPORT, colorScheme: 'light' });
  const page = await context.newPage();
  await page.addInitScript({ content: RECORD_NOTIFICATIONS });
  await page.goto(node.uiUrl);
  return {
    node,
    context,
    page,
    notifications: () =>
      page.evaluate(
        () =>
          (globalThis as unknown as { __e2eNotifications: RaisedNotification[] })
            .__e2eNotifications,
      ),
    clickNewestNotification: () =>
      page.evaluate(() =>
        (
          globalThis as unknown as { __e2eClickNewestNotification: () => boolean }
        ).__e2eClickNewestNotification(),
      ),
  };
}
