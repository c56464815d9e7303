// Builds better-sqlite3 for the installed Electron's ABI, into
//   node_modules/.parley-electron/better_sqlite3.node   (+ better_sqlite3.json: what it was built for)
// without touching node_modules/better-sqlite3, which `npm install` built for plain Node and
// which the tests, the CLI and `parley serve` keep using. main/shell/native-binding.ts loads
// the Electron copy in development, and build/electron-builder.yml ships it in the package.
//
// How: copy the better-sqlite3 package (sources, no build output) into a scratch project under
// node_modules/.parley-electron/work/, and let @electron/rebuild build it there: it downloads
// better-sqlite3's prebuilt binary for this Electron when one exists, else compiles it against
// Electron's headers (needs a C++ toolchain). Both need the network the first time.
//
// Runs in a few milliseconds when the binary is already built for this Electron and this
// better-sqlite3 (so `npm start` can run it every time); `--force` rebuilds anyway.
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(path.join(root, 'package.json'));
// Keep in step with main/shell/native-binding.ts.
const outDir = path.join(root, 'node_modules', '.parley-electron');
const binary = path.join(outDir, 'better_sqlite3.node');
const record = path.join(outDir, 'better_sqlite3.json');

const sqliteDir = path.dirname(require.resolve('better-sqlite3/package.json'));
const wanted = {
  electron: require('electron/package.json').version,
  betterSqlite3: require('better-sqlite3/package.json').version,
  platform: process.platform,
  arch: process.arch,
};

if (!process.argv.includes('--force') && existsSync(binary) && sameAs(readRecord(), wanted)) {
  console.log(`better-sqlite3 for Electron ${wanted.electron} is up to date (${binary})`);
  process.exit(0);
}

const work = path.join(outDir, 'work');
const moduleCopy = path.join(work, 'node_modules', 'better-sqlite3');
const buildOutput = path.join(sqliteDir, 'build');

try {
  console.log(`Building better-sqlite3 ${wanted.betterSqlite3} for Electron ${wanted.electron}…`);
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  await cp(sqliteDir, moduleCopy, {
    recursive: true,
    filter: (src) => src !== buildOutput && !src.startsWith(buildOutput + path.sep),
  });
  await writeFile(
    path.join(work, 'package.json'),
    JSON.stringify({
      name: 'parley-electron-native',
      private: true,
      dependencies: { 'better-sqlite3': wanted.betterSqlite3 },
    }),
  );

  const { rebuild } = await import('@electron/rebuild');
  await rebuild({
    buildPath: work,
    // Stops @electron/rebuild from walking up into the project's own node_modules.
    projectRootPath: work,
    electronVersion: wanted.electron,
    onlyModules: ['better-sqlite3'],
    force: true,
  });

  const built = path.join(moduleCopy, 'build', 'Release', 'better_sqlite3.node');
  if (!existsSync(built)) throw new Error(`the rebuild finished but ${built} is missing`);
  await copyFile(built, binary);
  await writeFile(record, JSON.stringify(wanted, null, 2) + '\n');
  await rm(work, { recursive: true, force: true });
  console.log(`Built ${binary}`);
} catch (err) {
  console.error(
    `Could not build better-sqlite3 for Electron ${wanted.electron}: ${err instanceof Error ? err.message : err}\n` +
      'It needs the network (a prebuilt download, or Electron headers) and, without a prebuilt ' +
      'binary, a C++ toolchain (python3, make, g++). The scratch copy is kept in ' +
      `${work} for inspection.`,
  );
  process.exit(1);
}

function readRecord() {
  try {
    return JSON.parse(readFileSync(record, 'utf8'));
  } catch {
    return undefined;
  }
}

function sameAs(a, b) {
  return !!a && Object.keys(b).every((key) => a[key] === b[key]);
}
