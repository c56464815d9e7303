/**
 * Helpers for tests that run real nodes with rooms: typed API calls that throw on an error
 * answer, waiting for links, reading a room's whole history (from a node, or through its local
 * API), and waiting for nodes to converge.
 */
import { isDeepStrictEqual } from 'node:util';
import { expect } from 'vitest';
import type { ParleyNode } from '../../node';
import type {
  CommandArgs,
  CommandName,
  CommandResult,
  MessageInfo,
  RoomDetails,
} from '../../../../shared/api';
import { ParleyError } from '../../../../shared/errors';
import { peerRow } from '../../testing/test-nodes';
import { waitFor } from '../../testing/wait';

/** Calls a command; throws a ParleyError (with the node's code) when it fails. */
export async function call<N extends CommandName>(
  node: ParleyNode,
  name: N,
  args: CommandArgs<N>,
): Promise<CommandResult<N>> {
  const r = await node.api.invoke(name, args);
  if (!r.ok) throw new ParleyError(r.error.code, r.error.message);
  return r.value as CommandResult<N>;
}

/** The error code a command answers with; throws when it succeeds. */
export async function failureOf<N extends CommandName>(
  node: ParleyNode,
  name: N,
  args: CommandArgs<N>,
): Promise<string> {
  const r = await node.api.invoke(name, args);
  if (r.ok) throw new Error(`${name} succeeded but was expected to fail`);
  return r.error.code;
}

/** Waits until every node has a link to every other. */
export async function allLinked(nodes: ParleyNode[]): Promise<void> {
  for (const a of nodes)
    for (const b of nodes)
      if (a !== b)
        await waitFor(
          async () => (await peerRow(a, b.identity.deviceId))?.linked,
          `a link between two nodes`,
        );
}

/**
 * Starts the nodes, waits until all are linked, and makes a room of the first node with every
 * other node in it, waiting until each of them has it.
 */
export async function startWithRoom(nodes: ParleyNode[], name: string): Promise<RoomDetails> {
  await Promise.all(nodes.map((n) => n.start()));
  await allLinked(nodes);
  const [owner, ...others] = nodes as [ParleyNode, ...ParleyNode[]];
  const room = await call(owner, 'rooms.create', { name });
  for (const n of others)
    await call(owner, 'rooms.invite', { roomId: room.id, deviceId: n.identity.deviceId });
  for (const n of others)
    await waitFor(
      async () => (await n.api.invoke('rooms.get', { roomId: room.id })).ok,
      'the room at every member',
    );
  return room;
}

/** What can answer API commands: a node (see `apiOf`), or a client of a node's local API. */
export interface CommandApi {
  invoke<N extends CommandName>(name: N, args: CommandArgs<N>): Promise<CommandResult<N>>;
}

/** A node's API as a CommandApi: answers the value, throws a ParleyError on an error. */
export const apiOf = (node: ParleyNode): CommandApi => ({
  invoke: (name, args) => call(node, name, args),
});

/** Every message of a room, oldest first, read page by page. */
export async function wholeHistory(node: ParleyNode, roomId: string): Promise<MessageInfo[]> {
  return historyOf(apiOf(node), roomId);
}

/** Every message of a room, oldest first, read page by page through any CommandApi. */
export async function historyOf(api: CommandApi, roomId: string): Promise<MessageInfo[]> {
  const all: MessageInfo[] = [];
  let before: { lamport: number; id: string } | undefined;
  for (;;) {
    const page = await api.invoke('messages.history', {
      roomId,
      limit: 500,
      ...(before ? { before } : {}),
    });
    all.unshift(...page);
    if (page.length < 500) return all;
    before = { lamport: page[0]!.lamport, id: page[0]!.id };
  }
}

/** One expectation on a snapshot: what it is about, the actual value and the expected one. */
export type Expectation = readonly [what: string, actual: unknown, expected: unknown];

/**
 * Waits for a system to converge without timing it: takes snapshots until every expectation
 * on one holds (deep equality) or `timeoutMs` has passed, then asserts them on the last
 * snapshot, so that a failure names what differs rather than only that time ran out. A
 * snapshot that throws (a node restarting, say) is retried.
 */
export async function expectToSettle<T>(
  snapshot: () => Promise<T>,
  expectations: (s: T) => Expectation[],
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  let last: { value: T } | undefined;
  let lastError: unknown;
  await waitFor(
    async () => {
      try {
        last = { value: await snapshot() };
      } catch (err) {
        lastError = err;
        return false;
      }
      return expectations(last.value).every(([, actual, expected]) =>
        isDeepStrictEqual(actual, expected),
      );
    },
    what,
    timeoutMs,
  ).catch(() => undefined);
  if (!last) throw new Error(`no snapshot of ${what}: ${String(lastError)}`);
  for (const [about, actual, expected] of expectations(last.value))
    expect(actual, `${what}: ${about}`).toEqual(expected);
  return last.value;
}

/** Waits until a node holds `count` messages in a room. */
export async function waitForMessages(
  node: ParleyNode,
  roomId: string,
  count: number,
  what = 'messages',
): Promise<MessageInfo[]> {
  return waitFor(
    async () => {
      const r = await node.api.invoke('rooms.list', {});
      if (!r.ok) return false;
      const all = await wholeHistory(node, roomId).catch(() => []);
      return all.length >= count ? all : false;
    },
    `${count} ${what}`,
    60_000,
  );
}
