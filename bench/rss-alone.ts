/**
 * `node --import tsx bench/rss-alone.ts [data folder]`: only the Memory rows. The folder, if
 * given, must hold 100,000 messages and not be in use (a copy of B's folder from the catch-up,
 * say); without one, the catch-up of 100,000 messages makes it first (about 40 s).
 */
import { tempDirs } from '../main/core/testing/temp-dir';
import { catchUp } from './catch-up.bench';
import { memorySection } from './rss.bench';

const LOADED_MESSAGES = 100_000;

const dirs = tempDirs();
try {
  let loadedDir = process.argv[2];
  if (loadedDir === undefined) {
    console.error(`bench: catch-up of ${LOADED_MESSAGES} messages, for the loaded rows…`);
    loadedDir = (await catchUp(dirs, LOADED_MESSAGES)).dataDir;
  }
  console.log(await memorySection(loadedDir));
} finally {
  dirs.cleanup();
}
