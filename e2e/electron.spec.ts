/**
 * The desktop app end to end: the built app (out/main/index.js) in a real Electron, on a fresh
 * data folder. Checks what the shell promises: a hardened window, a bridge that exposes only
 * invoke and on, the node's identity on screen, a name change that shows, no way out of the
 * app by window.open or navigation, a system notification when a message arrives from a
 * second node (a real `parley serve`, discovery pinned to loopback, met as a manual peer), and
 * a window.focus() from a click in the page raising a minimised window (what a notification
 * click does).
 *
 * Runs where the Electron binary is installed; elsewhere (ELECTRON_SKIP_BINARY_DOWNLOAD=1) it
 * reports itself skipped. It needs `npm run build` first (npm test does that), and builds
 * better-sqlite3 for Electron itself if needed (build/rebuild-native-for-electron.mjs).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import {
  _electron as electron,
  expect,
  test,
  type ElectronApplication,
  type Page,
} from '@playwright/test';
import { killAllCliChildren, runCli, safeServeArgs, startCli } from '../main/cli/testing/run-cli';

const root = path.resolve(import.meta.dirname, '..');
const mainBundle = path.join(root, 'out', 'main', 'index.js');

/**
 * The installed Electron binary, if any. Found through electron's path.txt, not through
 * require('electron'): that one tries to download the binary when it is missing.
 */
function findElectron(): string | undefined {
  const dir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  const pathFile = path.join(dir, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const binary = path.join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : undefined;
}

const electronPath = findElectron();
const SKIP_REASON =
  'Electron binary not installed (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1); this spec runs where Electron is installed';

test.skip(electronPath === undefined, SKIP_REASON);
test.describe.configure({ mode: 'serial' });

interface Api {
  invoke(name: string, args: unknown): Promise<{ ok: boolean; value?: Record<string, string> }>;
}

/**
 * Calls window.parley.invoke in the page. The page function must be self-contained (Playwright
 * sends its source text), hence the inline cast rather than a helper.
 */
function invoke(name: string, args: unknown = {}) {
  return page.evaluate(([n, a]) => (globalThis as unknown as { parley: Api }).parley.invoke(n, a), [
    name,
    args,
  ] as const);
}

let app: ElectronApplication;
let page: Page;
let dataDir: string;
let peerDir: string | undefined;

test.beforeAll(async () => {
  test.setTimeout(300_000); // the first native rebuild may download or compile
  expect(existsSync(mainBundle), `${mainBundle} is missing: run npm run build first`).toBe(true);
  execFileSync(process.execPath, [path.join(root, 'build', 'rebuild-native-for-electron.mjs')], {
    stdio: 'inherit',
  });

  dataDir = mkdtempSync(path.join(os.tmpdir(), 'parley-e2e-'));
  const { ELECTRON_RENDERER_URL: _devServer, ...env } = process.env;
  app = await electron.launch({
    executablePath: electronPath,
    // Chromium refuses to run as root with its OS sandbox (CI containers); the window's
    // `sandbox: true` renderer setting, which this spec checks, is unaffected.
    args: [mainBundle, ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])],
    cwd: root,
    // Discovery pinned to loopback: a test never multicasts on a real network.
    env: { ...env, PARLEY_DATA_DIR: dataDir, PARLEY_DISCOVERY_INTERFACES: '127.0.0.1' },
  });
  page = await app.firstWindow();
  await expect(page.getByTestId('device-id')).toBeVisible();
});

test.afterAll(async () => {
  await app?.close();
  killAllCliChildren();
  for (const dir of [dataDir, peerDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the window is sandboxed, isolated and has no Node', async () => {
  const prefs = await app.evaluate(({ BrowserWindow }) => {
    // getLastWebPreferences is real but undocumented (Electron's own specs use it), hence the cast.
    const contents = BrowserWindow.getAllWindows()[0]?.webContents as
      { getLastWebPreferences?(): Record<string, unknown> | null } | undefined;
    const p = contents?.getLastWebPreferences?.();
    return {
      sandbox: p?.['sandbox'],
      contextIsolation: p?.['contextIsolation'],
      nodeIntegration: p?.['nodeIntegration'],
      webSecurity: p?.['webSecurity'],
    };
  });
  expect(prefs).toEqual({
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    webSecurity: true,
  });
  expect(await page.evaluate('typeof require')).toBe('undefined');
  expect(await page.evaluate('typeof process')).toBe('undefined');
});

test('window.parley exposes exactly invoke and on', async () => {
  const keys = await page.evaluate(() =>
    Object.keys((globalThis as unknown as { parley: Api }).parley).sort(),
  );
  expect(keys).toEqual(['invoke', 'on']);
  const unknown = await invoke('no.such.command', {});
  expect(unknown).toMatchObject({ ok: false, error: { code: 'UNKNOWN_COMMAND' } });
});

test('the page shows the node’s device ID and fingerprint', async () => {
  const result = await invoke('identity.get', {});
  expect(result.ok).toBe(true);
  await expect(page.getByTestId('device-id')).toHaveText(result.value!['deviceId']!);
  await expect(page.getByTestId('fingerprint')).toHaveText(result.value!['fingerprint']!);
});

test('changing the display name updates the view', async () => {
  const input = page.getByLabel('Display name');
  await input.fill('E2E Tester');
  await input.press('Enter');
  await expect(page.getByText('Saved.')).toBeVisible();
  await expect(input).toHaveValue('E2E Tester');

  // A change made elsewhere reaches the view through the identity.updated event.
  await invoke('identity.setName', { name: 'Renamed' });
  await expect(input).toHaveValue('Renamed');

  // A refused name is explained in words, and the saved name stays.
  await input.fill('   ');
  await input.press('Enter');
  await expect(page.getByText('A display name cannot be empty.')).toBeVisible();
  const after = await invoke('identity.get', {});
  expect(after.value?.['name']).toBe('Renamed');
});

test('window.open is refused', async () => {
  const opened = await page.evaluate('window.open("https://example.com/") === null');
  expect(opened).toBe(true);
  expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
});

test('navigating away is blocked', async () => {
  const before = page.url();
  await page.evaluate('location.href = "https://example.com/"');
  await page.waitForTimeout(500);
  expect(page.url()).toBe(before);
  await expect(page.getByTestId('device-id')).toBeVisible();
});

/**
 * Counts the page's `new Notification(...)` calls. Installed as an init script, so it wraps
 * the constructor before the renderer's code runs; the real notification is still shown.
 */
const COUNT_NOTIFICATIONS = `(() => {
  const Native = window.Notification;
  window.__notifications = [];
  window.Notification = class extends Native {
    constructor(title, options) {
      super(title, options);
      window.__notifications.push({ title, body: options?.body ?? '', tag: options?.tag ?? '' });
    }
  };
})()`;

/** Runs a `parley` command against the second node; its --json output, parsed. */
async function peerCli(args: string[]): Promise<unknown> {
  const r = await runCli([...args, '--data-dir', peerDir!, '--json']);
  if (r.code !== 0) throw new Error(`parley ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

test('a message from another node is shown as a system notification', async () => {
  test.setTimeout(120_000);
  await app.context().addInitScript(COUNT_NOTIFICATIONS);
  await page.reload();
  await expect(page.getByTestId('device-id')).toBeVisible();
  expect(await page.evaluate('Notification.permission')).toBe('granted');

  peerDir = mkdtempSync(path.join(os.tmpdir(), 'parley-e2e-peer-'));
  const bob = startCli([
    'serve',
    '--data-dir',
    peerDir,
    '--name',
    'Bob',
    ...safeServeArgs(),
    '--json',
  ]);
  const ready = JSON.parse(await bob.firstLine) as { peerPort: number };

  const me = await invoke('identity.get', {});
  const added = await invoke('peers.add', { address: `127.0.0.1:${ready.peerPort}` });
  expect(added.ok).toBe(true);
  const linked = async (): Promise<boolean> => {
    const peers = (await peerCli(['peers'])) as Array<{ deviceId: string; linked: boolean }>;
    return peers.some((p) => p.deviceId === me.value!['deviceId'] && p.linked);
  };
  await expect.poll(linked, { timeout: 30_000 }).toBe(true);

  const created = await runCli(['rooms', 'create', 'Standup', '--data-dir', peerDir]);
  expect(created.code).toBe(0);
  const roomId = created.stdout.trim();
  await expect
    .poll(async () => JSON.stringify(await peerCli(['invite', roomId, me.value!['deviceId']!])), {
      timeout: 30_000,
    })
    .toContain('"memberCount":2');
  await expect
    .poll(async () => JSON.stringify(await invoke('rooms.list', {})), { timeout: 30_000 })
    .toContain(roomId);

  await peerCli(['send', roomId, 'Stand-up in five minutes']);
  await expect
    .poll(() => page.evaluate('window.__notifications'), { timeout: 30_000 })
    .toContainEqual(expect.objectContaining({ body: expect.stringContaining('Stand-up in five') }));
});

test('window.focus() from a click in the page raises the minimised window', async () => {
  // What a notification's click handler does; the click gives the page user activation.
  const box = (await page.evaluate(`(() => {
    const b = document.createElement('button');
    b.textContent = 'focus probe';
    b.style.cssText = 'position:fixed;left:0;top:0;width:40px;height:40px;z-index:99999';
    b.onclick = () => window.focus();
    document.body.append(b);
    return { x: 20, y: 20 };
  })()`)) as { x: number; y: number };
  await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.minimize());
  const minimised = await app.evaluate(
    ({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.isMinimized() ?? false,
  );
  test.skip(!minimised, 'this display has no window manager that minimises windows');

  await page.mouse.click(box.x, box.y);
  await expect
    .poll(() =>
      app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.isMinimized()),
    )
    .toBe(false);
});
