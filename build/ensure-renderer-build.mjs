// `npm run serve` runs this first: it builds the renderer (electron-vite build) when
// out/renderer is missing or older than the renderer's sources (renderer/, shared/), so the
// web GUI that `parley serve --ui` serves is never a stale build after a `git pull`.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'out', 'renderer', 'index.html');

/** The newest modification time of any file below `dir` (0 when there is none). */
function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) latest = Math.max(latest, newest(path));
    else latest = Math.max(latest, statSync(path).mtimeMs);
  }
  return latest;
}

const sources = Math.max(
  newest(join(root, 'renderer')),
  newest(join(root, 'shared')),
  statSync(join(root, 'electron.vite.config.ts')).mtimeMs,
);
if (existsSync(built) && statSync(built).mtimeMs >= sources) process.exit(0);

console.log(
  existsSync(built)
    ? 'The web GUI build is older than its sources: building it again…'
    : 'Building the web GUI (first start)…',
);
const bin = join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
execFileSync(process.execPath, [bin, 'build'], { cwd: root, stdio: 'inherit' });
