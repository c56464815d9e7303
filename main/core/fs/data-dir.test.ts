import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDataDir, LOCK_FILE, lockDataDir } from './data-dir';
import { tempDirs } from '../testing/temp-dir';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

describe('data folder', () => {
  it('creates a missing folder', () => {
    const dir = join(dirs.make(), 'a', 'b');
    expect(ensureDataDir(dir)).toBe(dir);
    expect(existsSync(dir)).toBe(true);
  });

  it('explains when a file is in the way', () => {
    const file = join(dirs.make(), 'file');
    writeFileSync(file, 'x');
    expect(() => ensureDataDir(join(file, 'data'))).toThrow(
      expect.objectContaining({
        code: 'DATA_DIR_UNWRITABLE',
        message: expect.stringContaining('a file with that name is in the way'),
      }),
    );
  });

  it('lets only one holder lock the folder, until it releases', () => {
    const dir = dirs.make();
    const lock = lockDataDir(dir);
    expect(() => lockDataDir(dir)).toThrow(
      expect.objectContaining({ code: 'DATA_DIR_LOCKED', message: expect.stringContaining(dir) }),
    );
    lock.release();
    lock.release();
    lockDataDir(dir).release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('takes over a lock left by a process that died', () => {
    const dir = dirs.make();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    writeFileSync(join(dir, LOCK_FILE), dead.stdout.toString());
    lockDataDir(dir).release();
  });

  it('takes over a lock file with garbage in it', () => {
    const dir = dirs.make();
    writeFileSync(join(dir, LOCK_FILE), 'not a pid');
    lockDataDir(dir).release();
  });
});
