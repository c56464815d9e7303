/**
 * Where a headless node keeps its data when no --data-dir is given: $PARLEY_DATA_DIR, else the
 * platform's usual place for application data. (The desktop app uses Electron's userData.)
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env['PARLEY_DATA_DIR']) return env['PARLEY_DATA_DIR'];
  switch (process.platform) {
    case 'darwin':
      return join(homedir(), 'Library', 'Application Support', 'Parley', 'node');
    case 'win32':
      return join(env['APPDATA'] ?? join(homedir(), 'AppData', 'Roaming'), 'Parley', 'node');
    default:
      return join(env['XDG_DATA_HOME'] || join(homedir(), '.local', 'share'), 'parley');
  }
}
