/**
 * Message latency: from `messages.send` on one member to `message.received` on every member
 * (stored and emitted), in rooms of 2, 5 and 10 members. All nodes run in this one process on
 * loopback, so the receivers of one message take turns on one thread: the last of N members
 * gets it after N − 1 receivers' work. The time to the first other member shows one hop alone.
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
import { roomOf, watchMessages } from './room-fixture';

export interface RoomLatency {
  members: number;
  /** send → emitted by every member. */
  all: Latency;
  /** send → emitted by the first member other than the sender. */
  firstOther: Latency;
  /** send → `messages.send` answered: the sender's part (seal, store, pushes queued). */
  answered: Latency;
}

export async function messageLatency(
  sizes: readonly number[],
  samples: number,
  warmUp = 20,
): Promise<RoomLatency[]> {
  const dirs = tempDirs();
  const set = lanNodes(dirs);
  try {
    const nodes = await set.startLinked(Math.max(...sizes), 'Member');
    const rooms = [];
    for (const size of sizes) {
      const members = nodes.slice(0, size);
      const roomId = await roomOf(members[0]!, members.slice(1), `Latency ${size}`);
      rooms.push({
        size,
        members,
        roomId,
        all: [] as number[],
        first: [] as number[],
        answered: [] as number[],
      });
    }
    const watch = watchMessages(nodes);
    try {
      for (let i = -warmUp; i < samples; i++) {
        for (const room of rooms) {
          const sender = room.members[(i + warmUp) % room.size]!;
          const text = `latency ${room.size} ${i}`;
          const arrived = watch.expect(text, room.size);
          const start = performance.now();
          await call(sender, 'messages.send', { roomId: room.roomId, text });
          const answered = performance.now();
          const { firstOther, last } = await arrived;
          if (i < 0) continue;
          room.answered.push(answered - start);
          room.all.push(last - start);
          room.first.push(firstOther - start);
        }
      }
    } finally {
      watch.stop();
    }
    return rooms.map((r) => ({
      members: r.size,
      all: latency(`send → stored and emitted by all ${r.size} members`, r.all),
      firstOther: latency(
        `send → stored and emitted by the first other member (room of ${r.size})`,
        r.first,
      ),
      answered: latency(`send → messages.send answered (room of ${r.size})`, r.answered),
    }));
  } finally {
    await set.closeAll();
    dirs.cleanup();
  }
}
