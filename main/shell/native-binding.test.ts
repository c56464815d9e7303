import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveSqliteNativeBinding } from './native-binding';

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'parley-native-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const base = () => ({
  isPackaged: false,
  resourcesPath: path.join(root, 'resources'),
  projectRoot: root,
  electronVersion: '45.4.1',
});

function writeDevBinary(record?: object): string {
  const dir = path.join(root, 'node_modules', '.parley-electron');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'better_sqlite3.node'), '');
  if (record) writeFileSync(path.join(dir, 'better_sqlite3.json'), JSON.stringify(record));
  return path.join(dir, 'better_sqlite3.node');
}

describe('resolveSqliteNativeBinding', () => {
  it('finds the development binary built for this Electron', () => {
    const binary = writeDevBinary({ electron: '45.4.1' });
    expect(resolveSqliteNativeBinding(base())).toBe(binary);
  });

  it('tells the developer what to run when the binary is missing', () => {
    expect(() => resolveSqliteNativeBinding(base())).toThrow(/npm run rebuild:electron/);
  });

  it('refuses a binary built for another Electron', () => {
    writeDevBinary({ electron: '44.0.0' });
    expect(() => resolveSqliteNativeBinding(base())).toThrow(
      /built for Electron 44\.0\.0, but this is Electron 45\.4\.1.*npm run rebuild:electron/,
    );
  });

  it('uses resources/native in a packaged app', () => {
    const dir = path.join(root, 'resources', 'native');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'better_sqlite3.node'), '');
    expect(resolveSqliteNativeBinding({ ...base(), isPackaged: true })).toBe(
      path.join(dir, 'better_sqlite3.node'),
    );
    rmSync(dir, { recursive: true });
    expect(() => resolveSqliteNativeBinding({ ...base(), isPackaged: true })).toThrow(/reinstall/);
  });

  it('lets PARLEY_SQLITE_BINDING win', () => {
    writeDevBinary({ electron: '45.4.1' });
    const custom = path.join(root, 'custom.node');
    writeFileSync(custom, '');
    expect(resolveSqliteNativeBinding({ ...base(), override: custom })).toBe(custom);
  });
});
