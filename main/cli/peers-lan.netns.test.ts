// Three real Parley nodes on three hosts of a test LAN (network namespaces on a bridge), with
// real multicast crossing hosts: they list each other, a host whose cable is pulled goes
// offline, and comes back and relinks when it is plugged in again.
import { afterAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { tempDirs } from '../core/testing/temp-dir';
import {
  createTestLan,
  netnsUnavailableReason,
  removeStaleLans,
  type LanHost,
  type TestLan,
} from '../core/testing/netns';
import { waitFor } from '../core/testing/wait';
import { PARLEY_BIN } from './testing/run-cli';

const skip = netnsUnavailableReason();
const ANNOUNCE_MS = 500;
const dirs = tempDirs();
let lan: TestLan | undefined;
const servers: ChildProcess[] = [];

afterAll(async () => {
  for (const s of servers) s.kill('SIGTERM');
  await Promise.all(
    servers.map((s) => (s.exitCode === null ? new Promise((r) => s.once('exit', r)) : null)),
  );
  lan?.destroy();
  dirs.cleanup();
});

interface Running {
  host: LanHost;
  dataDir: string;
  deviceId: string;
}

interface PeerRow {
  deviceId: string;
  name: string;
  address: string | null;
  online: boolean;
  linked: boolean;
  lastSeen: number | null;
}

function run(lanHost: LanHost, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = lan!.spawnIn(lanHost, process.execPath, [PARLEY_BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`parley ${args[0]} exited ${code}: ${err}`)),
    );
  });
}

async function serve(lanHost: LanHost, name: string): Promise<Running> {
  const dataDir = dirs.make();
  const child = lan!.spawnIn(
    lanHost,
    process.execPath,
    [
      PARLEY_BIN,
      'serve',
      '--data-dir',
      dataDir,
      '--name',
      name,
      '--json',
      '--port',
      '0',
      '--discovery-interface',
      lanHost.address,
      '--announce-interval',
      String(ANNOUNCE_MS),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PARLEY_LOG_LEVEL: 'warn' } },
  );
  servers.push(child);
  const ready = await new Promise<{ deviceId: string }>((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)));
    });
    child.on('exit', (code) => reject(new Error(`serve on ${lanHost.ns} exited ${code}`)));
  });
  return { host: lanHost, dataDir, deviceId: ready.deviceId };
}

async function peersOf(node: Running): Promise<PeerRow[]> {
  return JSON.parse(
    await run(node.host, ['peers', '--data-dir', node.dataDir, '--json']),
  ) as PeerRow[];
}

const row = async (of: Running, about: Running): Promise<PeerRow | undefined> =>
  (await peersOf(of)).find((p) => p.deviceId === about.deviceId);

describe.skipIf(skip !== undefined)(
  `three hosts on a test LAN${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    it('find each other over real multicast, notice a pulled cable, and relink when it is back', async () => {
      removeStaleLans();
      lan = createTestLan(3);
      const nodes = await Promise.all(lan.hosts.map((h, i) => serve(h, `Host ${i + 1}`)));
      const [one, two, three] = nodes as [Running, Running, Running];

      for (const a of nodes) {
        for (const b of nodes) {
          if (a === b) continue;
          const seen = await waitFor(async () => {
            const r = await row(a, b);
            return r?.online && r.linked ? r : undefined;
          }, `${a.host.ns} lists ${b.host.ns}`);
          expect(seen.address).toMatch(
            new RegExp(`^${b.host.address.replace(/\./g, '\\.')}:\\d+$`),
          );
        }
      }

      lan.unplug(three.host);
      for (const a of [one, two]) {
        const gone = await waitFor(async () => {
          const r = await row(a, three);
          return r && !r.online && !r.linked ? r : undefined;
        }, `${a.host.ns} marks ${three.host.ns} offline`);
        expect(gone.lastSeen).toBeGreaterThan(0);
      }
      // The two that can still see each other stay linked.
      expect(await row(one, two)).toMatchObject({ online: true, linked: true });

      lan.plug(three.host);
      for (const [a, b] of [
        [one, three],
        [two, three],
        [three, one],
        [three, two],
      ] as const) {
        await waitFor(async () => {
          const r = await row(a, b);
          return r?.online && r.linked;
        }, `${a.host.ns} relinked with ${b.host.ns}`);
      }
    });
  },
);
