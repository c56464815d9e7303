import { describe, expect, it } from 'vitest';
import { randomBytes, randomId } from '../crypto';
import { encodeCbor } from '../net/cbor';
import {
  ENVELOPE_WIRE_VERSION,
  MAX_CLOCK_SKEW_MS,
  type EnvelopeHeader,
} from '../../../shared/room-wire';
import {
  decodeEnvelope,
  encodeEnvelopeHeader,
  sealMessage,
  MAX_ENVELOPE_BYTES,
  type DecodedEnvelope,
  type SealMessageInput,
} from './envelope-codec';
import { REJECT_REASONS, type RejectReason } from './reject-reasons';
import {
  craftEnvelope,
  keysOf,
  randomMessageId,
  signEnvelope,
  standInCheckSender,
  testDevice,
  testEpoch,
  testRoom,
  type TestDevice,
  type TestEpoch,
} from './test-room.testing';
import {
  openEnvelope,
  toMessageRecord,
  type OpenContext,
  type OpenResult,
} from './verify-envelope';

const NOW = 1_700_000_000_000;
const HOUR_MS = 60 * 60 * 1000;

const alice = testDevice();
const bob = testDevice();
/** Left after the first epoch, having sent 3 messages. */
const carol = testDevice();
/** Never a member. */
const mallory = testDevice();

const first = testEpoch([alice, bob, carol]);
const current = testEpoch([alice, bob]);
const state = testRoom({
  members: [alice, bob],
  epochs: [first, current],
  departed: [{ device: carol, lastSeq: 3, epochIndex: 0 }],
});
const context: OpenContext = {
  state,
  keys: keysOf([first, current]),
  now: NOW,
  checkSender: standInCheckSender,
};

function seal(
  sender: TestDevice,
  epoch: TestEpoch,
  over: Partial<SealMessageInput> = {},
): Uint8Array {
  const seq = over.seq ?? 1;
  return sealMessage({
    roomId: state.roomId,
    epochId: epoch.id,
    epochKey: epoch.key,
    sender: { deviceId: sender.deviceId, privateKey: sender.privateKey },
    seq,
    // One envelope alone: what its prev names is not looked at (open-envelopes.ts is).
    prev: seq > 1 ? randomMessageId() : undefined,
    lamport: 2,
    ts: NOW - 1000,
    body: { text: 'hello' },
    ...over,
  }).bytes;
}

function decoded(bytes: Uint8Array): DecodedEnvelope {
  const result = decodeEnvelope(bytes);
  if (!result.ok) throw new Error(`expected a valid envelope, got ${result.reason}`);
  return result.envelope;
}

/** What a node does with bytes from a peer: decode, then open. */
function receive(bytes: Uint8Array, over: Partial<OpenContext> = {}): OpenResult {
  const result = decodeEnvelope(bytes);
  return result.ok ? openEnvelope(result.envelope, { ...context, ...over }) : result;
}

/** A header of `sender` in the current epoch, as sealMessage would write it. */
function headerOf(sender: TestDevice, over: Partial<EnvelopeHeader> = {}): EnvelopeHeader {
  return {
    v: ENVELOPE_WIRE_VERSION,
    room: state.roomId,
    epoch: current.id,
    sender: sender.deviceId,
    seq: 1,
    lamport: 2,
    ts: NOW,
    // A copy: the schema's type wants a Uint8Array over a plain ArrayBuffer.
    nonce: new Uint8Array(randomBytes(12)),
    ...over,
  };
}

/** A validly signed envelope of alice's whose plaintext is `plaintext`. */
function aliceEncrypting(plaintext: Uint8Array): Uint8Array {
  return craftEnvelope({
    header: headerOf(alice),
    plaintext,
    epochKey: current.key,
    signer: alice.privateKey,
  });
}

describe('openEnvelope accepts', () => {
  it('a member’s message in the current epoch, and makes the store record of it', () => {
    const bytes = seal(alice, current, { seq: 5, lamport: 9, body: { text: 'hi all' } });
    const result = receive(bytes);
    expect(result).toEqual({
      ok: true,
      message: {
        id: decoded(bytes).id,
        roomId: state.roomId,
        epochId: current.id,
        sender: alice.deviceId,
        seq: 5,
        lamport: 9,
        ts: NOW - 1000,
        text: 'hi all',
        envelope: bytes,
      },
    });
    if (!result.ok) return;
    expect(toMessageRecord(result.message, NOW + 5)).toEqual({
      id: result.message.id,
      roomId: state.roomId,
      sender: alice.deviceId,
      seq: 5,
      lamport: 9,
      ts: NOW - 1000,
      envelope: bytes,
      text: 'hi all',
      receivedAt: NOW + 5,
    });
  });

  it('a message under an earlier epoch the sender held (history from sync)', () => {
    expect(receive(seal(bob, first, { ts: NOW - 30 * 24 * HOUR_MS }))).toMatchObject({ ok: true });
  });

  it('a departed member’s messages up to their last seq, verified with their kept key', () => {
    expect(receive(seal(carol, first, { seq: 3 }))).toMatchObject({
      ok: true,
      message: { sender: carol.deviceId, seq: 3 },
    });
  });

  it('a timestamp ahead of our clock by no more than the allowed skew', () => {
    expect(receive(seal(alice, current, { ts: NOW + MAX_CLOCK_SKEW_MS }))).toMatchObject({
      ok: true,
    });
  });
});

describe('openEnvelope refuses', () => {
  const good = decoded(seal(alice, current));

  /** Alice's good envelope with its header changed after signing. */
  function tamperedHeader(): Uint8Array {
    const headerBytes = encodeEnvelopeHeader({ ...good.header, lamport: good.header.lamport + 1 });
    return encodeCbor({ header: headerBytes, ciphertext: good.ciphertext, sig: good.sig });
  }

  /** Alice's good envelope with one ciphertext byte flipped after signing. */
  function tamperedCiphertext(): Uint8Array {
    const ciphertext = new Uint8Array(good.ciphertext);
    ciphertext[ciphertext.length - 1]! ^= 0x01;
    return encodeCbor({ header: good.headerBytes, ciphertext, sig: good.sig });
  }

  const cases: {
    name: string;
    reason: RejectReason;
    bytes: () => Uint8Array;
    context?: Partial<OpenContext>;
  }[] = [
    {
      name: 'a truncated envelope',
      reason: 'malformed',
      bytes: () => good.bytes.subarray(0, good.bytes.length - 10),
    },
    { name: 'random bytes', reason: 'malformed', bytes: () => randomBytes(500) },
    {
      name: 'an oversized envelope',
      reason: 'oversized',
      bytes: () => randomBytes(MAX_ENVELOPE_BYTES + 1),
    },
    {
      name: 'an envelope with an extra field',
      reason: 'malformed',
      bytes: () =>
        encodeCbor({ header: good.headerBytes, ciphertext: good.ciphertext, sig: good.sig, x: 0 }),
    },
    {
      name: 'a non-canonical re-encoding of a valid envelope (a second ID for one message)',
      reason: 'malformed',
      bytes: () =>
        encodeCbor({ ciphertext: good.ciphertext, header: good.headerBytes, sig: good.sig }),
    },
    {
      name: 'a message for another room',
      reason: 'wrong-room',
      bytes: () => seal(alice, current, { roomId: randomId() }),
    },
    {
      name: 'a timestamp an hour in the future',
      reason: 'future',
      bytes: () => seal(alice, current, { ts: NOW + HOUR_MS }),
    },
    {
      name: 'an epoch the control log does not have',
      reason: 'unknown-epoch',
      bytes: () => seal(alice, testEpoch([alice])),
    },
    {
      name: 'a sender who was never a member, signing with their own key',
      reason: 'not-a-holder',
      bytes: () => seal(mallory, current),
    },
    {
      name: 'a departed member in an epoch started after they left',
      reason: 'not-a-holder',
      bytes: () => seal(carol, current, { seq: 2 }),
    },
    {
      name: 'a departed member past their last seq (a back-dated post)',
      reason: 'departed',
      bytes: () => seal(carol, first, { seq: 4, ts: NOW - HOUR_MS }),
    },
    {
      name: 'a member’s header signed by another key',
      reason: 'bad-signature',
      bytes: () =>
        craftEnvelope({
          header: headerOf(alice),
          plaintext: encodeCbor({ text: 'from alice, honestly' }),
          epochKey: current.key,
          signer: mallory.privateKey,
        }),
    },
    { name: 'a header changed after signing', reason: 'bad-signature', bytes: tamperedHeader },
    {
      name: 'a ciphertext changed after signing',
      reason: 'bad-signature',
      bytes: tamperedCiphertext,
    },
    {
      name: 'a tampered envelope even when the key is missing (verify comes first)',
      reason: 'bad-signature',
      bytes: tamperedCiphertext,
      context: { keys: () => undefined },
    },
    {
      name: 'an epoch whose key this node lacks',
      reason: 'no-key',
      bytes: () => good.bytes,
      context: { keys: () => undefined },
    },
    {
      name: 'a message under the wrong epoch key',
      reason: 'undecryptable',
      bytes: () => good.bytes,
      context: { keys: () => randomBytes(32) },
    },
    {
      name: 'a ciphertext whose associated data is not the header',
      reason: 'undecryptable',
      bytes: () =>
        craftEnvelope({
          header: headerOf(alice),
          plaintext: encodeCbor({ text: 'hi' }),
          epochKey: current.key,
          signer: alice.privateKey,
          aad: new Uint8Array(0),
        }),
    },
    {
      name: 'a plaintext that is not CBOR',
      reason: 'bad-body',
      bytes: () => aliceEncrypting(Uint8Array.of(0xff, 0x00)),
    },
    {
      name: 'a body whose text is not a string',
      reason: 'bad-body',
      bytes: () => aliceEncrypting(encodeCbor({ text: 5 })),
    },
    {
      name: 'a body with an extra field',
      reason: 'bad-body',
      bytes: () => aliceEncrypting(encodeCbor({ text: 'hi', html: '<b>hi</b>' })),
    },
    {
      name: 'a body with an empty text',
      reason: 'bad-body',
      bytes: () => aliceEncrypting(encodeCbor({ text: '' })),
    },
  ];

  it.each(cases)('$name: $reason', ({ reason, bytes, context: over }) => {
    expect(receive(bytes(), over)).toMatchObject({ ok: false, reason });
  });

  it('covers every reason with a crafted envelope', () => {
    expect(new Set(cases.map((c) => c.reason))).toEqual(new Set(REJECT_REASONS));
  });

  it('checks the room before anything else (a stranger’s message for another room)', () => {
    expect(receive(seal(mallory, testEpoch([mallory]), { roomId: randomId() }))).toMatchObject({
      ok: false,
      reason: 'wrong-room',
    });
  });

  it('checks the sender may use the epoch before it verifies the signature', () => {
    const forged = signEnvelope(good.headerBytes, good.ciphertext, mallory.privateKey);
    const aliceNotHolder = testRoom({
      roomId: state.roomId,
      members: [alice, bob],
      epochs: [{ ...current, holders: [bob] }],
    });
    expect(receive(forged, { state: aliceNotHolder })).toMatchObject({
      ok: false,
      reason: 'not-a-holder',
    });
  });

  it('counts a sender refusal it does not know as not-a-holder and keeps the words', () => {
    expect(receive(good.bytes, { checkSender: () => 'banned-in-a-parallel-branch' })).toEqual({
      ok: false,
      reason: 'not-a-holder',
      detail: 'banned-in-a-parallel-branch',
    });
  });

  it('refuses a sender the rule lets through but the control log never introduced', () => {
    expect(receive(seal(mallory, current), { checkSender: () => null })).toMatchObject({
      ok: false,
      reason: 'not-a-holder',
    });
  });
});
