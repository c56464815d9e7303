/**
 * One discovery node as a child process, for the network-namespace tests: started with
 * `ip netns exec NS node --import tsx netns-node.testing.ts '<json options>'`, it prints one
 * JSON line per event on standard output and stops on SIGTERM or when its standard input
 * closes (so it never outlives the test that started it).
 */
import { randomId } from '../crypto';
import { silentLogger } from '../log/logger';
import { createMulticastBeacon } from './beacon';
import { createDiscovery } from './discovery';
import { testIdentity } from './fake-beacon.testing';

interface ChildOptions {
  name: string;
  port: number;
  interfaces: string[];
  ipv6Interfaces?: string[];
  intervalMs: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as ChildOptions;
const identity = testIdentity();
const print = (line: Record<string, unknown>) => process.stdout.write(JSON.stringify(line) + '\n');

const discovery = createDiscovery({
  identity,
  instanceId: randomId(),
  name: () => options.name,
  tcpPort: () => 4000,
  beacon: () =>
    createMulticastBeacon({
      port: options.port,
      interfaces: options.interfaces,
      ...(options.ipv6Interfaces ? { ipv6Interfaces: options.ipv6Interfaces } : {}),
      logger: silentLogger,
    }),
  announceIntervalMs: options.intervalMs,
  logger: silentLogger,
});
for (const kind of ['discovered', 'updated', 'lost'] as const) {
  discovery.on(kind, (peer) =>
    print({
      event: kind,
      peer: { deviceId: peer.deviceId, name: peer.name, address: peer.address, port: peer.port },
    }),
  );
}

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await discovery.close();
  print({ event: 'closed', stats: discovery.stats() });
  process.exitCode = 0;
}
process.on('SIGTERM', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.resume();

discovery.start().then(
  () => print({ event: 'ready', deviceId: identity.deviceId }),
  (err: unknown) => {
    print({ event: 'failed', message: (err as Error).message });
    process.exit(1);
  },
);
