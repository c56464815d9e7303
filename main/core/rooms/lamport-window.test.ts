// What a member can do to a room with the Lamport times and seqs it signs, judged by real room
// services (no network: the test hands each service what a peer would have sent it). A member
// must not be able to push a room's clock to where nobody can send, and replays and
// equivocations are counted under their own reasons without changing what is stored.
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_LAMPORT, type EnvelopeHeader } from '../../../shared/room-wire';
import { randomBytes } from '../crypto';
import { encodeCbor } from '../net/cbor';
import { sealMessage, type SealedMessage } from '../messages/envelope-codec';
import { craftEnvelope, testDevice, type TestDevice } from '../messages/test-room.testing';
import { inlineVerifier } from '../messages/verify-pool';
import { silentLogger, type Logger } from '../log/logger';
import { tempDirs } from '../testing/temp-dir';
import { currentEpoch } from './rules';
import type { RoomServiceOptions } from './room-service';
import { startLoneRoomService, type LoneRoomService } from './testing/lone-room-service';

const dirs = tempDirs();
const running: LoneRoomService[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
  dirs.cleanup();
});

type Peer = Pick<TestDevice, 'deviceId' | 'publicKeySpki'>;

/** A room service that knows the public keys of `peers` (as a node knows those it met). */
async function service(
  peers: Peer[],
  options: Partial<RoomServiceOptions> = {},
  dir?: string,
): Promise<LoneRoomService> {
  const started = await startLoneRoomService(
    dirs,
    {
      verifier: inlineVerifier,
      peerPublicKey: (id) => Promise.resolve(peers.find((p) => p.deviceId === id)?.publicKeySpki),
      ...options,
    },
    dir,
  );
  running.push(started);
  return started;
}

/** Closes a service and starts it again on its folder, with `options`. */
async function restart(
  node: LoneRoomService,
  options: Partial<RoomServiceOptions> = {},
): Promise<LoneRoomService> {
  running.splice(running.indexOf(node), 1);
  await node.close();
  return service([], options, node.dir);
}

/**
 * Ann (owner) and Cat, two room services, and Ben, a member whose envelopes the test signs as
 * it likes; Cat holds the room's log as Ann wrote it.
 */
async function roomOfThree() {
  const ben = testDevice();
  const cat = await service([]);
  const ann = await service([ben, cat.identity]);
  const room = await ann.rooms.create({ name: 'Clock' });
  await ann.rooms.invite(room.id, ben.deviceId);
  await ann.rooms.invite(room.id, cat.identity.deviceId);
  await handOps(ann, cat, room.id);
  const entry = ann.rooms.book.get(room.id)!;
  const epoch = currentEpoch(entry.state)!;
  const key = entry.keys.get(epoch.id)!;
  const benSends = (seq: number, lamport: number, text: string, prev?: string): SealedMessage =>
    sealMessage({
      roomId: room.id,
      epochId: epoch.id,
      epochKey: key,
      sender: ben,
      seq,
      prev,
      lamport,
      ts: Date.now(),
      body: { text },
    });
  return { ann, cat, ben, roomId: room.id, epochId: epoch.id, key, benSends };
}

async function handOps(from: LoneRoomService, to: LoneRoomService, roomId: string) {
  const ops = (await from.store.listControlOps(roomId)).map((o) => o.bytes);
  await to.rooms.ingestOps(roomId, ops, from.identity.deviceId);
}

/** Hands `to` the newest message `from` sent in the room, as a push would. */
async function handNewest(from: LoneRoomService, to: LoneRoomService, roomId: string) {
  const newest = await from.store.lastMessageOf(roomId, from.identity.deviceId);
  const message = await from.store.getMessage(newest!.id);
  return to.rooms.ingestEnvelopes(roomId, [message!.envelope], from.identity.deviceId);
}

const countOf = (node: LoneRoomService, reason: string) => node.rooms.rejects.snapshot()[reason];

describe('a message far ahead of the room’s clock', () => {
  it('is refused and counted at every receiver, and the room keeps working, also after a restart', async () => {
    const { ann, ben, benSends, roomId, ...r } = await roomOfThree();
    let cat = r.cat;
    const huge = benSends(1, MAX_LAMPORT, 'the end of time');

    for (const node of [ann, cat]) {
      const clock = node.rooms.book.get(roomId)!.clock;
      expect(await node.rooms.ingestEnvelopes(roomId, [huge.bytes], ben.deviceId)).toEqual({
        added: 0,
        gap: true,
        tooFar: 1,
      });
      expect(countOf(node, 'lamport-too-far')).toBe(1);
      expect(await node.store.countMessages(roomId)).toBe(0);
      expect(node.rooms.book.get(roomId)!.clock).toBe(clock);
    }

    // Everyone still sends, and every message arrives.
    const fromAnn = await ann.rooms.send(roomId, 'still here');
    expect(fromAnn.lamport).toBeLessThan(100);
    expect((await handNewest(ann, cat, roomId)).added).toBe(1);
    await cat.rooms.send(roomId, 'me too');
    expect((await handNewest(cat, ann, roomId)).added).toBe(1);

    cat = await restart(cat);
    expect(await cat.rooms.ingestEnvelopes(roomId, [huge.bytes], ben.deviceId)).toMatchObject({
      added: 0,
      tooFar: 1,
    });
    expect(countOf(cat, 'lamport-too-far')).toBe(1);
    const after = await cat.rooms.send(roomId, 'after a restart');
    expect(after.lamport).toBe(fromAnn.lamport + 2);
    expect((await handNewest(cat, ann, roomId)).added).toBe(1);
    expect(await ann.store.maxLamport(roomId)).toBe(after.lamport);
  });

  it('is taken once the messages before it are held, within one batch or the next', async () => {
    const { ann, ben, benSends, roomId } = await roomOfThree();
    // The protocol's window is 2^20; a small one shows the rule with a few messages.
    const small = await restart(ann, { lamportWindow: 4 });
    const clock = small.rooms.book.get(roomId)!.clock;
    const chain: SealedMessage[] = [];
    for (let seq = 1; seq <= 10; seq++)
      chain.push(benSends(seq, clock + 3 * seq, `step ${seq}`, chain.at(-1)?.id));
    const bytes = chain.map((m) => m.bytes);

    // Alone, the last ones are too far ahead; in a batch with what came before, all fit.
    expect(await small.rooms.ingestEnvelopes(roomId, bytes.slice(5), ben.deviceId)).toEqual({
      added: 0,
      gap: true,
      tooFar: 5,
    });
    expect(
      await small.rooms.ingestEnvelopes(roomId, [...bytes].reverse(), ben.deviceId),
    ).toMatchObject({ added: 10, tooFar: 0 });
    expect(await small.store.maxLamport(roomId)).toBe(clock + 30);
    expect(countOf(small, 'lamport-too-far')).toBe(5);
  });

  it('above the ceiling is malformed, and a store that holds one from before makes sending fail in words', async () => {
    const { cat, ben, roomId, epochId, key, benSends } = await roomOfThree();
    const header: EnvelopeHeader = {
      v: 2,
      room: roomId,
      epoch: epochId,
      sender: ben.deviceId,
      seq: 1,
      lamport: Number.MAX_SAFE_INTEGER,
      ts: Date.now(),
      nonce: new Uint8Array(randomBytes(12)),
    };
    const beyond = craftEnvelope({
      header,
      plaintext: encodeCbor({ text: 'beyond' }),
      epochKey: key,
      signer: ben.privateKey,
    });
    expect(await cat.rooms.ingestEnvelopes(roomId, [beyond], ben.deviceId)).toMatchObject({
      added: 0,
    });
    expect(countOf(cat, 'malformed')).toBe(1);
    expect(() => benSends(1, MAX_LAMPORT + 1, 'beyond')).toThrow(TypeError);

    // A message at the ceiling stored before receivers refused such times.
    const atCeiling = benSends(1, MAX_LAMPORT, 'stored long ago');
    await cat.store.addMessages([
      {
        id: atCeiling.id,
        roomId,
        sender: ben.deviceId,
        seq: 1,
        lamport: MAX_LAMPORT,
        ts: atCeiling.header.ts,
        envelope: atCeiling.bytes,
        text: 'stored long ago',
        receivedAt: Date.now(),
      },
    ]);
    await expect(cat.rooms.send(roomId, 'hello?')).rejects.toMatchObject({
      code: 'ROOM_CLOCK_EXHAUSTED',
    });
  });
});

describe('a replayed or equivocating envelope', () => {
  it('is refused and counted under its reason, and nothing stored changes', async () => {
    const { ben, benSends, roomId, ...r } = await roomOfThree();
    const received: string[] = [];
    const warned: string[] = [];
    const logger: Logger = {
      ...silentLogger,
      warn: (event) => warned.push(event),
      child: () => logger,
    };
    const ann = await restart(r.ann, {
      logger,
      emit: (event, payload) => {
        if (event === 'message.received' && 'text' in payload) received.push(payload.text);
      },
    });
    const clock = ann.rooms.book.get(roomId)!.clock;
    const first = benSends(1, clock + 1, 'the first');
    expect((await ann.rooms.ingestEnvelopes(roomId, [first.bytes], ben.deviceId)).added).toBe(1);
    const stored = await ann.store.getMessage(first.id);

    // The same bytes again (a replay, or an honest copy from another member), alone and twice in a batch.
    expect(await ann.rooms.ingestEnvelopes(roomId, [first.bytes], ben.deviceId)).toEqual({
      added: 0,
      gap: false,
      tooFar: 0,
    });
    const second = benSends(2, clock + 2, 'the second', first.id);
    expect(
      (await ann.rooms.ingestEnvelopes(roomId, [second.bytes, second.bytes], ben.deviceId)).added,
    ).toBe(1);
    expect(countOf(ann, 'duplicate')).toBe(2);

    // Another message under seq 1: Ben signed two.
    const rival = benSends(1, clock + 1, 'a different first');
    expect(await ann.rooms.ingestEnvelopes(roomId, [rival.bytes], ben.deviceId)).toEqual({
      added: 0,
      gap: false,
      tooFar: 0,
    });
    expect(countOf(ann, 'seq-taken')).toBe(1);
    expect(countOf(ann, 'duplicate')).toBe(2);

    // Far apart in one batch (read back one by one): a replay of seq 1, a rival of seq 6.
    const chain = [second];
    for (let seq = 3; seq <= 6; seq++)
      chain.push(benSends(seq, clock + seq, `message ${seq}`, chain.at(-1)!.id));
    const sent = chain.slice(1).map((m) => m.bytes);
    expect((await ann.rooms.ingestEnvelopes(roomId, sent, ben.deviceId)).added).toBe(4);
    const rivalSix = benSends(6, clock + 6, 'a different sixth', chain[3]!.id);
    expect(
      (await ann.rooms.ingestEnvelopes(roomId, [first.bytes, rivalSix.bytes], ben.deviceId)).added,
    ).toBe(0);
    expect(countOf(ann, 'duplicate')).toBe(3);
    expect(countOf(ann, 'seq-taken')).toBe(2);
    expect(warned).toEqual(['rooms.seq_taken']);

    expect(await ann.store.getMessage(rival.id)).toBeUndefined();
    expect(await ann.store.getMessage(rivalSix.id)).toBeUndefined();
    expect(await ann.store.getMessage(first.id)).toEqual(stored);
    const all = await ann.store.listMessagesOf(roomId, ben.deviceId, 0, 10);
    const texts = ['the first', 'the second', ...[3, 4, 5, 6].map((n) => `message ${n}`)];
    expect(all.map((m) => m.text)).toEqual(texts);
    expect(received).toEqual(texts);
  });
});
