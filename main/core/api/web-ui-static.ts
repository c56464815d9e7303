/**
 * The static half of the web GUI: serves the built renderer (out/renderer) and nothing else.
 *
 * What must stay true:
 * - Only regular files inside the renderer folder are served: no `..`, no dotfiles, no symlink
 *   that leads out, no directory listings.
 * - Every response carries the desktop renderer's own Content-Security-Policy, read from the
 *   built index.html (the build checks that its <meta> equals main/shell/csp.ts PRODUCTION_CSP),
 *   with one addition: `connect-src` names this server's WebSocket origin. The <meta> in the
 *   served index.html is rewritten to the same policy, so the two never disagree.
 * - Content types are set from the extension and `nosniff` forbids guessing; the page cannot be
 *   framed and sends no Referer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile, realpath, stat } from 'node:fs/promises';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ParleyError } from '../../../shared/errors';
import { loopbackHosts } from './loopback-guard';

/**
 * Where `npm run build` (electron-vite build) writes the renderer in this checkout: out/renderer
 * in the nearest folder above this module that holds a package.json. This module runs from two
 * depths, main/core/api/ in the sources and out/cli/ in the bundle `npm run serve` runs
 * (build/ensure-cli-build.mjs), so a fixed relative path would be wrong in one of them.
 */
export const DEFAULT_RENDERER_DIR = join(
  packageRoot(dirname(fileURLToPath(import.meta.url))),
  'out',
  'renderer',
);

function packageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return resolve(from, '..', '..', '..'); // as laid out in the sources
  }
}

const INDEX_FILE = 'index.html';
const CSP_META = /(<meta\s+http-equiv="Content-Security-Policy"\s+content=")([^"]*)("\s*\/?>)/i;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

export interface RendererBuild {
  /** The renderer folder, with symlinks resolved. */
  readonly root: string;
  /** The page's own policy, from the <meta> of the built index.html. */
  readonly pagePolicy: string;
}

/** Checks that `dir` holds a built renderer, or says in words how to build it. */
export function findRendererBuild(dir: string): RendererBuild {
  const root = resolve(dir);
  const index = join(root, INDEX_FILE);
  if (!existsSync(index)) {
    throw new ParleyError(
      'INTERNAL',
      `The web GUI is not built (there is no ${index}). Run "npm run build" in the Parley folder, then start again.`,
    );
  }
  const match = CSP_META.exec(readFileSync(index, 'utf8'));
  if (!match) {
    throw new ParleyError(
      'INTERNAL',
      `${index} has no Content-Security-Policy: it is not a Parley build. Run "npm run build" again.`,
    );
  }
  return { root: realpathSync(root), pagePolicy: match[2]! };
}

/** The page's policy with this server's WebSocket origins added to `connect-src`. */
export function webUiPolicy(pagePolicy: string, port: number): string {
  const sockets = loopbackHosts(port)
    .map((host) => `ws://${host}`)
    .join(' ');
  const directives = pagePolicy
    .split(';')
    .map((d) => d.trim())
    .filter(Boolean);
  const at = directives.findIndex((d) => /^connect-src\s/i.test(d));
  if (at >= 0) directives[at] = `${directives[at]} ${sockets}`;
  else directives.push(`connect-src 'self' ${sockets}`);
  return directives.join('; ');
}

/**
 * The file a URL path names inside `root` (a real path), or undefined when it names nothing servable there.
 * `/` is index.html.
 */
export async function resolveStaticFile(
  root: string,
  urlPath: string,
): Promise<string | undefined> {
  let path: string;
  try {
    path = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (path === '/' || path === '') path = `/${INDEX_FILE}`;
  const segments = path.split(/[/\\]/).filter(Boolean);
  // No parent steps, no dotfiles, no NUL, no drive letters: a plain relative path or nothing.
  if (segments.some((s) => s.startsWith('.') || s.includes('\0') || s.includes(':'))) {
    return undefined;
  }
  const candidate = join(root, ...segments);
  try {
    const real = await realpath(candidate);
    if (!real.startsWith(root + sep)) return undefined;
    return (await stat(real)).isFile() ? real : undefined;
  } catch {
    return undefined;
  }
}

/** Headers every response of the web GUI carries, static or not. */
export function securityHeaders(policy: string): Record<string, string> {
  return {
    'Content-Security-Policy': policy,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cache-Control': 'no-cache',
  };
}

/** Answers a GET or HEAD for a static file (404 when there is none). */
export async function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  urlPath: string,
  build: RendererBuild,
  policy: string,
): Promise<void> {
  const file = await resolveStaticFile(build.root, urlPath);
  if (!file) return sendText(res, 404, 'Not found.', policy);
  let body = await readFile(file);
  if (file === join(build.root, INDEX_FILE)) {
    body = Buffer.from(
      body
        .toString('utf8')
        .replace(CSP_META, (_m, open: string, _old, close: string) => open + policy + close),
    );
  }
  res.writeHead(200, {
    ...securityHeaders(policy),
    'Content-Type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': body.length,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  policy: string,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, {
    ...securityHeaders(policy),
    ...extra,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}
