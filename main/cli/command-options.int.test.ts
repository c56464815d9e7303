// A command takes its own options only: `parley invite … --capacity 5` is refused before it
// does anything, in-process against a real node's local API (no discovery, peers on loopback
// through a manual peer).
import { afterEach, describe, expect, it } from 'vitest';
import { createNode, type ParleyNode } from '../core/node';
import { silentLogger } from '../core/log/logger';
import { tempDirs } from '../core/testing/temp-dir';
import { peerRow } from '../core/testing/test-nodes';
import { waitFor } from '../core/testing/wait';
import type { RoomDetails } from '../../shared/api';
import { EXIT_USAGE } from './cli-io';
import { runMain as parley } from './testing/run-main';

const dirs = tempDirs();
const nodes: ParleyNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.close()));
  dirs.cleanup();
});

async function startNode(name: string): Promise<ParleyNode> {
  const node = createNode({
    dataDir: dirs.make(),
    name,
    logger: silentLogger,
    peer: { host: '127.0.0.1', port: 0 },
    discovery: false,
  });
  nodes.push(node);
  await node.start();
  return node;
}

async function room(node: ParleyNode, roomId: string): Promise<RoomDetails> {
  const r = await node.api.invoke('rooms.get', { roomId });
  if (!r.ok) throw new Error(r.error.message);
  return r.value as RoomDetails;
}

describe('an option of another command', () => {
  it('is refused, naming it and the command, and changes nothing', async () => {
    const [ann, bob] = [await startNode('Ann'), await startNode('Bob')];
    const bobId = bob.identity.deviceId;
    await ann.api.invoke('peers.add', { address: `127.0.0.1:${bob.peerPort}` });
    await waitFor(async () => (await peerRow(ann, bobId))?.linked, 'Ann to link to Bob');
    const created = await parley(['rooms', 'create', 'Team', '--data-dir', ann.dataDir]);
    expect(created.code).toBe(0);
    const roomId = created.stdout.trim();

    const misplaced = await parley([
      'invite',
      'Team',
      bobId,
      '--capacity',
      '5',
      '--data-dir',
      ann.dataDir,
    ]);
    expect(misplaced.code).toBe(EXIT_USAGE);
    expect(misplaced.stdout).toBe('');
    expect(misplaced.stderr).toMatch(
      /^parley: --capacity is not an option of parley invite \(it goes with parley rooms create\)/,
    );
    const after = await room(ann, roomId);
    expect(after.members.map((m) => m.deviceId)).toEqual([ann.identity.deviceId]);

    // The same command line without it adds Bob: the option alone stopped it.
    const invited = await parley(['invite', 'Team', bobId, '--data-dir', ann.dataDir]);
    expect(invited.code).toBe(0);
    expect((await room(ann, roomId)).members).toHaveLength(2);
    expect((await room(ann, roomId)).capacity).toBe(after.capacity);
  });
});
