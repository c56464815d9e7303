import { describe, expect, it } from 'vitest';
import { isTrustedSender, type ContentsLike, type FrameLike } from './sender-check';

const APP = 'file:///opt/parley/out/renderer/index.html';
const location = { isAppUrl: (url: string) => url.split('#')[0] === APP };

function frame(over: Partial<FrameLike> = {}): FrameLike {
  return { url: APP, parent: null, processId: 7, routingId: 1, ...over };
}

function contents(destroyed = false): ContentsLike {
  return { isDestroyed: () => destroyed, mainFrame: frame() };
}

describe('isTrustedSender', () => {
  it('accepts our window’s top-level frame on the app’s page', () => {
    const ours = contents();
    expect(isTrustedSender(ours, frame(), ours, location)).toBe(true);
    expect(isTrustedSender(ours, frame({ url: `${APP}#/rooms` }), ours, location)).toBe(true);
  });

  it('refuses another web contents', () => {
    expect(isTrustedSender(contents(), frame(), contents(), location)).toBe(false);
  });

  it('refuses a subframe, even one showing the app’s page', () => {
    const ours = contents();
    expect(isTrustedSender(ours, frame({ parent: frame() }), ours, location)).toBe(false);
    expect(isTrustedSender(ours, frame({ routingId: 2 }), ours, location)).toBe(false);
    expect(isTrustedSender(ours, frame({ processId: 8 }), ours, location)).toBe(false);
  });

  it('refuses a frame showing a foreign URL', () => {
    const ours = contents();
    const foreign = frame({ url: 'https://example.com/' });
    expect(isTrustedSender(ours, foreign, ours, location)).toBe(false);
  });

  it('refuses when the frame is gone or the window destroyed', () => {
    const ours = contents();
    expect(isTrustedSender(ours, null, ours, location)).toBe(false);
    const destroyed = contents(true);
    expect(isTrustedSender(destroyed, frame(), destroyed, location)).toBe(false);
    const disposed = {
      ...frame(),
      get url(): string {
        throw new Error('Render frame was disposed before WebFrameMain could be accessed');
      },
    };
    expect(isTrustedSender(ours, disposed, ours, location)).toBe(false);
  });
});
