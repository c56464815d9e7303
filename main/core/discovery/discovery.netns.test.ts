/**
 * Discovery between two "hosts": two Linux network namespaces joined by a veth pair, each
 * running a node as a child process (netns-node.testing.ts). This is where real multicast
 * crosses a link, and where IPv6 link-local discovery is tested (loopback has no link-local
 * address). Needs root; runs only where PARLEY_NETNS_TESTS=1. The namespaces are created and
 * deleted here and touch no interface of the host.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomTestPort, waitFor } from '../testing/wait';

const enabled = process.env['PARLEY_NETNS_TESTS'] === '1' && process.getuid?.() === 0;

const tag = `pdisc${process.pid % 100_000}`;
const NS = { a: `${tag}a`, b: `${tag}b` };
const LINK = { a: 'pdA', b: 'pdB' };
const V4 = { a: '10.77.0.1', b: '10.77.0.2' };
const INTERVAL_MS = 300;
const REPO_ROOT = join(import.meta.dirname, '../../..');
const CHILD = join(import.meta.dirname, 'netns-node.testing.ts');

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' }).toString();
const inNs = (ns: string, ...cmd: string[]) =>
  execFileSync('ip', ['netns', 'exec', ns, ...cmd], { stdio: 'pipe' }).toString();

interface ChildEvent {
  event: string;
  deviceId?: string;
  peer?: { deviceId: string; name: string; address: string; port: number };
  stats?: Record<string, number>;
}

interface ChildNode {
  events: ChildEvent[];
  deviceId(): string | undefined;
  stop(): Promise<void>;
}

const children: ChildProcess[] = [];

function startNode(
  ns: string,
  config: { name: string; port: number; interfaces: string[]; ipv6Interfaces?: string[] },
): ChildNode {
  const child = spawn(
    'ip',
    [
      'netns',
      'exec',
      ns,
      process.execPath,
      '--import',
      'tsx',
      CHILD,
      JSON.stringify({ ...config, intervalMs: INTERVAL_MS }),
    ],
    { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  children.push(child);
  const events: ChildEvent[] = [];
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) if (line.trim()) events.push(JSON.parse(line) as ChildEvent);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    events,
    deviceId: () => events.find((e) => e.event === 'ready')?.deviceId,
    async stop() {
      child.stdin!.end(); // the child closes its discovery and exits
      await Promise.race([exited, sleep(5_000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

function peersOf(node: ChildNode): ChildEvent['peer'][] {
  return node.events.filter((e) => e.event === 'discovered').map((e) => e.peer);
}

describe.skipIf(!enabled)('discovery across two network namespaces', () => {
  beforeAll(async () => {
    ip('netns', 'add', NS.a);
    ip('netns', 'add', NS.b);
    ip('-n', NS.a, 'link', 'add', LINK.a, 'type', 'veth', 'peer', 'name', LINK.b, 'netns', NS.b);
    for (const side of ['a', 'b'] as const) {
      // No duplicate address detection: link-local addresses are usable at once.
      inNs(NS[side], 'sysctl', '-qw', `net.ipv6.conf.${LINK[side]}.accept_dad=0`);
      ip('-n', NS[side], 'addr', 'add', `${V4[side]}/24`, 'dev', LINK[side]);
      ip('-n', NS[side], 'link', 'set', 'lo', 'up');
      ip('-n', NS[side], 'link', 'set', LINK[side], 'up');
    }
    await waitFor(
      () =>
        (['a', 'b'] as const).every((side) => {
          const out = ip('-n', NS[side], '-6', 'addr', 'show', 'dev', LINK[side], 'scope', 'link');
          return out.includes('fe80') && !out.includes('tentative');
        }),
      'IPv6 link-local addresses',
    );
  });

  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });

  afterAll(() => {
    for (const ns of [NS.a, NS.b]) {
      try {
        ip('netns', 'del', ns);
      } catch {
        // not created
      }
    }
  });

  it('finds the node on the other host over IPv4', async () => {
    const port = randomTestPort();
    const a = startNode(NS.a, { name: 'A', port, interfaces: [V4.a] });
    const b = startNode(NS.b, { name: 'B', port, interfaces: [V4.b] });
    await waitFor(() => peersOf(a).length > 0 && peersOf(b).length > 0, 'IPv4 peers');
    expect(peersOf(a)).toEqual([{ deviceId: b.deviceId(), name: 'B', address: V4.b, port: 4000 }]);
    expect(peersOf(b)).toEqual([{ deviceId: a.deviceId(), name: 'A', address: V4.a, port: 4000 }]);
    await Promise.all([a.stop(), b.stop()]);
  });

  it('finds the node on the other host over IPv6 link-local', async () => {
    const port = randomTestPort();
    const a = startNode(NS.a, { name: 'A', port, interfaces: [], ipv6Interfaces: [LINK.a] });
    const b = startNode(NS.b, { name: 'B', port, interfaces: [], ipv6Interfaces: [LINK.b] });
    await waitFor(() => peersOf(a).length > 0 && peersOf(b).length > 0, 'IPv6 peers');
    expect(peersOf(a)).toEqual([
      expect.objectContaining({
        deviceId: b.deviceId(),
        address: expect.stringMatching(/^fe80:.*%pdA$/),
      }),
    ]);
    expect(peersOf(b)).toEqual([
      expect.objectContaining({
        deviceId: a.deviceId(),
        address: expect.stringMatching(/^fe80:.*%pdB$/),
      }),
    ]);
    await Promise.all([a.stop(), b.stop()]);
  });

  it('with both families, keeps one address per peer instead of flapping', async () => {
    const port = randomTestPort();
    const a = startNode(NS.a, { name: 'A', port, interfaces: [V4.a], ipv6Interfaces: [LINK.a] });
    const b = startNode(NS.b, { name: 'B', port, interfaces: [V4.b], ipv6Interfaces: [LINK.b] });
    await waitFor(() => peersOf(a).length > 0 && peersOf(b).length > 0, 'peers');
    await sleep(INTERVAL_MS * 6);
    for (const node of [a, b]) {
      expect(node.events.map((e) => e.event)).toEqual(['ready', 'discovered']);
    }
    await Promise.all([a.stop(), b.stop()]);
  });

  it('ignores a node on the same link but another subnet', async () => {
    const port = randomTestPort();
    ip('-n', NS.a, 'addr', 'add', '10.78.0.1/24', 'dev', LINK.a);
    try {
      const stranger = startNode(NS.a, { name: 'S', port, interfaces: ['10.78.0.1'] });
      const a = startNode(NS.a, { name: 'A', port, interfaces: [V4.a] });
      const b = startNode(NS.b, { name: 'B', port, interfaces: [V4.b] });
      await waitFor(() => peersOf(a).length > 0 && peersOf(b).length > 0, 'peers');
      await sleep(INTERVAL_MS * 4);
      expect(peersOf(b).map((p) => p?.name)).toEqual(['A']);
      expect(peersOf(stranger)).toEqual([]);
      await Promise.all([a.stop(), b.stop(), stranger.stop()]);
    } finally {
      ip('-n', NS.a, 'addr', 'del', '10.78.0.1/24', 'dev', LINK.a);
    }
  });
});
