// RoomService hands the ECDH derives of every new room key to its ECDH threads (or to the
// deriver it is given), so a large room's rotation does not hold the event loop alone.
import { afterEach, describe, expect, it } from 'vitest';
import { thisThreadOnly, type EcdhThreads } from '../crypto';
import { testDevice } from '../messages/test-room.testing';
import { inlineVerifier } from '../messages/verify-pool';
import { tempDirs } from '../testing/temp-dir';
import { startLoneRoomService } from './testing/lone-room-service';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

describe('RoomService, new room keys', () => {
  it('derive through its ECDH threads on rotate, kick and ban, which close() leaves to their owner', async () => {
    const peers = [testDevice(), testDevice(), testDevice()];
    const asked: number[] = [];
    let closed = false;
    const ecdh: EcdhThreads = {
      deriveAll: (privateKey, publicKeys, each) => {
        asked.push(publicKeys.length);
        return thisThreadOnly.deriveAll(privateKey, publicKeys, each);
      },
      warm: () => Promise.resolve(),
      derivesOnWorkers: () => 0,
      close: () => {
        closed = true;
        return Promise.resolve();
      },
    };
    const { rooms, close } = await startLoneRoomService(dirs, {
      peerPublicKey: (id) => Promise.resolve(peers.find((p) => p.deviceId === id)?.publicKeySpki),
      verifier: inlineVerifier,
      ecdh,
    });
    try {
      const room = await rooms.create({ name: 'Keys' });
      for (const p of peers) await rooms.invite(room.id, p.deviceId);
      await rooms.rotate(room.id);
      await rooms.kick(room.id, peers[0]!.deviceId);
      await rooms.ban(room.id, peers[1]!.deviceId);
      expect(asked).toEqual([4, 3, 2]);
    } finally {
      await close();
    }
    expect(closed).toBe(false);
  });
});
