/**
 * The web GUI's access token, as the page receives it: `parley serve --ui` prints
 * `http://127.0.0.1:PORT/#token=...`. The fragment never travels to a server or in a Referer;
 * the page takes the token out of the address bar at once (so it is not left on screen, in a
 * screenshot or a bookmark) and keeps it in sessionStorage, which lives as long as the tab, so
 * a reload still works and a closed tab forgets it.
 */
import { WEB_TOKEN_FRAGMENT_KEY } from '../../../shared/web-bridge';

export const TOKEN_STORAGE_KEY = 'parley.webToken';

/** What a token looks like (base64url, as the server makes it); anything else is ignored. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{32,128}$/;

/** The parts of a page this module touches, so tests can hand in their own. */
export interface TokenPage {
  location: Pick<Location, 'hash' | 'pathname' | 'search'>;
  history: Pick<History, 'replaceState' | 'state'>;
  sessionStorage: Pick<Storage, 'getItem' | 'setItem'>;
}

/** The token from the address bar (which it then clears) or from this tab's storage. */
export function takeAccessToken(page: TokenPage): string | undefined {
  const fromUrl = new URLSearchParams(page.location.hash.replace(/^#/, '')).get(
    WEB_TOKEN_FRAGMENT_KEY,
  );
  if (fromUrl !== null) {
    page.history.replaceState(
      page.history.state,
      '',
      page.location.pathname + page.location.search,
    );
    if (TOKEN_SHAPE.test(fromUrl)) {
      try {
        page.sessionStorage.setItem(TOKEN_STORAGE_KEY, fromUrl);
      } catch {
        // Storage may be off; the page works until it is reloaded.
      }
      return fromUrl;
    }
  }
  const stored = storedToken(page.sessionStorage);
  return stored !== null && TOKEN_SHAPE.test(stored) ? stored : undefined;
}

function storedToken(storage: TokenPage['sessionStorage']): string | null {
  try {
    return storage.getItem(TOKEN_STORAGE_KEY);
  } catch {
    return null;
  }
}
