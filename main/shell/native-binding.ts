/**
 * Finds the better-sqlite3 native binary built for Electron's ABI.
 *
 * `npm install` builds better-sqlite3 for plain Node (tests, CLI, `parley serve`); Electron
 * embeds a different Node ABI and cannot load that binary. build/rebuild-native-for-electron.mjs
 * builds a second copy for the installed Electron into node_modules/.parley-electron/, leaving
 * the plain-Node one alone, and electron-builder ships that copy as resources/native/.
 *
 * Guarantees: returns the path of an existing binary, built for this Electron version when a
 * build record says so; otherwise throws an Error whose message tells the developer what to run.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Written by build/rebuild-native-for-electron.mjs (keep the two in step). */
const ELECTRON_NATIVE_DIR = path.join('node_modules', '.parley-electron');
const BINARY = 'better_sqlite3.node';
const BUILD_RECORD = 'better_sqlite3.json';
const FIX_DEV =
  'Run `npm run rebuild:electron` (it builds better-sqlite3 for Electron), then start again.';
const FIX_INSTALLED = 'This installation of Parley is incomplete; reinstall it.';

export interface NativeBindingOptions {
  isPackaged: boolean;
  /** process.resourcesPath of the packaged app. */
  resourcesPath: string;
  /** The repository root in development (the folder holding node_modules). */
  projectRoot: string;
  /** process.versions.electron */
  electronVersion: string;
  /** An explicit path (PARLEY_SQLITE_BINDING) that wins over both. */
  override?: string;
}

export function resolveSqliteNativeBinding(options: NativeBindingOptions): string {
  if (options.override) return requireFile(path.resolve(options.override), FIX_DEV);
  if (options.isPackaged) {
    return requireFile(path.join(options.resourcesPath, 'native', BINARY), FIX_INSTALLED);
  }
  const dir = path.join(options.projectRoot, ELECTRON_NATIVE_DIR);
  const binary = requireFile(path.join(dir, BINARY), FIX_DEV);
  const builtFor = readBuildRecord(path.join(dir, BUILD_RECORD))?.electron;
  if (builtFor && builtFor !== options.electronVersion) {
    throw new Error(
      `The SQLite module in ${dir} was built for Electron ${builtFor}, but this is Electron ` +
        `${options.electronVersion}. ${FIX_DEV}`,
    );
  }
  return binary;
}

function requireFile(file: string, fix: string): string {
  if (fs.existsSync(file)) return file;
  throw new Error(`The SQLite module for Electron is missing: ${file} was not found. ${fix}`);
}

function readBuildRecord(file: string): { electron?: unknown } | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as { electron?: unknown };
  } catch {
    return undefined;
  }
}
