import { EventEmitter } from 'node:events';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../core/log/logger';
import { tempDirs } from '../core/testing/temp-dir';
import {
  loadWindowState,
  placeWindow,
  saveWindowState,
  trackWindowState,
  WINDOW_STATE_FILE,
  type Rect,
  type WindowState,
} from './window-bounds';

const SIZE = { width: 960, height: 680, minWidth: 420, minHeight: 420 };
const LAPTOP: Rect = { x: 0, y: 0, width: 1440, height: 870 };
const MONITOR: Rect = { x: 1440, y: 0, width: 2560, height: 1400 };
const saved = (over: Partial<WindowState> = {}): WindowState => ({
  x: 100,
  y: 80,
  width: 1000,
  height: 700,
  maximized: false,
  ...over,
});

describe('placeWindow', () => {
  it('opens a first window at the default size, centred on the primary display', () => {
    const placed = placeWindow(undefined, { workAreas: [LAPTOP], primary: LAPTOP }, SIZE);
    expect(placed).toEqual({
      bounds: { x: 240, y: 95, width: 960, height: 680 },
      maximized: false,
    });
  });

  it('puts the window back where it was, maximised if it was', () => {
    const screen = { workAreas: [LAPTOP, MONITOR], primary: LAPTOP };
    const placed = placeWindow(saved({ x: 2000, y: 200, maximized: true }), screen, SIZE);
    expect(placed).toEqual({
      bounds: { x: 2000, y: 200, width: 1000, height: 700 },
      maximized: true,
    });
  });

  it('brings a window from an unplugged monitor back onto the remaining display', () => {
    const placed = placeWindow(
      saved({ x: 2000, y: 200 }),
      { workAreas: [LAPTOP], primary: LAPTOP },
      SIZE,
    );
    expect(placed.bounds).toEqual({ x: 240, y: 95, width: 960, height: 680 });
  });

  it('moves a window that hangs over an edge fully onto the display it overlaps most', () => {
    const screen = { workAreas: [LAPTOP, MONITOR], primary: LAPTOP };
    const placed = placeWindow(saved({ x: 3800, y: -50 }), screen, SIZE);
    expect(placed.bounds).toEqual({ x: 4000 - 1000, y: 0, width: 1000, height: 700 });
  });

  it('shrinks a window larger than its display to fit, keeping the minimum size', () => {
    const small: Rect = { x: 0, y: 0, width: 800, height: 600 };
    const placed = placeWindow(
      saved({ x: 0, y: 0, width: 2000, height: 2000 }),
      { workAreas: [small], primary: small },
      SIZE,
    );
    expect(placed.bounds).toEqual({ x: 0, y: 0, width: 800, height: 600 });
  });
});

describe('window-state.json', () => {
  const dirs = tempDirs();
  afterEach(() => dirs.cleanup());

  it('round-trips', () => {
    const dir = dirs.make();
    expect(loadWindowState(dir, silentLogger)).toBeUndefined();
    saveWindowState(dir, saved());
    expect(loadWindowState(dir, silentLogger)).toEqual(saved());
  });

  it('ignores damaged or foreign content', () => {
    const dir = dirs.make();
    const file = path.join(dir, WINDOW_STATE_FILE);
    for (const content of ['{not json', '{"x":1}', JSON.stringify({ ...saved(), width: -5 })]) {
      writeFileSync(file, content);
      expect(loadWindowState(dir, silentLogger)).toBeUndefined();
    }
  });
});

describe('trackWindowState', () => {
  class FakeWindow extends EventEmitter {
    bounds: Rect = { x: 10, y: 20, width: 900, height: 600 };
    maximized = false;
    minimized = false;
    getNormalBounds = (): Rect => this.bounds;
    isMaximized = (): boolean => this.maximized;
    isMinimized = (): boolean => this.minimized;
  }

  afterEach(() => vi.useRealTimers());

  it('saves once after a burst of moves, and at once on close', () => {
    vi.useFakeTimers();
    const window = new FakeWindow();
    const save = vi.fn();
    const stop = trackWindowState(window, save, silentLogger, 500);

    for (let i = 0; i < 20; i++) {
      window.bounds = { ...window.bounds, x: 10 + i };
      window.emit('move');
    }
    expect(save).not.toHaveBeenCalled();
    vi.advanceTimersByTime(500);
    expect(save).toHaveBeenCalledTimes(1);
    expect(save).toHaveBeenLastCalledWith({
      x: 29,
      y: 20,
      width: 900,
      height: 600,
      maximized: false,
    });

    window.maximized = true;
    window.emit('maximize');
    window.emit('close');
    expect(save).toHaveBeenCalledTimes(2);
    expect(save).toHaveBeenLastCalledWith(expect.objectContaining({ maximized: true }));

    stop();
    window.emit('resize');
    vi.advanceTimersByTime(1000);
    expect(save).toHaveBeenCalledTimes(2);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps the last good state while the window is minimised', () => {
    vi.useFakeTimers();
    const window = new FakeWindow();
    const save = vi.fn();
    const stop = trackWindowState(window, save, silentLogger, 500);
    window.minimized = true;
    window.bounds = { x: 0, y: 0, width: 0, height: 0 };
    window.emit('close');
    expect(save).not.toHaveBeenCalled();
    stop();
  });
});
