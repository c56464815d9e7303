/**
 * Rooms for the benchmarks, on nodes from lan-nodes.ts: rooms made through the API, and a watch
 * on the nodes' `message.received` events that tells when a given text has reached every member.
 */
import { performance } from 'node:perf_hooks';
import type { ParleyNode } from '../main/core/node';
import { call } from '../main/core/rooms/testing/rooms-test-kit';
import { waitFor } from '../main/core/testing/wait';
import type { MessageInfo } from '../shared/api';

/** How long one awaited message (or a whole catch-up step) may take before the bench gives up. */
export const ARRIVAL_TIMEOUT_MS = 60_000;

/** Waits until `node` sees `count` members in the room (it has the whole log so far). */
export async function seesMembers(node: ParleyNode, roomId: string, count: number): Promise<void> {
  await waitFor(async () => {
    const r = await node.api.invoke('rooms.get', { roomId });
    return r.ok && (r.value as { memberCount: number }).memberCount === count;
  }, `a room of ${count} members on every member`);
}

/** A room made by `owner` with these devices invited; resolves with its ID, at once. */
export async function createRoomWith(
  owner: ParleyNode,
  deviceIds: readonly string[],
  name: string,
): Promise<string> {
  const room = await call(owner, 'rooms.create', { name, capacity: 1000 });
  for (const deviceId of deviceIds)
    await call(owner, 'rooms.invite', { roomId: room.id, deviceId });
  return room.id;
}

/** A room made by `owner` with `others` invited; resolves once every member sees all of them. */
export async function roomOf(owner: ParleyNode, others: ParleyNode[], name: string) {
  const roomId = await createRoomWith(
    owner,
    others.map((n) => n.identity.deviceId),
    name,
  );
  const members = [owner, ...others];
  for (const n of members) await seesMembers(n, roomId, members.length);
  return roomId;
}

/** When a text reached how many of the members it was expected at. */
interface Expected {
  left: number;
  /** When it first arrived at a member other than the sender. */
  firstOther: number | undefined;
  done: (lastAt: number) => void;
}

/** In milliseconds on the watch's clock (performance.now() for nodes in this process). */
export interface Arrival {
  /** When the first member other than the sender emitted it. */
  firstOther: number;
  /** When the last member emitted it. */
  last: number;
}

export interface MessageWatch {
  /**
   * Resolves once `members` nodes (the sender included: it emits its own message too) have
   * emitted `message.received` for this text. Call before sending.
   */
  expect(text: string, members: number): Promise<Arrival>;
  stop(): void;
}

/** A MessageWatch fed by hand: `arrived` is told of each message emitted, and when. */
export interface ArrivalBook extends MessageWatch {
  /** A member emitted `message.received` for `text` at `at` (on the clock the caller uses). */
  arrived(text: string, mine: boolean, at: number): void;
}

/** Expected texts and their arrivals; texts must be unique while expected. */
export function arrivalBook(stop: () => void = () => {}): ArrivalBook {
  const expected = new Map<string, Expected>();
  return {
    arrived(text, mine, at) {
      const e = expected.get(text);
      if (!e) return;
      if (!mine) e.firstOther ??= at;
      if (--e.left === 0) {
        expected.delete(text);
        e.done(at);
      }
    },
    expect(text, members) {
      return new Promise<Arrival>((resolve, reject) => {
        const timer = setTimeout(() => {
          expected.delete(text);
          reject(new Error(`"${text}" did not reach ${members} members`));
        }, ARRIVAL_TIMEOUT_MS);
        timer.unref();
        const e: Expected = {
          left: members,
          firstOther: undefined,
          done: (last) => {
            clearTimeout(timer);
            resolve({ firstOther: e.firstOther ?? last, last });
          },
        };
        expected.set(text, e);
      });
    },
    stop,
  };
}

/**
 * Watches `message.received` on every node of this process (times from performance.now());
 * texts must be unique while expected.
 */
export function watchMessages(nodes: ParleyNode[]): MessageWatch {
  const offs: Array<() => void> = [];
  const book = arrivalBook(() => offs.forEach((off) => off()));
  const onMessage = (m: MessageInfo): void => book.arrived(m.text, m.mine, performance.now());
  offs.push(...nodes.map((n) => n.api.on('message.received', onMessage)));
  return book;
}
