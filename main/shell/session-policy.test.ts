import { describe, expect, it } from 'vitest';
import { isPermissionGranted } from './session-policy';

const APP = 'file:///opt/parley/out/renderer/index.html';
const location = { isAppUrl: (url: string) => url.split('#')[0] === APP };
const top = (requestingUrl?: string) => ({ isMainFrame: true, requestingUrl });

describe('isPermissionGranted', () => {
  it('lets the app’s own page show notifications and copy text', () => {
    expect(isPermissionGranted('notifications', top(APP), location)).toBe(true);
    expect(isPermissionGranted('notifications', top(`${APP}#/rooms/r1`), location)).toBe(true);
    expect(isPermissionGranted('clipboard-sanitized-write', top(APP), location)).toBe(true);
  });

  it('refuses notifications to any other origin and to subframes', () => {
    expect(isPermissionGranted('notifications', top('https://example.com/'), location)).toBe(false);
    expect(isPermissionGranted('notifications', top('file:///tmp/evil.html'), location)).toBe(
      false,
    );
    expect(isPermissionGranted('notifications', top(undefined), location)).toBe(false);
    const subframe = { isMainFrame: false, requestingUrl: APP };
    expect(isPermissionGranted('notifications', subframe, location)).toBe(false);
  });

  it('refuses every other permission, also to the app', () => {
    for (const permission of ['media', 'geolocation', 'clipboard-read', 'openExternal', 'hid']) {
      expect(isPermissionGranted(permission, top(APP), location)).toBe(false);
    }
  });
});
