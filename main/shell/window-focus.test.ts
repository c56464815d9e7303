// The preload half of "window.focus() raises the window" (preload/window-focus.ts), run in
// Node: the page's world and the preload's world are the same fake window here, which is what
// they share in Electron (the DOM), and executeInMainWorld runs the function as Electron would.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { forwardWindowFocus, WINDOW_FOCUS_CHANNEL } from '../../preload/window-focus';

function fakePage(active: boolean) {
  const target = new EventTarget();
  const nativeFocus = vi.fn();
  vi.stubGlobal('addEventListener', target.addEventListener.bind(target));
  vi.stubGlobal('dispatchEvent', target.dispatchEvent.bind(target));
  vi.stubGlobal('navigator', { userActivation: { isActive: active } });
  vi.stubGlobal('focus', nativeFocus);
  const send = vi.fn();
  forwardWindowFocus({
    contextBridge: {
      executeInMainWorld: ({ func, args }) => func(...(args ?? [])) as unknown,
    },
    ipcRenderer: { send },
  });
  const pageFocus = (globalThis as unknown as { focus(): void }).focus;
  return { nativeFocus, send, pageFocus };
}

describe('forwardWindowFocus', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  it('asks main to raise the window when a click handler calls window.focus()', () => {
    const page = fakePage(true);
    page.pageFocus();
    expect(page.send).toHaveBeenCalledExactlyOnceWith(WINDOW_FOCUS_CHANNEL);
    expect(page.nativeFocus).toHaveBeenCalledOnce(); // the page's own focus still happens
  });

  it('does not ask without user activation, so a page cannot steal focus at will', () => {
    const page = fakePage(false);
    page.pageFocus();
    expect(page.send).not.toHaveBeenCalled();
    expect(page.nativeFocus).toHaveBeenCalledOnce();
  });

  it('leaves window.focus alone when the main world cannot be reached', () => {
    const nativeFocus = vi.fn();
    vi.stubGlobal('focus', nativeFocus);
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const send = vi.fn();
    forwardWindowFocus({
      contextBridge: {
        executeInMainWorld: () => {
          throw new Error('not supported');
        },
      },
      ipcRenderer: { send },
    });
    expect((globalThis as unknown as { focus(): void }).focus).toBe(nativeFocus);
  });
});
