/**
 * The Electron main process entry (built to out/main/index.js): wires the plain-Node engine
 * (main/core) into the desktop shell (main/shell). Everything Electron-specific is in
 * main/shell; nothing here but composition.
 */
import { createNode } from './core/node';
import { createLogger } from './core/log/logger';
import { runDesktopApp } from './shell/app';

runDesktopApp({
  createNode,
  logger: createLogger(),
  mainDir: import.meta.dirname,
});
