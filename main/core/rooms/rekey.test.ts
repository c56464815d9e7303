// When a member leaves, an owner or admin rotates the room key (reason `departure`), so the
// leaver cannot read what is sent after: at once when the leave arrives, at the next start when
// the node closed before it could, and again (with a pause) when a rotation fails.
import { afterEach, describe, expect, it } from 'vitest';
import { thisThreadOnly, type EcdhThreads } from '../crypto';
import { decodeEnvelope } from '../messages/envelope-codec';
import { testDevice, type TestDevice } from '../messages/test-room.testing';
import { openVerified } from '../messages/verify-envelope';
import { inlineVerifier } from '../messages/verify-pool';
import { tempDirs } from '../testing/temp-dir';
import { waitFor } from '../testing/wait';
import { openSealedKey } from './epoch-keys';
import { checkMessageSender, currentEpoch } from './fold';
import { buildOp, leaveAction } from './op-builder';
import { loneRoomServices, publicKeysOf, type LoneRoomService } from './testing/lone-room-service';
import type { RoomServiceOptions } from './room-service';

const dirs = tempDirs();
const services = loneRoomServices(dirs);
afterEach(async () => {
  await services.closeAll();
  dirs.cleanup();
});

/** ECDH threads that derive on the calling thread, and never close anything. */
const onThisThread: EcdhThreads = {
  deriveAll: (privateKey, publicKeys, each) =>
    thisThreadOnly.deriveAll(privateKey, publicKeys, each),
  warm: () => Promise.resolve(),
  derivesOnWorkers: () => 0,
  close: () => Promise.resolve(),
};
/** Owner Ann's service, which knows Ben's key; `options` override the rest. */
const annKnowing = (ben: TestDevice, options: Partial<RoomServiceOptions> = {}, dir?: string) =>
  services.start(
    { peerPublicKey: publicKeysOf(ben), verifier: inlineVerifier, ecdh: onThisThread, ...options },
    dir,
  );

/** A room of Ann's with Ben in it; Ben's own copy of the room key; then Ben leaves. */
async function benJoinsAndLeaves(ann: LoneRoomService, ben: TestDevice) {
  const room = await ann.rooms.create({ name: 'Team' });
  await ann.rooms.invite(room.id, ben.deviceId);
  const entry = ann.rooms.book.get(room.id)!;
  const first = currentEpoch(entry.state)!;
  const benKey = openSealedKey(room.id, first.id, first.sealed.get(ben.deviceId)!, ben);
  expect(benKey).not.toBeNull();
  const leave = buildOp(entry.state, room.id, ben, leaveAction(0).action);
  expect(await ann.rooms.ingestOps(room.id, [leave.bytes], ben.deviceId)).toMatchObject({
    added: 1,
  });
  expect(entry.state.rekeyNeeded).toBe(true);
  return { roomId: room.id, firstEpoch: first.id, benKey: benKey! };
}

const rotatedFor = (ann: LoneRoomService, roomId: string, reason: string) =>
  waitFor(() => {
    const epoch = currentEpoch(ann.rooms.book.get(roomId)!.state)!;
    return epoch.reason === reason && epoch;
  }, `a rotation (${reason})`);

describe('RoomService, when a member leaves', () => {
  it('rotates (departure): the leaver gets no new key and cannot read what is sent after', async () => {
    const ben = testDevice();
    const ann = await annKnowing(ben);
    const { roomId, firstEpoch, benKey } = await benJoinsAndLeaves(ann, ben);

    const epoch = await rotatedFor(ann, roomId, 'departure');
    expect(epoch.id).not.toBe(firstEpoch);
    expect(epoch.sealed.has(ben.deviceId)).toBe(false);
    expect(epoch.holders.has(ben.deviceId)).toBe(false);
    expect(ann.rooms.book.get(roomId)!.state.rekeyNeeded).toBe(false);

    await ann.rooms.send(roomId, 'after Ben left');
    const [stored] = await ann.store.listMessages(roomId, { limit: 1 });
    const decoded = decodeEnvelope(stored!.envelope);
    if (!decoded.ok) throw new Error(decoded.reason);
    expect(decoded.envelope.header.epoch).toBe(epoch.id);
    // Ben's key (the only one he holds) does not open it.
    const opened = openVerified(decoded.envelope, {
      state: ann.rooms.book.get(roomId)!.state,
      keys: () => benKey,
      now: Date.now(),
      checkSender: checkMessageSender,
    });
    expect(opened).toMatchObject({ ok: false, reason: 'undecryptable' });
  });

  it('rotates at the next start when the node closed before it could', async () => {
    const ben = testDevice();
    const ann = await annKnowing(ben);
    const { roomId, firstEpoch } = await benJoinsAndLeaves(ann, ben);
    // Closed at once: the rotation's timer (50 ms at the earliest) never fires.
    await services.close(ann);

    const again = await annKnowing(ben, {}, ann.dir);
    expect(currentEpoch(again.rooms.book.get(roomId)!.state)!.id).toBe(firstEpoch);
    const epoch = await rotatedFor(again, roomId, 'departure');
    expect(epoch.sealed.has(ben.deviceId)).toBe(false);
  });

  it('tries the rotation again, after a pause, when it fails', async () => {
    const ben = testDevice();
    let failures = 0;
    // Only new epochs (rotate, kick, ban) derive here: the first is the departure rotation.
    const failingOnce: EcdhThreads = {
      ...onThisThread,
      deriveAll: (privateKey, publicKeys, each) => {
        if (failures++ === 0) throw new Error('no thread could derive the key');
        return thisThreadOnly.deriveAll(privateKey, publicKeys, each);
      },
    };
    const ann = await annKnowing(ben, { ecdh: failingOnce });
    const { roomId } = await benJoinsAndLeaves(ann, ben);
    await rotatedFor(ann, roomId, 'departure');
    expect(failures).toBe(2);
  });
});
