import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resolveAppLocation } from './app-location';

const mainDir = path.resolve('/opt/parley/out/main');
const indexUrl = pathToFileURL(path.resolve('/opt/parley/out/renderer/index.html')).href;

describe('resolveAppLocation', () => {
  it('accepts only the built index.html when not in development', () => {
    const location = resolveAppLocation({ isPackaged: false, mainDir });
    expect(location.kind).toBe('file');
    expect(location.isAppUrl(indexUrl)).toBe(true);
    expect(location.isAppUrl(`${indexUrl}#/settings`)).toBe(true);
    expect(location.isAppUrl(`${indexUrl}?x=1`)).toBe(true);
    expect(location.isAppUrl(pathToFileURL('/opt/parley/out/renderer/other.html').href)).toBe(
      false,
    );
    expect(location.isAppUrl(pathToFileURL('/etc/passwd').href)).toBe(false);
    expect(location.isAppUrl('https://example.com/index.html')).toBe(false);
    expect(location.isAppUrl('not a url')).toBe(false);
  });

  it('accepts only the dev server’s origin in development', () => {
    const location = resolveAppLocation({
      isPackaged: false,
      mainDir,
      devServerUrl: 'http://localhost:5173',
    });
    expect(location.kind).toBe('dev');
    expect(location.devServerOrigin).toBe('http://localhost:5173');
    expect(location.isAppUrl('http://localhost:5173/')).toBe(true);
    expect(location.isAppUrl('http://localhost:5173/src/main.tsx')).toBe(true);
    expect(location.isAppUrl('http://localhost:5174/')).toBe(false);
    expect(location.isAppUrl('http://127.0.0.1:5173/')).toBe(false);
    expect(location.isAppUrl(indexUrl)).toBe(false);
  });

  it('never uses a dev server in a packaged app', () => {
    const location = resolveAppLocation({
      isPackaged: true,
      mainDir,
      devServerUrl: 'http://localhost:5173',
    });
    expect(location.kind).toBe('file');
    expect(location.isAppUrl('http://localhost:5173/')).toBe(false);
  });
});
