// RoomService stores the batches of one room in the order they were handed over, whatever
// order their signature checks finish in: a caller (a sync one request ahead, the push inbox
// with two batches in hand) may start the next batch while one is still being checked, and
// seq contiguity and "emitted only after its commit" must not depend on which check wins.
import { afterEach, describe, expect, it } from 'vitest';
import { sealMessage, type SealedMessage } from '../messages/envelope-codec';
import { testDevice } from '../messages/test-room.testing';
import { inlineVerifier, type SignatureVerifier } from '../messages/verify-pool';
import { tempDirs } from '../testing/temp-dir';
import { currentEpoch } from './rules';
import { startLoneRoomService } from './testing/lone-room-service';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

/** The inline verifier, except that its first call answers only once `release()` is called. */
function gatedVerifier(): SignatureVerifier & { release: () => void; calls: () => number } {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let calls = 0;
  return {
    async verifyAll(jobs) {
      if (calls++ === 0) await gate;
      return inlineVerifier.verifyAll(jobs);
    },
    close: () => Promise.resolve(),
    release: () => release(),
    calls: () => calls,
  };
}

describe('RoomService, batches of one room', () => {
  it('are stored and told in the order they were handed over, not the order their checks end', async () => {
    const bob = testDevice();
    const verifier = gatedVerifier();
    const told: number[] = [];
    const { rooms, store, close } = await startLoneRoomService(dirs, {
      peerName: () => 'Bob',
      peerPublicKey: () => Promise.resolve(bob.publicKeySpki),
      emit: (event, payload) => {
        if (event === 'message.received' && 'sender' in payload && payload.sender === bob.deviceId)
          told.push(payload.seq);
      },
      verifier,
    });
    try {
      const room = await rooms.create({ name: 'Order' });
      await rooms.invite(room.id, bob.deviceId);
      const entry = rooms.book.get(room.id)!;
      const epoch = currentEpoch(entry.state)!;
      const sent: SealedMessage[] = [];
      for (let seq = 1; seq <= 10; seq++) {
        sent.push(
          sealMessage({
            roomId: room.id,
            epochId: epoch.id,
            epochKey: entry.keys.get(epoch.id)!,
            sender: bob,
            seq,
            prev: sent.at(-1)?.id,
            lamport: 100 + seq,
            ts: Date.now(),
            body: { text: `message ${seq}` },
          }),
        );
      }
      const bytes = sent.map((m) => m.bytes);

      const first = rooms.ingestEnvelopes(room.id, bytes.slice(0, 5), bob.deviceId);
      const second = rooms.ingestEnvelopes(room.id, bytes.slice(5), bob.deviceId);
      // The second batch's check has answered; the first's has not.
      await new Promise((resolve) => setImmediate(resolve));
      expect(verifier.calls()).toBe(2);
      expect(told).toEqual([]);
      expect(await store.countMessages(room.id)).toBe(0);

      verifier.release();
      expect(await first).toEqual({ added: 5, gap: false, tooFar: 0 });
      expect(await second).toEqual({ added: 5, gap: false, tooFar: 0 });
      expect(told).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect((await store.versionVector(room.id))[bob.deviceId]).toBe(10);
    } finally {
      await close();
    }
  });
});
