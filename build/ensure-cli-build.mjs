// `npm run serve` runs this first: it bundles the `parley` command (main/cli/main.ts and all it
// imports from main/ and shared/) into one JavaScript file, out/cli/parley.mjs, for plain
// Node. The bin main/cli/bin/parley.mjs runs the sources through tsx instead, which is handy
// while developing but costs a node about 40 MiB of resident memory (tsx's loader thread and
// compiler), half of the 80 MiB goal.
//
// The bundle is made again when it is missing, or when any file it was made from (listed in
// out/cli/parley.inputs.json), the TypeScript settings or this script is newer. npm packages
// stay outside (better-sqlite3 is native) and are loaded from node_modules at run time.
// The bundle is written to a temporary file and renamed, so that a second `npm run serve`
// starting at the same time never runs half a file.
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'out', 'cli');
const CLI_BUNDLE = join(outDir, 'parley.mjs');
const INPUTS = join(outDir, 'parley.inputs.json');
/** Besides the bundled sources: what changes how they are compiled. */
const SETTINGS = ['tsconfig.json', 'tsconfig.base.json', 'build/ensure-cli-build.mjs'];

/** The bin's job (main/cli/bin/parley.mjs), minus tsx: given to esbuild as text. */
const ENTRY_NAME = 'parley-cli-entry.mjs';
const ENTRY = `import { main } from './main/cli/main.ts';
process.exitCode = await main(process.argv.slice(2));
`;

function mtime(path) {
  return existsSync(path) ? statSync(path).mtimeMs : Number.POSITIVE_INFINITY;
}

/** Whether out/cli/parley.mjs is missing or older than anything it was made from. */
function cliBundleIsStale() {
  if (!existsSync(CLI_BUNDLE) || !existsSync(INPUTS)) return true;
  const built = statSync(CLI_BUNDLE).mtimeMs;
  let inputs;
  try {
    inputs = JSON.parse(readFileSync(INPUTS, 'utf8'));
  } catch {
    return true;
  }
  if (!Array.isArray(inputs) || inputs.length === 0) return true;
  return [...inputs, ...SETTINGS].some((path) => mtime(join(root, String(path))) > built);
}

/** Bundles the command into out/cli/parley.mjs. */
async function buildCliBundle() {
  const { build } = await import('esbuild');
  const result = await build({
    stdin: { contents: ENTRY, resolveDir: root, sourcefile: ENTRY_NAME, loader: 'js' },
    outfile: CLI_BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    metafile: true,
    write: false,
    logLevel: 'warning',
    absWorkingDir: root,
  });
  const [bundle] = result.outputFiles;
  const inputs = Object.keys(result.metafile.inputs)
    .filter((path) => path !== ENTRY_NAME)
    .map((path) => relative(root, join(root, path)));
  mkdirSync(outDir, { recursive: true });
  // The list goes first: should the two be read in between, the bundle is older than its new
  // list's files and only made once more.
  writeAtomically(INPUTS, `${JSON.stringify(inputs, null, 1)}\n`);
  writeAtomically(CLI_BUNDLE, bundle.contents);
}

function writeAtomically(path, contents) {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}

if (cliBundleIsStale()) {
  console.error(
    existsSync(CLI_BUNDLE)
      ? 'The parley command bundle is older than its sources: bundling it again…'
      : 'Bundling the parley command (first start)…',
  );
  await buildCliBundle();
}
