/**
 * Real headless Parley nodes for the web GUI end-to-end suite: each one is `parley serve --ui`
 * in its own process and data folder, and together they form a LAN on loopback.
 *
 * What must stay true:
 * - Discovery is pinned to 127.0.0.1 on one random port shared by the nodes of one LAN
 *   (safeServeArgs), so nothing a test does leaves this computer and parallel runs do not meet.
 * - close() stops every process it started (SIGTERM, then SIGKILL if one hangs) and deletes
 *   every data folder, also when a test failed half-way.
 */
import { z } from 'zod';
import {
  killAllCliChildren,
  PARLEY_BUNDLE,
  safeServeArgs,
  startCli,
} from '../../main/cli/testing/run-cli';
import { tempDirs } from '../../main/core/testing/temp-dir';

/** How often a node announces itself: fast, so peers find each other within a second. */
const ANNOUNCE_INTERVAL_MS = 500;
/** A node gets this long to close cleanly after SIGTERM before it is killed. */
const CLOSE_GRACE_MS = 10_000;

/** The ready line of `parley serve --json --ui`: only the fields this suite uses. */
const ReadyLine = z.object({
  event: z.literal('ready'),
  deviceId: z.string(),
  shortId: z.string(),
  name: z.string(),
  uiUrl: z.string().startsWith('http://127.0.0.1:'),
});

export interface LanNode {
  /** The name the node was started with (`--name`). */
  name: string;
  deviceId: string;
  shortId: string;
  /** The web GUI's address with its access token in the fragment. */
  uiUrl: string;
}

export interface Lan {
  nodes: LanNode[];
  /** What the nodes wrote to stderr so far (warnings and errors), by node name. */
  logs(): string;
  close(): Promise<void>;
}

/** Starts one `parley serve --ui` per name and waits until each has printed its ready line. */
export async function startLan(names: string[]): Promise<Lan> {
  const dirs = tempDirs();
  const shared = [...safeServeArgs(), '--announce-interval', String(ANNOUNCE_INTERVAL_MS)];
  // The bundle `npm run serve` runs (test:e2e builds it first), not the sources through tsx.
  const procs = names.map((name) =>
    startCli(
      [
        'serve',
        '--ui',
        '--ui-port',
        '0',
        '--json',
        '--data-dir',
        dirs.make('parley-e2e-web-'),
        '--name',
        name,
        ...shared,
      ],
      {},
      PARLEY_BUNDLE,
    ),
  );

  const stderr = procs.map(({ child }) => {
    const seen = { text: '' };
    child.stderr?.on('data', (chunk: string) => (seen.text += chunk));
    return seen;
  });
  const logs = (): string =>
    names.map((name, i) => `--- ${name} ---\n${stderr[i]?.text ?? ''}`).join('\n');

  const close = async (): Promise<void> => {
    await Promise.all(
      procs.map(async ({ child, result }) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const hung = setTimeout(() => child.kill('SIGKILL'), CLOSE_GRACE_MS);
        await result;
        clearTimeout(hung);
      }),
    );
    killAllCliChildren();
    dirs.cleanup();
  };

  try {
    const nodes = await Promise.all(
      procs.map(async ({ firstLine }) => {
        const ready = ReadyLine.parse(JSON.parse(await firstLine));
        return {
          name: ready.name,
          deviceId: ready.deviceId,
          shortId: ready.shortId,
          uiUrl: ready.uiUrl,
        };
      }),
    );
    return { nodes, logs, close };
  } catch (err) {
    await close();
    throw err;
  }
}
