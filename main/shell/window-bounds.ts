/**
 * Remembers where the window was: its normal (not maximised) bounds and whether it was
 * maximised, saved to window-state.json in the data dir and used at the next start.
 *
 * Guarantees:
 * - A restored window is always fully on a display that exists now: the saved bounds go to the
 *   display they overlap most (a monitor that was unplugged does not strand the window off
 *   screen), are shrunk to fit its work area and moved inside it. With no usable saved state
 *   the window gets its default size, centred on the primary display.
 * - The file is read through a schema; a missing, damaged or foreign file means "no saved
 *   state", never a failed start.
 * - Moves and resizes are saved at most once per SAVE_DELAY_MS, and the last one is saved when
 *   the window closes, so a burst of drag events writes the file once.
 *
 * Plain Node with no 'electron' import: the window and the displays are handed in, so that all
 * of this is tested without Electron.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Logger } from '../core/log/logger';

/** A rectangle in screen coordinates (DIP), as Electron's Rectangle. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const WINDOW_STATE_FILE = 'window-state.json';

/** Quiet time after the last move or resize before the bounds are written: 500 ms. */
export const SAVE_DELAY_MS = 500;

const Pixels = z.number().int().min(-100_000).max(100_000);
const WindowState = z.object({
  x: Pixels,
  y: Pixels,
  width: z.number().int().min(1).max(100_000),
  height: z.number().int().min(1).max(100_000),
  maximized: z.boolean(),
});
export type WindowState = z.infer<typeof WindowState>;

export interface WindowSize {
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
}

export interface Placement {
  bounds: Rect;
  maximized: boolean;
}

/**
 * Where to open the window: the saved state fitted onto the current displays' work areas,
 * or the default size centred on the primary display.
 */
export function placeWindow(
  saved: WindowState | undefined,
  screen: { workAreas: readonly Rect[]; primary: Rect },
  size: WindowSize,
): Placement {
  const target = saved && bestOverlap(saved, screen.workAreas);
  if (!saved || !target) {
    return { bounds: centred(size.width, size.height, screen.primary, size), maximized: false };
  }
  const width = clamp(saved.width, Math.min(size.minWidth, target.width), target.width);
  const height = clamp(saved.height, Math.min(size.minHeight, target.height), target.height);
  return {
    bounds: {
      x: clamp(saved.x, target.x, target.x + target.width - width),
      y: clamp(saved.y, target.y, target.y + target.height - height),
      width,
      height,
    },
    maximized: saved.maximized,
  };
}

function bestOverlap(bounds: Rect, areas: readonly Rect[]): Rect | undefined {
  let best: Rect | undefined;
  let bestArea = 0;
  for (const area of areas) {
    const overlap = intersection(bounds, area);
    if (overlap > bestArea) [best, bestArea] = [area, overlap];
  }
  return best;
}

function intersection(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

function centred(width: number, height: number, area: Rect, size: WindowSize): Rect {
  const w = clamp(width, Math.min(size.minWidth, area.width), area.width);
  const h = clamp(height, Math.min(size.minHeight, area.height), area.height);
  return {
    x: Math.round(area.x + (area.width - w) / 2),
    y: Math.round(area.y + (area.height - h) / 2),
    width: w,
    height: h,
  };
}

function clamp(value: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, value));
}

/** The saved state, or undefined when there is none or it cannot be used. */
export function loadWindowState(dataDir: string, log: Logger): WindowState | undefined {
  const file = path.join(dataDir, WINDOW_STATE_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined; // first start
  }
  try {
    const parsed = WindowState.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
  } catch {
    // not JSON: handled below like any other unusable content
  }
  log.warn('window_state_ignored', { file, reason: 'unreadable content' });
  return undefined;
}

/** Writes the state through a temporary file and a rename, so a crash never leaves half. */
export function saveWindowState(dataDir: string, state: WindowState): void {
  const file = path.join(dataDir, WINDOW_STATE_FILE);
  mkdirSync(dataDir, { recursive: true });
  const temp = `${file}.tmp`;
  writeFileSync(temp, JSON.stringify(state), { mode: 0o600 });
  renameSync(temp, file);
}

/** The parts of Electron's BrowserWindow the tracker uses. */
export interface TrackedWindow {
  on(event: 'move' | 'resize' | 'maximize' | 'unmaximize' | 'close', listener: () => void): void;
  removeListener(event: string, listener: () => void): void;
  getNormalBounds(): Rect;
  isMaximized(): boolean;
  isMinimized(): boolean;
}

/**
 * Saves the window's state SAVE_DELAY_MS after it last moved or resized, and at once when it
 * closes. Returns the function that stops tracking (it saves nothing pending).
 */
export function trackWindowState(
  window: TrackedWindow,
  save: (state: WindowState) => void,
  log: Logger,
  delayMs = SAVE_DELAY_MS,
): () => void {
  let timer: NodeJS.Timeout | undefined;

  const saveNow = (): void => {
    clearTimeout(timer);
    timer = undefined;
    // A minimised window's normal bounds are still right, but some window managers report
    // them as zero while it is iconified: keep the last good state instead.
    if (window.isMinimized()) return;
    const b = window.getNormalBounds();
    const state = {
      x: Math.round(b.x),
      y: Math.round(b.y),
      width: Math.round(b.width),
      height: Math.round(b.height),
      maximized: window.isMaximized(),
    };
    const checked = WindowState.safeParse(state);
    if (!checked.success) return;
    try {
      save(checked.data);
    } catch (err) {
      log.warn('window_state_not_saved', { err });
    }
  };
  const later = (): void => {
    clearTimeout(timer);
    timer = setTimeout(saveNow, delayMs);
  };

  const changes = ['move', 'resize', 'maximize', 'unmaximize'] as const;
  for (const event of changes) window.on(event, later);
  window.on('close', saveNow);
  return () => {
    clearTimeout(timer);
    timer = undefined;
    for (const event of changes) window.removeListener(event, later);
    window.removeListener('close', saveNow);
  };
}
