/**
 * Temporary folders for tests: each test gets its own, and every one is removed afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempDirs {
  make(prefix?: string): string;
  cleanup(): void;
}

/** Folders under `base` (default: the system's temporary folder). */
export function tempDirs(base: string = tmpdir()): TempDirs {
  const made: string[] = [];
  return {
    make(prefix = 'parley-test-') {
      const dir = mkdtempSync(join(base, prefix));
      made.push(dir);
      return dir;
    },
    cleanup() {
      for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}
