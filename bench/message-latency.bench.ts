/**
 * Message latency: from `messages.send` on one member to `message.received` on every member
 * (stored and emitted), in rooms of 2, 5 and 10 members, measured two ways.
 *
 * - In one process (`messageLatency`): all nodes run on this process's one thread, on
 *   loopback, so the receivers of one message take turns: the last of N members gets it after
 *   N − 1 receivers' work, the sender's commit holds up every receiver, and the background
 *   work of earlier messages (delivery receipts, debounced room updates and delivery writes of
 *   other nodes) runs in between. The time to the first other member shows one hop.
 * - One node a process (`messageLatencyAcrossProcesses`, latency-processes.ts): what a LAN
 *   sees, as far as the machine's cores go (the receivers of a room of 10 still share them).
 *   Times come from process.hrtime.bigint() in each process, one clock for all.
 *
 * Ten nodes are started once and the three rooms share them (a message goes only to the
 * room's members); samples go round the rooms in turns, so that a slow spell of a shared
 * machine hits every size alike, and round the members as senders.
 */
import { performance } from 'node:perf_hooks';
import { call } from '../main/core/rooms/testing/rooms-test-kit';
import { tempDirs } from '../main/core/testing/temp-dir';
import { latency, type Latency } from './latency';
import { lanNodes } from './lan-nodes';
import { nsToMs, startLatencyChildren, type SendTimes } from './latency-processes';
import { arrivalBook, roomOf, watchMessages, type Arrival } from './room-fixture';

export interface RoomLatency {
  members: number;
  /** send → emitted by every member. */
  all: Latency;
  /** send → emitted by the first member other than the sender. */
  firstOther: Latency;
  /** send → `messages.send` answered: the sender's part (seal, store, pushes queued). */
  answered: Latency;
}

/** Running nodes as a sample needs them; every time in ms on one clock. */
interface LatencyNodes {
  /** Makes a room of the first `size` nodes; resolves once every one of them sees it. */
  room(size: number, name: string): Promise<string>;
  /** Calls messages.send on node `index`: when it was called, and when it answered. */
  send(index: number, roomId: string, text: string): Promise<{ start: number; answered: number }>;
  /** Resolves once `members` nodes emitted `message.received` for this text (call before sending). */
  expect(text: string, members: number): Promise<Arrival>;
}

/** Every node in this process, on its one thread. */
export function messageLatency(sizes: readonly number[], samples: number, warmUp = 20) {
  return withNodesHere(Math.max(...sizes), (nodes) =>
    sampleRooms(nodes, sizes, samples, warmUp, ''),
  );
}

/**
 * A room of 2 with only its two nodes running in this process: no other node's background
 * work on the thread. `dataIn` puts both data folders elsewhere, e.g. in memory (/dev/shm,
 * where `fsync` costs nothing), to show what the path costs without waiting for the disk.
 */
export function roomOfTwoAlone(
  samples: number,
  where: string,
  dataIn?: string,
  warmUp = 20,
): Promise<RoomLatency[]> {
  return withNodesHere(
    2,
    (nodes) => sampleRooms(nodes, [2], samples, warmUp, where),
    tempDirs(dataIn),
  );
}

/** One node a process: what a LAN sees, as far as this machine's cores go. */
export function messageLatencyAcrossProcesses(
  sizes: readonly number[],
  samples: number,
  warmUp = 20,
) {
  return withNodesInProcesses(Math.max(...sizes), (nodes) =>
    sampleRooms(nodes, sizes, samples, warmUp, ', one process a node'),
  );
}

async function withNodesHere<T>(
  count: number,
  run: (nodes: LatencyNodes) => Promise<T>,
  dirs = tempDirs(),
): Promise<T> {
  const set = lanNodes(dirs);
  try {
    const nodes = await set.startLinked(count, 'Member');
    const watch = watchMessages(nodes);
    try {
      return await run({
        room: (size, name) => roomOf(nodes[0]!, nodes.slice(1, size), name),
        async send(index, roomId, text) {
          const start = performance.now();
          await call(nodes[index]!, 'messages.send', { roomId, text });
          return { start, answered: performance.now() };
        },
        expect: (text, members) => watch.expect(text, members),
      });
    } finally {
      watch.stop();
    }
  } finally {
    await set.closeAll();
    dirs.cleanup();
  }
}

async function withNodesInProcesses<T>(
  count: number,
  run: (nodes: LatencyNodes) => Promise<T>,
): Promise<T> {
  const dirs = tempDirs();
  const book = arrivalBook();
  try {
    const children = await startLatencyChildren(dirs, count, book.arrived);
    try {
      return await run({
        async room(size, name) {
          const members = children.slice(0, size);
          const roomId = (await members[0]!.ask({
            op: 'create-room',
            name,
            invite: members.slice(1).map((c) => c.deviceId),
          })) as string;
          await Promise.all(
            members.map((c) => c.ask({ op: 'sees-members', roomId, members: size })),
          );
          return roomId;
        },
        async send(index, roomId, text) {
          const t = (await children[index]!.ask({ op: 'send', roomId, text })) as SendTimes;
          return { start: nsToMs(t.start), answered: nsToMs(t.answered) };
        },
        expect: (text, members) => book.expect(text, members),
      });
    } finally {
      await Promise.all(children.map((c) => c.close()));
    }
  } finally {
    dirs.cleanup();
  }
}

async function sampleRooms(
  nodes: LatencyNodes,
  sizes: readonly number[],
  samples: number,
  warmUp: number,
  where: string,
): Promise<RoomLatency[]> {
  const rooms = [];
  for (const size of sizes)
    rooms.push({
      size,
      roomId: await nodes.room(size, `Latency ${size}`),
      all: [] as number[],
      first: [] as number[],
      answered: [] as number[],
    });
  for (let i = -warmUp; i < samples; i++) {
    for (const room of rooms) {
      const text = `latency ${room.size} ${i}`;
      const arrived = nodes.expect(text, room.size);
      const { start, answered } = await nodes.send((i + warmUp) % room.size, room.roomId, text);
      const { firstOther, last } = await arrived;
      if (i < 0) continue;
      room.answered.push(answered - start);
      room.all.push(last - start);
      room.first.push(firstOther - start);
    }
  }
  return rooms.map((r) => ({
    members: r.size,
    all: latency(`send → stored and emitted by all ${r.size} members${where}`, r.all),
    firstOther: latency(
      `send → stored and emitted by the first other member (room of ${r.size}${where})`,
      r.first,
    ),
    answered: latency(`send → messages.send answered (room of ${r.size}${where})`, r.answered),
  }));
}
