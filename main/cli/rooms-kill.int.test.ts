// Three `parley serve` processes on loopback (discovery pinned to 127.0.0.1, one random group
// port they share) in one room, each sending as fast as its local API answers. One at a time,
// every node is SIGKILLed in the middle of that traffic (twice) and restarted on the same data
// folder, while the others keep sending.
// What must hold: a message is acknowledged only once it is stored durably (room-service.ts),
// so every message a node acknowledged reaches every node, whatever was killed when, and the
// three end with the same set of messages. Sends to a dead node fail: they were never
// acknowledged, and a message stored but not acknowledged (killed before the answer) may or may
// not be there, as long as it is everywhere or nowhere.
import { afterAll, describe, expect, it } from 'vitest';
import type { MessageInfo } from '../../shared/api';
import { tempDirs } from '../core/testing/temp-dir';
import { waitFor } from '../core/testing/wait';
import { expectToSettle, historyOf, type Expectation } from '../core/rooms/testing/rooms-test-kit';
import { connectLocalApi } from './local-api-client';
import { killAllCliChildren, runCli, safeServeArgs, startCli } from './testing/run-cli';

const dirs = tempDirs();
let stopTraffic: (() => Promise<void>) | undefined;
// Runs even when the test timed out: no send loop may outlive it.
afterAll(async () => {
  await stopTraffic?.();
  killAllCliChildren();
  dirs.cleanup();
});

/** Every node is killed once a round. */
const ROUNDS = 2;
/** Acknowledged messages (all nodes together) between one kill and the next. */
const ACKS_BETWEEN_KILLS = 40;
/** Acknowledged messages each node must send after its restart before the traffic stops. */
const ACKS_AFTER_RESTART = 10;

interface Served {
  name: string;
  dataDir: string;
  deviceId: string;
  proc: ReturnType<typeof startCli>;
}

/** A send that has not been answered by then counts as not acknowledged. */
const SEND_TIMEOUT_MS = 10_000;

const sorted = (ids: Iterable<string>): string[] => [...ids].sort();
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Gives up on `work` after `ms` (it may still finish; nobody waits for it). */
async function within<T>(work: Promise<T>, ms: number): Promise<T> {
  work.catch(() => {}); // A late failure, after giving up, is nobody's business.
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One send loop per sender, until `stop()`: each records the messages its node acknowledged
 * (ID → text). A send that fails (the node is dead or still starting) was not acknowledged;
 * the loop tries again a moment later.
 */
function startTraffic(
  senders: number,
  send: (sender: number, text: string) => Promise<MessageInfo>,
) {
  const acked = new Map<string, string>();
  const ackCount = Array.from({ length: senders }, () => 0);
  let stopping = false;
  const loop = async (i: number): Promise<void> => {
    for (let k = 0; !stopping; k++) {
      const text = `sender ${i} message ${k}`;
      try {
        const sent = await within(send(i, text), SEND_TIMEOUT_MS);
        acked.set(sent.id, text);
        ackCount[i]!++;
      } catch {
        await pause(20);
      }
    }
  };
  const loops = ackCount.map((_, i) => loop(i));
  return {
    acked,
    ackCount,
    async stop(): Promise<void> {
      stopping = true;
      await Promise.all(loops);
    },
  };
}

describe('SIGKILL in the middle of traffic', () => {
  it('every node restarted loses nothing it had acknowledged', { timeout: 120_000 }, async () => {
    // One set of flags for all: the random discovery port is what makes them a LAN.
    const flags = [...safeServeArgs(), '--announce-interval', '300', '--json'];
    const serve = async (name: string, dataDir: string): Promise<Served> => {
      const proc = startCli(['serve', '--data-dir', dataDir, '--name', name, ...flags]);
      const ready = JSON.parse(await proc.firstLine) as { deviceId: string };
      return { name, dataDir, deviceId: ready.deviceId, proc };
    };
    const nodes = await Promise.all(['Ann', 'Ben', 'Cat'].map((n) => serve(n, dirs.make())));
    const [ann, ben, cat] = nodes as [Served, Served, Served];
    // A fresh client per call: a restarted node listens on a new port (api.json).
    const api = (n: Served) => connectLocalApi(n.dataDir);
    for (const a of nodes)
      for (const b of nodes)
        if (a !== b)
          await waitFor(
            async () =>
              (await api(a).invoke('peers.list', {})).some(
                (p) => p.deviceId === b.deviceId && p.linked,
              ),
            `${a.name} linked to ${b.name}`,
          );

    const created = await runCli(['rooms', 'create', 'Durable', '--data-dir', ann.dataDir]);
    expect(created.code).toBe(0);
    const roomId = created.stdout.trim();
    for (const n of [ben, cat]) {
      const invited = await runCli(['invite', roomId, n.deviceId, '--data-dir', ann.dataDir]);
      expect(invited.code).toBe(0);
    }
    for (const n of nodes)
      await waitFor(
        async () =>
          (
            await api(n)
              .invoke('rooms.get', { roomId })
              .catch(() => undefined)
          )?.id,
        `${n.name} in the room`,
      );

    // Traffic: each node sends in a loop; what its API acknowledged is recorded.
    const traffic = startTraffic(nodes.length, (i, text) =>
      api(nodes[i]!).invoke('messages.send', { roomId, text }),
    );
    stopTraffic = traffic.stop;
    const { acked, ackCount } = traffic;
    const total = (): number => ackCount.reduce((a, b) => a + b, 0);

    const restartedAt: number[] = [];
    for (let kill = 0; kill < ROUNDS * nodes.length; kill++) {
      const i = kill % nodes.length;
      const goal = total() + ACKS_BETWEEN_KILLS;
      await waitFor(() => total() >= goal, `${ACKS_BETWEEN_KILLS} more acknowledged messages`);
      const victim = nodes[i]!;
      victim.proc.child.kill('SIGKILL');
      expect((await victim.proc.result).signal).toBe('SIGKILL');
      // The others keep sending while it is down.
      const down = total();
      await waitFor(() => total() > down, 'traffic while a node is down');
      nodes[i] = await serve(victim.name, victim.dataDir);
      expect(nodes[i]!.deviceId).toBe(victim.deviceId);
      restartedAt[i] = ackCount[i]!;
    }
    await waitFor(
      () => nodes.every((_, i) => ackCount[i]! >= restartedAt[i]! + ACKS_AFTER_RESTART),
      'every node to send again after its restart',
      60_000,
    );
    await traffic.stop();

    const ackedIds = sorted(acked.keys());
    const snapshot = () => Promise.all(nodes.map((n) => historyOf(api(n), roomId)));
    const expectations = (histories: MessageInfo[][]): Expectation[] =>
      histories.flatMap((h, i) => {
        const have = new Set(h.map((m) => m.id));
        return [
          [
            `acknowledged messages missing at ${nodes[i]!.name}`,
            ackedIds.filter((id) => !have.has(id)),
            [],
          ],
          [`${nodes[i]!.name} holds each message once`, have.size, h.length],
          [
            `${nodes[i]!.name}'s messages are Ann's`,
            sorted(have),
            sorted(histories[0]!.map((m) => m.id)),
          ],
          [
            `texts of acknowledged messages at ${nodes[i]!.name}`,
            h.filter((m) => acked.has(m.id)).every((m) => acked.get(m.id) === m.text),
            true,
          ],
        ] satisfies Expectation[];
      });
    await expectToSettle(snapshot, expectations, 'the room after the restarts', 60_000);
    // Every acknowledgement named a message of its own.
    expect(acked.size).toBe(total());
  });
});
