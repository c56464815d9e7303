/**
 * Turns what better-sqlite3 and the file system throw into ParleyErrors whose messages name the
 * file or folder and say what the user can do. The original error is kept as `cause` for logs.
 *
 * What must stay true: nothing but a ParleyError leaves the SQLite store.
 */
import path from 'node:path';
import { ParleyError } from '../../../../shared/errors';

/** The SQLite result codes (primary, before the first '_') that mean a damaged file. */
const CORRUPT_CODES = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB']);
/** The SQLite result codes that mean the file or its folder cannot be created or written. */
const UNWRITABLE_CODES = new Set(['SQLITE_CANTOPEN', 'SQLITE_READONLY', 'SQLITE_PERM']);
/** Node's errno codes that mean a folder cannot be created or written, in a user's words. */
const UNWRITABLE_ERRNOS = new Map([
  ['EACCES', 'permission denied'],
  ['EPERM', 'permission denied'],
  ['EROFS', 'the disk is read-only'],
  ['ENOTDIR', 'a file is in the way where a folder should be'],
  ['EEXIST', 'a file is in the way where a folder should be'],
  ['ENOENT', 'the folder does not exist'],
]);

function primaryCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  // better-sqlite3 reports extended codes such as SQLITE_CORRUPT_INDEX or SQLITE_IOERR_FSYNC.
  const match = /^SQLITE_[A-Z]+/.exec(code);
  return match ? match[0] : code;
}

function detail(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function corruptError(dbPath: string, why: string, cause?: unknown): ParleyError {
  return new ParleyError(
    'STORE_CORRUPT',
    `The message database ${dbPath} is damaged (${why}). Quit Parley, then move the file aside ` +
      `to start with an empty history, or restore it from a backup.`,
    { cause },
  );
}

export function tooNewError(dbPath: string, found: number, known: number): ParleyError {
  return new ParleyError(
    'STORE_TOO_NEW',
    `The message database ${dbPath} was written by a newer version of Parley (schema version ` +
      `${found}; this version knows up to ${known}). Update Parley, or use another data folder.`,
  );
}

export function unwritableDirError(dbPath: string, cause: unknown, why?: string): ParleyError {
  const dir = path.dirname(dbPath);
  return new ParleyError(
    'DATA_DIR_UNWRITABLE',
    `Parley cannot create or write the message database ${dbPath} in the data folder ${dir} ` +
      `(${why ?? detail(cause)}). Check that the folder exists and that you may write to it, ` +
      `or choose another data folder.`,
    { cause },
  );
}

export function notOpenError(dbPath: string): ParleyError {
  return new ParleyError(
    'STORE_FAILED',
    `The message database ${dbPath} is not open (Parley is starting or shutting down). ` +
      `Try again in a moment.`,
  );
}

/** Maps an error thrown by a file-system call on the data folder. */
export function fromFsError(err: unknown, dbPath: string): ParleyError {
  if (err instanceof ParleyError) return err;
  const code = primaryCode(err);
  const why = code === undefined ? undefined : UNWRITABLE_ERRNOS.get(code);
  if (why !== undefined) return unwritableDirError(dbPath, err, why);
  return new ParleyError(
    'STORE_FAILED',
    `The data folder ${path.dirname(dbPath)} could not be prepared (${detail(err)}).`,
    { cause: err },
  );
}

/** Maps an error thrown by better-sqlite3 while opening or using the database. */
export function fromSqliteError(err: unknown, dbPath: string): ParleyError {
  if (err instanceof ParleyError) return err;
  const code = primaryCode(err);
  if (code && CORRUPT_CODES.has(code)) return corruptError(dbPath, detail(err), err);
  if (code && UNWRITABLE_CODES.has(code)) return unwritableDirError(dbPath, err);
  let advice = 'Try again; if it keeps failing, restart Parley.';
  if (code === 'SQLITE_FULL') advice = 'The disk is full: free some space and try again.';
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    advice = 'Another program is using it: close other copies of Parley and try again.';
  }
  return new ParleyError(
    'STORE_FAILED',
    `The message database ${dbPath} could not be read or written (${detail(err)}). ${advice}`,
    { cause: err },
  );
}
