/**
 * Test helpers for messages: throwaway devices, a RoomState built by hand (no control log, no
 * fold) and a stand-in for the rooms fold's sender rule, so these tests depend only on the
 * shape of RoomState.
 */
import type { KeyObject } from 'node:crypto';
import type { EnvelopeHeader } from '../../../shared/room-wire';
import { aeadSeal, randomBytes, randomId, sign, SIGN_LABELS } from '../crypto';
import { testIdentity, type TestIdentity } from '../discovery/fake-beacon.testing';
import type { DepartedState, EpochState, RoomState } from '../rooms/room-state';
import { encodeEnvelope, encodeEnvelopeHeader, envelopeSignedData } from './envelope-codec';
import type { CheckSender } from './verify-envelope';

/** A throwaway device: the same helper discovery's tests use. */
export type TestDevice = TestIdentity;
export const testDevice = testIdentity;

export interface TestEpoch {
  id: string;
  key: Uint8Array;
  holders: TestDevice[];
}

export function testEpoch(holders: TestDevice[]): TestEpoch {
  return { id: randomId(), key: randomBytes(32), holders };
}

export interface TestRoomOptions {
  roomId?: string;
  members: TestDevice[];
  /** In order; the index of each is its position. */
  epochs: TestEpoch[];
  departed?: { device: TestDevice; lastSeq: number; epochIndex: number }[];
}

export function testRoom(options: TestRoomOptions): RoomState {
  const owner = options.members[0]?.deviceId ?? '';
  const epochs: EpochState[] = options.epochs.map((e, index) => ({
    id: e.id,
    index,
    op: `op-${index}`,
    author: owner,
    at: 0,
    reason: index === 0 ? 'create' : 'manual',
    holders: new Set(e.holders.map((h) => h.deviceId)),
    sealed: new Map(),
  }));
  const departed = new Map<string, DepartedState>(
    (options.departed ?? []).map(({ device, lastSeq, epochIndex }) => [
      device.deviceId,
      {
        deviceId: device.deviceId,
        publicKey: device.publicKey,
        name: 'gone',
        lastSeq,
        epochIndex,
        kind: 'left',
        op: 'op-leave',
      },
    ]),
  );
  return {
    roomId: options.roomId ?? randomId(),
    kind: 'room',
    settings: {
      name: 'Test room',
      topic: '',
      visibility: 'private',
      password: null,
      capacity: 10,
      historyShared: true,
    },
    createOp: 'op-0',
    createdAt: 0,
    members: new Map(
      options.members.map((m, i) => [
        m.deviceId,
        {
          deviceId: m.deviceId,
          publicKey: m.publicKey,
          publicKeyDer: m.publicKeySpki,
          name: `member ${i}`,
          role: i === 0 ? 'owner' : 'member',
          since: 'op-0',
          sinceIndex: 0,
        },
      ]),
    ),
    departed,
    banned: new Set(),
    epochs,
    lamport: 1,
    heads: ['op-0'],
    opCount: 1,
    rejected: [],
    rekeyNeeded: false,
  };
}

/**
 * The rule of docs/PROTOCOL.md §8.2–8.3 in its plainest form: the epoch exists, the sender
 * holds it, and a departed sender's seq past their last one is refused under any epoch that
 * started before they left.
 */
export const standInCheckSender: CheckSender = (state, sender, epochId, seq) => {
  const epoch = state.epochs.find((e) => e.id === epochId);
  if (epoch === undefined) return 'unknown-epoch';
  if (!epoch.holders.has(sender)) return 'not-a-holder';
  const gone = state.departed.get(sender);
  if (gone !== undefined && seq > gone.lastSeq && epoch.index <= gone.epochIndex) {
    return 'departed';
  }
  return null;
};

/** A random message ID (hex), for a `prev` whose target does not matter to the test. */
export function randomMessageId(): string {
  return Buffer.from(randomBytes(32)).toString('hex');
}

/** A key lookup over test epochs. */
export function keysOf(epochs: TestEpoch[]): (epochId: string) => Uint8Array | undefined {
  return (epochId) => epochs.find((e) => e.id === epochId)?.key;
}

export interface CraftInput {
  header: EnvelopeHeader;
  /** What is encrypted: normally CBOR of a MessageBody. */
  plaintext: Uint8Array;
  epochKey: Uint8Array;
  signer: KeyObject;
  /** Associated data; default the header bytes, as the protocol says. */
  aad?: Uint8Array;
}

/** An envelope built step by step, so a test can get any one step wrong on purpose. */
export function craftEnvelope(input: CraftInput): Uint8Array {
  const headerBytes = encodeEnvelopeHeader(input.header);
  const ciphertext = aeadSeal(
    input.epochKey,
    input.plaintext,
    input.aad ?? headerBytes,
    input.header.nonce,
  );
  return signEnvelope(headerBytes, ciphertext, input.signer);
}

/** Signs and encodes header and ciphertext as given. */
export function signEnvelope(
  headerBytes: Uint8Array,
  ciphertext: Uint8Array,
  signer: KeyObject,
): Uint8Array {
  const sig = sign(signer, SIGN_LABELS.envelope, envelopeSignedData(headerBytes, ciphertext));
  return encodeEnvelope({ header: headerBytes, ciphertext, sig });
}
