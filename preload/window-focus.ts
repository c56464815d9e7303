/**
 * Makes the page's `window.focus()` bring the desktop window to the front, as it does in a
 * browser. Electron does not: a renderer's window.focus() reaches the main process only as
 * an internal "activate contents" call that raises nothing and emits no event (electron
 * issues #25578, #29082), so a click on a message notification would open the room in a
 * window that stays minimised or behind other apps.
 *
 * How: before any page script runs, `window.focus` in the page's world is wrapped so that it
 * also dispatches a DOM event; this preload (in its isolated world, which shares the DOM)
 * hears it and asks main over WINDOW_FOCUS_CHANNEL, and main raises the window
 * (main/shell/window-focus.ts).
 *
 * Guarantees: the page's API does not change (window.parley stays invoke and on only;
 * window.focus keeps doing what it did). A request goes to main only while the page has
 * transient user activation, which a notification click grants: Chromium's own rule for
 * when window.focus() may raise a window, so a page cannot steal focus at will.
 */
import type { ContextBridge, IpcRenderer } from 'electron';
import { IPC_CHANNELS } from '../shared/api';

/** The IPC channel of focus requests (send only; main answers nothing). */
export const WINDOW_FOCUS_CHANNEL = IPC_CHANNELS.windowFocus;

/** The DOM event the wrapped window.focus dispatches; only this preload listens for it. */
const FOCUS_EVENT = 'parley:window-focus-requested';

/** What the preload's world sees of the page's window (the preload is typed without DOM). */
interface PageWindow {
  addEventListener(type: string, listener: () => void): void;
  navigator: { userActivation?: { isActive: boolean } };
}

export function forwardWindowFocus(bridge: {
  contextBridge: Pick<ContextBridge, 'executeInMainWorld'>;
  ipcRenderer: Pick<IpcRenderer, 'send'>;
}): void {
  try {
    wrapPageFocus(bridge.contextBridge);
  } catch (err) {
    // executeInMainWorld is marked experimental; without it only the raising is lost.
    console.error('parley: window.focus() will not raise the window', err);
    return;
  }
  const page = globalThis as unknown as PageWindow;
  page.addEventListener(FOCUS_EVENT, () => {
    if (page.navigator.userActivation?.isActive) bridge.ipcRenderer.send(WINDOW_FOCUS_CHANNEL);
  });
}

function wrapPageFocus(contextBridge: Pick<ContextBridge, 'executeInMainWorld'>): void {
  contextBridge.executeInMainWorld({
    // Runs in the page's world: serialised, so it may use nothing from this module.
    func: (eventName: string) => {
      const page = globalThis as unknown as {
        focus(): void;
        dispatchEvent(event: Event): boolean;
      };
      const focus = page.focus.bind(page);
      page.focus = () => {
        page.dispatchEvent(new Event(eventName));
        focus();
      };
    },
    args: [FOCUS_EVENT],
  });
}
