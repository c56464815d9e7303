/**
 * Helpers for tests that run real nodes with rooms: typed API calls that throw on an error
 * answer, waiting for links, and reading a room's whole history.
 */
import type { ParleyNode } from '../../node';
import type { CommandArgs, CommandName, CommandResult, MessageInfo } from '../../../../shared/api';
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

/** Every message of a room, oldest first, read page by page. */
export async function wholeHistory(node: ParleyNode, roomId: string): Promise<MessageInfo[]> {
  const all: MessageInfo[] = [];
  let before: { lamport: number; id: string } | undefined;
  for (;;) {
    const page = await call(node, 'messages.history', {
      roomId,
      limit: 500,
      ...(before ? { before } : {}),
    });
    all.unshift(...page);
    if (page.length < 500) return all;
    before = { lamport: page[0]!.lamport, id: page[0]!.id };
  }
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
