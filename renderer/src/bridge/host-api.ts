/**
 * Which ParleyApi this page talks to: the Electron preload's `window.parley` in the desktop
 * app, else the web bridge when the page was served by `parley serve --ui` and holds its access
 * token, else none (the page then asks to be opened properly).
 */
import type { ParleyApi } from '../../../shared/api';
import { WEB_BRIDGE_PATH } from '../../../shared/web-bridge';
import { takeAccessToken } from './access-token';
import { createWebApi } from './web-api';

export function hostApi(win: Window): ParleyApi | undefined {
  if (win.parley) return win.parley;
  const { protocol, host } = win.location;
  if (protocol !== 'http:' && protocol !== 'https:') return undefined;
  const token = takeAccessToken(win);
  if (token === undefined) return undefined;
  const scheme = protocol === 'https:' ? 'wss:' : 'ws:';
  return createWebApi({ url: `${scheme}//${host}${WEB_BRIDGE_PATH}`, token });
}
