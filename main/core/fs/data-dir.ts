/**
 * The data folder: created with mode 0700 if missing, checked to be a writable folder, and
 * locked so that only one node uses it at a time (two nodes on one folder would share one
 * identity and one database, which ends in a corrupted history).
 *
 * The lock is a file holding the owner's PID, created with O_EXCL. A lock left by a process
 * that no longer exists (killed, power cut) is taken over; a live one is refused.
 */
import {
  accessSync,
  constants,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { ParleyError } from '../../../shared/errors';

export const LOCK_FILE = 'parley.lock';

/** Creates the folder if needed and checks that it is a writable folder. Returns its absolute path. */
export function ensureDataDir(dataDir: string): string {
  const dir = resolve(dataDir);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!statSync(dir).isDirectory()) throw new Error('it is not a folder');
    accessSync(dir, constants.W_OK | constants.R_OK | constants.X_OK);
  } catch (err) {
    throw new ParleyError(
      'DATA_DIR_UNWRITABLE',
      `Parley cannot use ${dir} as its data folder (${reason(err)}). Choose another folder with --data-dir, or fix its permissions.`,
      { cause: err },
    );
  }
  return dir;
}

export interface DataDirLock {
  release(): void;
}

/** Takes the data folder's lock or throws DATA_DIR_LOCKED naming the process that holds it. */
export function lockDataDir(dir: string): DataDirLock {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          rmSync(path, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new ParleyError(
          'DATA_DIR_UNWRITABLE',
          `Parley cannot write ${path} (${reason(err)}).`,
          {
            cause: err,
          },
        );
      }
    }
    const holder = readLockHolder(path);
    if (holder !== undefined && isAlive(holder)) {
      throw new ParleyError(
        'DATA_DIR_LOCKED',
        `Another Parley node (process ${holder}) is already using the data folder ${dir}. Stop it first, or start this one with another --data-dir. If no Parley is running, delete ${path}.`,
      );
    }
    // The holder is gone: the lock is stale. Remove it and try once more.
    rmSync(path, { force: true });
  }
  throw new ParleyError('DATA_DIR_LOCKED', `Parley could not lock the data folder ${dir}.`);
}

function readLockHolder(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  // Our own PID means another node in this very process holds the folder.
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ENOTDIR' || e.code === 'EEXIST') return 'a file with that name is in the way';
  if (e.code === 'EACCES' || e.code === 'EPERM') return 'permission denied';
  if (e.code === 'EROFS') return 'the disk is read-only';
  return e.message;
}
