import { describe, expect, it } from 'vitest';
import { takeAccessToken, TOKEN_STORAGE_KEY, type TokenPage } from './access-token';

const TOKEN = 'abcDEF123_-'.repeat(4);

/** A page at `hash` with a working (or broken) sessionStorage and a recorded history. */
function page(hash: string, storage = new Map<string, string>(), storageWorks = true) {
  const replaced: string[] = [];
  const p: TokenPage = {
    location: { hash, pathname: '/', search: '' },
    history: {
      state: null,
      replaceState: (_state: unknown, _unused: string, url?: string | URL | null) => {
        replaced.push(String(url));
      },
    },
    sessionStorage: {
      getItem: (key) => {
        if (!storageWorks) throw new Error('SecurityError');
        return storage.get(key) ?? null;
      },
      setItem: (key, value) => {
        if (!storageWorks) throw new Error('SecurityError');
        storage.set(key, value);
      },
    },
  };
  return { p, replaced, storage };
}

describe('the web GUI access token', () => {
  it('is taken from the fragment, removed from the address bar, and kept for a reload', () => {
    const first = page(`#token=${TOKEN}`);
    expect(takeAccessToken(first.p)).toBe(TOKEN);
    expect(first.replaced).toEqual(['/']);
    expect(first.storage.get(TOKEN_STORAGE_KEY)).toBe(TOKEN);

    const reload = page('', first.storage);
    expect(takeAccessToken(reload.p)).toBe(TOKEN);
    expect(reload.replaced).toEqual([]);
  });

  it('is missing when the page was opened without one, or with something else', () => {
    expect(takeAccessToken(page('').p)).toBeUndefined();
    expect(takeAccessToken(page('#other=1').p)).toBeUndefined();
    const junk = page('#token=<script>');
    expect(takeAccessToken(junk.p)).toBeUndefined();
    expect(junk.replaced).toEqual(['/']);
  });

  it('still works for this load when storage is off', () => {
    expect(takeAccessToken(page(`#token=${TOKEN}`, new Map(), false).p)).toBe(TOKEN);
    expect(takeAccessToken(page('', new Map(), false).p)).toBeUndefined();
  });
});
