/**
 * A small LAN of Linux network namespaces for tests: one "switch" namespace holding a bridge,
 * and N host namespaces, each with one veth cable plugged into the bridge and an address in
 * 10.213.77.0/24. Nothing is created in, or routed to, the machine's own network: every address
 * lives only inside these namespaces, so traffic between test hosts never leaves them.
 *
 * Needs root and iproute2. Every namespace is named `parley-<pid>-<random>-…`, so leftovers of a
 * crashed run can be found and deleted (`removeStaleLans`) without touching a running one.
 */
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

const PREFIX = 'parley-';
export const LAN_SUBNET = '10.213.77';

export interface LanHost {
  /** Namespace name. */
  ns: string;
  /** The host's address on the LAN. */
  address: string;
  /** Name of the switch-side end of its cable (in the switch namespace). */
  switchPort: string;
}

export interface TestLan {
  hosts: LanHost[];
  /** Unplugs a host's cable (the link goes down on the switch side). */
  unplug(host: LanHost): void;
  plug(host: LanHost): void;
  /** Runs a program inside a host's namespace. */
  spawnIn(host: LanHost, command: string, args: string[], options?: SpawnOptions): ChildProcess;
  destroy(): void;
}

/** Whether namespace tests can run here, and why not when they cannot. */
export function netnsUnavailableReason(): string | undefined {
  if (process.env['PARLEY_NETNS_TESTS'] !== '1')
    return 'PARLEY_NETNS_TESTS is not 1 (set by .ci/run when running as root)';
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
  } catch {
    return 'iproute2 (the ip command) is not installed';
  }
  return undefined;
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * Deletes the namespaces of test LANs whose process is gone (a crashed run). Namespaces of a
 * process that still runs are left alone: test files run in parallel, each with its own LAN.
 */
export function removeStaleLans(): void {
  const list = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  for (const line of list.split('\n')) {
    const name = line.split(' ')[0];
    if (name?.startsWith(PREFIX) && !ownerAlive(name)) {
      try {
        ip('netns', 'del', name);
      } catch {
        // Already gone.
      }
    }
  }
}

/** Whether the process that made this namespace (`parley-<pid base 36>-<random>-…`) runs. */
function ownerAlive(name: string): boolean {
  const pid = parseInt(name.slice(PREFIX.length).split('-')[0] ?? '', 36);
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function createTestLan(hostCount: number): TestLan {
  const run = `${process.pid.toString(36)}-${Math.floor(Math.random() * 36 ** 3).toString(36)}`;
  const switchNs = `${PREFIX}${run}-sw`;
  const created: string[] = [];
  const hosts: LanHost[] = [];
  const children = new Set<ChildProcess>();
  try {
    ip('netns', 'add', switchNs);
    created.push(switchNs);
    ip('-n', switchNs, 'link', 'add', 'br0', 'type', 'bridge');
    ip('-n', switchNs, 'link', 'set', 'br0', 'up');
    ip('-n', switchNs, 'link', 'set', 'lo', 'up');
    for (let i = 1; i <= hostCount; i++) {
      const ns = `${PREFIX}${run}-h${i}`;
      ip('netns', 'add', ns);
      created.push(ns);
      // Create both cable ends directly inside their namespaces: they never exist in ours.
      const switchPort = `sw${i}`;
      ip(
        '-n',
        ns,
        'link',
        'add',
        'eth0',
        'type',
        'veth',
        'peer',
        'name',
        switchPort,
        'netns',
        switchNs,
      );
      ip('-n', switchNs, 'link', 'set', switchPort, 'master', 'br0');
      ip('-n', switchNs, 'link', 'set', switchPort, 'up');
      const address = `${LAN_SUBNET}.${i}`;
      ip('-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
      ip('-n', ns, 'link', 'set', 'eth0', 'up');
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      hosts.push({ ns, address, switchPort });
    }
  } catch (err) {
    for (const ns of created.reverse()) ip('netns', 'del', ns);
    throw err;
  }
  let destroyed = false;
  return {
    hosts,
    unplug: (host) => ip('-n', switchNs, 'link', 'set', host.switchPort, 'down'),
    plug: (host) => ip('-n', switchNs, 'link', 'set', host.switchPort, 'up'),
    spawnIn(host, command, args, options = {}) {
      const child = spawn('ip', ['netns', 'exec', host.ns, command, ...args], options);
      children.add(child);
      child.on('exit', () => children.delete(child));
      return child;
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      for (const child of children) child.kill('SIGKILL');
      for (const ns of created.reverse()) {
        try {
          ip('netns', 'del', ns);
        } catch {
          // Already gone.
        }
      }
    },
  };
}
