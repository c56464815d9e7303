// An owner or admin node renews a room's key on its own (reason `auto`) once the current epoch
// holds RotationPolicy.maxMessages messages, whoever sent them, or is maxAgeMs old, checked on a
// timer; the count survives a restart, and 0 turns a limit off.
import { afterEach, describe, expect, it } from 'vitest';
import { decodeEnvelope, sealMessage, type SealedMessage } from '../messages/envelope-codec';
import { testDevice, type TestDevice } from '../messages/test-room.testing';
import { inlineVerifier } from '../messages/verify-pool';
import { tempDirs } from '../testing/temp-dir';
import { waitFor } from '../testing/wait';
import { currentEpoch } from './fold';
import type { RoomServiceOptions } from './room-service';
import { loneRoomServices, publicKeysOf, type LoneRoomService } from './testing/lone-room-service';

const dirs = tempDirs();
const services = loneRoomServices(dirs);
afterEach(async () => {
  await services.closeAll();
  dirs.cleanup();
});

const DAY_MS = 24 * 60 * 60 * 1000;

/** Owner Ann's service, which knows Ben's key, with `options`. */
const ann = (ben: TestDevice, options: Partial<RoomServiceOptions>, dir?: string) =>
  services.start({ peerPublicKey: publicKeysOf(ben), verifier: inlineVerifier, ...options }, dir);

/** Ann's room with Ben in it. */
async function roomWithBen(service: LoneRoomService, ben: TestDevice): Promise<string> {
  const room = await service.rooms.create({ name: 'Team' });
  await service.rooms.invite(room.id, ben.deviceId);
  return room.id;
}

/** Ben's messages 1..n under the room's current epoch, as Ann would receive them. */
function fromBen(service: LoneRoomService, roomId: string, ben: TestDevice, n: number) {
  const entry = service.rooms.book.get(roomId)!;
  const epoch = currentEpoch(entry.state)!;
  const sent: SealedMessage[] = [];
  for (let seq = 1; seq <= n; seq++) {
    sent.push(
      sealMessage({
        roomId,
        epochId: epoch.id,
        epochKey: entry.keys.get(epoch.id)!,
        sender: ben,
        seq,
        prev: sent.at(-1)?.id,
        lamport: entry.clock + seq,
        ts: Date.now(),
        body: { text: `message ${seq}` },
      }),
    );
  }
  return sent.map((m) => m.bytes);
}

/** The epoch ID in the header of the one message listed. */
function epochOfMessage(listed: readonly { envelope: Uint8Array }[]): string {
  const decoded = decodeEnvelope(listed[0]!.envelope);
  if (!decoded.ok) throw new Error(decoded.reason);
  return decoded.envelope.header.epoch;
}

const epochsOf = (service: LoneRoomService, roomId: string) =>
  service.rooms.book.get(roomId)!.state.epochs;

const autoRotated = (service: LoneRoomService, roomId: string) =>
  waitFor(
    () => currentEpoch(service.rooms.book.get(roomId)!.state)!.reason === 'auto',
    'an auto rotation',
  );

describe('RoomService, automatic rotation', () => {
  it('rotates after N messages in the epoch, sent by a member while the admin stays quiet', async () => {
    const ben = testDevice();
    const service = await ann(ben, { rotation: { maxMessages: 3, maxAgeMs: 0 } });
    const roomId = await roomWithBen(service, ben);
    const [one, two, three] = fromBen(service, roomId, ben, 3);
    expect(await service.rooms.ingestEnvelopes(roomId, [one!, two!], ben.deviceId)).toMatchObject({
      added: 2,
    });
    expect(service.rooms.book.get(roomId)!.epochMessages).toBe(2);
    await service.rooms.ingestEnvelopes(roomId, [three!], ben.deviceId);
    await autoRotated(service, roomId);
    // The new epoch starts counting from zero: one rotation, not one per message.
    await service.rooms.send(roomId, 'hello');
    expect(epochsOf(service, roomId).map((e) => e.reason)).toEqual(['create', 'auto']);
  });

  it('counts the messages of the epoch across a restart', async () => {
    const ben = testDevice();
    const policy = { rotation: { maxMessages: 5, maxAgeMs: 0 } };
    const first = await ann(ben, policy);
    const roomId = await roomWithBen(first, ben);
    for (const text of ['one', 'two', 'three']) await first.rooms.send(roomId, text);
    await services.close(first);

    const again = await ann(ben, policy, first.dir);
    expect(again.rooms.book.get(roomId)!.epochMessages).toBe(3);
    await again.rooms.send(roomId, 'four');
    // The fifth is sent under the first key (the limit is not reached before it), then rotated.
    const five = await again.rooms.send(roomId, 'five');
    expect(epochOfMessage(await again.store.listMessages(roomId, { limit: 1 }))).toBe(
      epochsOf(again, roomId)[0]!.id,
    );
    expect(five.text).toBe('five');
    await autoRotated(again, roomId);
  });

  it('rotates once the epoch is older than the age limit, checked on a timer', async () => {
    const ben = testDevice();
    let ahead = 0;
    const service = await ann(ben, {
      rotation: { maxMessages: 0, maxAgeMs: 7 * DAY_MS },
      now: () => Date.now() + ahead,
      rotationCheckMs: 20,
    });
    const roomId = await roomWithBen(service, ben);
    ahead = 6 * DAY_MS;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(epochsOf(service, roomId)).toHaveLength(1);
    ahead = 7 * DAY_MS;
    await autoRotated(service, roomId);
    ahead = 0;
    expect(epochsOf(service, roomId).map((e) => e.reason)).toEqual(['create', 'auto']);
  });

  it('never rotates with both limits at 0', async () => {
    const ben = testDevice();
    const service = await ann(ben, {
      rotation: { maxMessages: 0, maxAgeMs: 0 },
      now: () => Date.now() + 10_000 * DAY_MS,
      rotationCheckMs: 20,
    });
    const roomId = await roomWithBen(service, ben);
    for (let i = 0; i < 5; i++) await service.rooms.send(roomId, `message ${i}`);
    await service.rooms.ingestEnvelopes(roomId, fromBen(service, roomId, ben, 5), ben.deviceId);
    // Several checks (20 ms apart) and every rotation's longest pause (2.2 s) go by.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(epochsOf(service, roomId)).toHaveLength(1);
  });

  it('is left to owners and admins', async () => {
    const ben = testDevice();
    const service = await ann(ben, { rotation: { maxMessages: 1, maxAgeMs: 0 } });
    const roomId = await roomWithBen(service, ben);
    await service.rooms.setRole(roomId, ben.deviceId, 'owner');
    await service.rooms.setRole(roomId, service.identity.deviceId, 'member');
    await service.rooms.send(roomId, 'one');
    await service.rooms.send(roomId, 'two');
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(epochsOf(service, roomId)).toHaveLength(1);
  });
});
