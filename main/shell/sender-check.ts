/**
 * The IPC sender check, apart from Electron so that it can be tested with plain objects.
 *
 * Guarantees: true only when the message came from the window we created (its own web
 * contents, still alive), from that page's top-level frame (not an iframe, not a frame of a
 * previous page), and that frame shows the app's own URL.
 */
import type { AppLocation } from './app-location';

/** The parts of Electron's WebFrameMain the check reads. */
export interface FrameLike {
  readonly url: string;
  readonly parent: unknown;
  readonly processId: number;
  readonly routingId: number;
}

/** The parts of Electron's WebContents the check reads. */
export interface ContentsLike {
  isDestroyed(): boolean;
  readonly mainFrame: FrameLike;
}

export function isTrustedSender(
  sender: unknown,
  senderFrame: FrameLike | null,
  ours: ContentsLike,
  location: Pick<AppLocation, 'isAppUrl'>,
): boolean {
  if (sender !== ours || ours.isDestroyed() || !senderFrame) return false;
  try {
    const main = ours.mainFrame;
    return (
      senderFrame.parent === null &&
      senderFrame.processId === main.processId &&
      senderFrame.routingId === main.routingId &&
      location.isAppUrl(senderFrame.url)
    );
  } catch {
    // Electron throws when a frame that has gone away is read: not a sender we trust.
    return false;
  }
}

/** The sender frame's URL for a log line, or undefined when it cannot be read. */
export function frameUrlForLog(frame: FrameLike | null): string | undefined {
  try {
    return frame?.url;
  } catch {
    return undefined;
  }
}
