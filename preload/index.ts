/**
 * The preload bridge: exposes `window.parley`, a ParleyApi (shared/api.ts), and nothing else.
 *
 * Guarantees:
 * - The page gets exactly two functions, `invoke` and `on`; never ipcRenderer, never an
 *   IPC event object, never a Node or Electron value.
 * - A command or event name outside the contract never reaches IPC: `invoke` answers
 *   UNKNOWN_COMMAND and `on` throws. (Main validates everything again; this only keeps typos
 *   loud and the channel quiet.)
 * - `invoke` always resolves with a Result, also when main cannot answer.
 * - One IPC listener serves every subscription; each `on` returns the function that undoes it.
 *
 * Built as CommonJS (out/preload/index.cjs): a sandboxed preload cannot load ES modules, and
 * can require only 'electron' and a few built-ins, so everything else is bundled in.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_CHANNELS, isCommandName, isEventName, type ParleyApi } from '../shared/api';
import { fail } from '../shared/errors';
import { eventListeners } from '../shared/event-listeners';
import { forwardWindowFocus } from './window-focus';

const listeners = eventListeners();

ipcRenderer.on(IPC_CHANNELS.event, (_event: IpcRendererEvent, name: unknown, payload: unknown) => {
  if (isEventName(name)) listeners.deliver(name, payload);
});

const api: ParleyApi = {
  invoke(name, args) {
    if (!isCommandName(name)) {
      return Promise.resolve(fail('UNKNOWN_COMMAND', `Unknown command: ${String(name)}`));
    }
    return ipcRenderer
      .invoke(IPC_CHANNELS.invoke, name, args)
      .catch(() => fail('NOT_RUNNING', 'The Parley node is not answering.'));
  },

  on: listeners.on,
};

contextBridge.exposeInMainWorld('parley', api);

// window.focus() raises the desktop window, as in a browser (a notification click uses it).
forwardWindowFocus({ contextBridge, ipcRenderer });
