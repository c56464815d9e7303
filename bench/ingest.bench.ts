/**
 * Sustained ingest into one room: how many messages per second one receiving node stores and
 * emits (`message.received`) while messages keep coming, each in its own push as members send
 * them. Two ways:
 *
 * - Through the API: two member nodes call `messages.send` as fast as it answers, each waiting
 *   for its previous send, into a room of three; the third node is the receiver. All three run
 *   in this process, so the senders' work (and each sender receiving the other's messages)
 *   shares the receiver's thread.
 * - Receiver alone: a bare member (bare-member.ts) seals the messages beforehand and pushes
 *   them over its link to the receiver as fast as the link takes them, so that nearly all the
 *   work in the process is the receiver's, as when the senders are other machines.
 *
 * The rate runs from the receiver's first `message.received` to its last.
 */
import { performance } from 'node:perf_hooks';
import type { ParleyNode } from '../main/core/node';
import { call } from '../main/core/rooms/testing/rooms-test-kit';
import { tempDirs } from '../main/core/testing/temp-dir';
import { ROOM_LINK_MESSAGES as MSG } from '../shared/room-wire';
import { bareMember, sealMany, type BareMember } from './bare-member';
import { lanNodes } from './lan-nodes';
import { ARRIVAL_TIMEOUT_MS, roomOf, seesMembers } from './room-fixture';

export interface IngestRate {
  name: string;
  messages: number;
  /** Messages per second at the receiver, first to last `message.received`. */
  perSecond: number;
}

/** Counts a room's `message.received` on `node`; resolves with the span once `count` came. */
function countArrivals(node: ParleyNode, roomId: string, count: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let first = 0;
    let last = performance.now();
    let seen = 0;
    const timer = setInterval(() => {
      if (performance.now() - last > ARRIVAL_TIMEOUT_MS) {
        finish();
        reject(new Error(`the receiver stalled at ${seen} of ${count} messages`));
      }
    }, 1000);
    timer.unref();
    const off = node.api.on('message.received', (m) => {
      if (m.roomId !== roomId) return;
      last = performance.now();
      if (seen++ === 0) first = last;
      if (seen === count) {
        finish();
        resolve(last - first);
      }
    });
    const finish = (): void => {
      clearInterval(timer);
      off();
    };
  });
}

const rate = (name: string, messages: number, spanMs: number): IngestRate => ({
  name,
  messages,
  perSecond: ((messages - 1) / spanMs) * 1000,
});

/**
 * The receiver alone: `bare` joins a room of `admin` and `receiver` and pushes `count`
 * envelopes it sealed beforehand, one per push, as fast as its link takes them.
 */
async function receiverAlone(
  admin: ParleyNode,
  receiver: ParleyNode,
  bare: BareMember,
  count: number,
): Promise<IngestRate & { cpuUsPerMessage: number }> {
  const pushRoom = await roomOf(admin, [receiver], 'Ingest from a member elsewhere');
  const link = await bare.linkTo(receiver);
  const key = await bare.joinVia(admin, await bare.linkTo(admin), pushRoom);
  await seesMembers(receiver, pushRoom, 3);
  const envelopes = sealMany(bare.identity, key, count, (i) => `pushed ${i}`);
  const pushed = countArrivals(receiver, pushRoom, count);
  const cpu = process.cpuUsage();
  await Promise.all(
    envelopes.map((e) => link.push(MSG.messagesPush, { room: pushRoom, envelopes: [e.bytes] })),
  );
  const spanMs = await pushed;
  const used = process.cpuUsage(cpu);
  return {
    ...rate(RECEIVER_ALONE, count, spanMs),
    cpuUsPerMessage: (used.user + used.system) / count,
  };
}

const RECEIVER_ALONE = 'pre-sealed envelopes pushed by a bare member, one per push';

/**
 * Only the receiver-alone row, on two nodes: for profiling the receive path
 * (bench/ingest-alone.ts). CPU per message is this whole process's (every thread, the pusher
 * included) from the first push to the last arrival.
 */
export async function receiverAloneIngest(
  count: number,
): Promise<IngestRate & { cpuUsPerMessage: number }> {
  const dirs = tempDirs();
  const set = lanNodes(dirs);
  const bare = await bareMember(dirs);
  try {
    const [admin, receiver] = (await set.startLinked(2, 'Ingest')) as [ParleyNode, ParleyNode];
    return await receiverAlone(admin, receiver, bare, count);
  } finally {
    await bare.close();
    await set.closeAll();
    dirs.cleanup();
  }
}

export async function sustainedIngest(count: number): Promise<IngestRate[]> {
  const dirs = tempDirs();
  const set = lanNodes(dirs);
  const bare = await bareMember(dirs);
  try {
    const [one, two, receiver] = (await set.startLinked(3, 'Ingest')) as [
      ParleyNode,
      ParleyNode,
      ParleyNode,
    ];
    const results: IngestRate[] = [];

    const apiRoom = await roomOf(one, [two, receiver], 'Ingest through the API');
    const viaApi = countArrivals(receiver, apiRoom, count);
    const sendAll = async (sender: ParleyNode, tag: string, n: number): Promise<void> => {
      for (let i = 0; i < n; i++)
        await call(sender, 'messages.send', { roomId: apiRoom, text: `${tag} ${i}` });
    };
    const half = Math.floor(count / 2);
    await Promise.all([sendAll(one, 'one', half), sendAll(two, 'two', count - half)]);
    results.push(
      rate(
        'two senders calling messages.send, one push each (3 nodes, 1 process)',
        count,
        await viaApi,
      ),
    );

    results.push(await receiverAlone(one, receiver, bare, count));
    return results;
  } finally {
    await bare.close();
    await set.closeAll();
    dirs.cleanup();
  }
}
