/**
 * Test helpers for the web GUI: make sure the renderer is built (tests that serve it need the
 * real out/renderer), and a `ws` client that talks the web bridge's frames the way the browser
 * client does.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { WEB_BRIDGE_PROTOCOL, WEB_BRIDGE_TOKEN_PREFIX } from '../../../shared/web-bridge';
import { DEFAULT_RENDERER_DIR } from './web-ui-static';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Builds the app (electron-vite build, about two seconds) when out/renderer is missing. */
export function ensureRendererBuilt(): void {
  if (existsSync(join(DEFAULT_RENDERER_DIR, 'index.html'))) return;
  execFileSync(
    process.execPath,
    [join(REPO_ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'],
    {
      cwd: REPO_ROOT,
      stdio: 'ignore',
    },
  );
}

/**
 * A copy of the built renderer in `dir`, so that a test does not see out/renderer emptied by a
 * build that runs at the same time.
 */
export function copyOfRendererBuild(dir: string): string {
  ensureRendererBuilt();
  cpSync(DEFAULT_RENDERER_DIR, dir, { recursive: true });
  return dir;
}

export interface BridgeClientOptions {
  token?: string | undefined;
  origin?: string | undefined;
  host?: string;
  path?: string;
}

/** Opens a bridge socket as a browser would, with what the test chooses to send. */
export function openBridge(port: number, options: BridgeClientOptions = {}): WebSocket {
  const protocols = [WEB_BRIDGE_PROTOCOL];
  if (options.token !== undefined) protocols.push(WEB_BRIDGE_TOKEN_PREFIX + options.token);
  const host = options.host ?? `127.0.0.1:${port}`;
  return new WebSocket(`ws://127.0.0.1:${port}${options.path ?? '/api/v1/ws'}`, protocols, {
    headers: { Host: host },
    ...(options.origin !== undefined ? { origin: options.origin } : {}),
  });
}

/** Resolves 'open' or the HTTP status the upgrade was refused with. */
export function upgradeOutcome(ws: WebSocket): Promise<'open' | number> {
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve('open'));
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

/** Collects every frame a bridge socket receives, parsed. */
export function frameLog(ws: WebSocket): unknown[] {
  const frames: unknown[] = [];
  ws.on('message', (data) => frames.push(JSON.parse(data.toString())));
  return frames;
}
