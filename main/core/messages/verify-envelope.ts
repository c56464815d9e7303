/**
 * Decides whether a decoded envelope (envelope-codec.ts) is a message of this room, and opens
 * it: the room's folded control log says who may send under which epoch and with which key.
 * Pure: the state, the epoch keys, the clock and the sender rule are all passed in.
 *
 * The checks run cheapest first, and nothing is decrypted or parsed before the signature
 * verified:
 *   room -> clock -> epoch known -> sender may use the epoch -> sender's key -> signature
 *   -> epoch key held -> AES-GCM open (aad = header bytes) -> MessageBody
 *
 * What must stay true:
 * - `openEnvelope` never throws for anything a peer can send; every refusal is a RejectReason.
 *   (An epoch key of the wrong length comes from this node, not a peer: aead.ts throws.)
 * - The sender's key comes only from the control log (members, or departed members for their
 *   messages from before they left), never from the envelope: an envelope cannot introduce
 *   its own signer.
 * - A timestamp is only refused when it is too far ahead; an old one is normal (sync delivers
 *   history), and order comes from Lamport times, not clocks.
 */
import { MAX_CLOCK_SKEW_MS, MessageBody, type EnvelopeHeader } from '../../../shared/room-wire';
import { aeadOpen, labelledMessage, SIGN_LABELS } from '../crypto';
import { decodeCbor } from '../net/cbor';
import type { RoomState } from '../rooms/room-state';
import type { MessageRecord } from '../store/store';
import { envelopeSignedData, type DecodedEnvelope } from './envelope-codec';
import { reject, type Rejected, type RejectReason } from './reject-reasons';
import { verifyOnThisThread, type SignatureJob } from './verify-pool';

/**
 * May `sender` send message `seq` under epoch `epochId`? null when yes, else why not. The rooms
 * fold provides it (`checkMessageSender` in rooms/fold.ts); it is passed in so that the rule
 * lives in one place, beside the fold that builds the state it reads.
 */
export type CheckSender = (
  state: RoomState,
  sender: string,
  epochId: string,
  seq: number,
) => string | null;

export interface OpenContext {
  /** The room's state folded from its control log. */
  state: RoomState;
  /** This node's key for an epoch, by epoch ID; undefined when it does not hold it. */
  keys: (epochId: string) => Uint8Array | undefined;
  /** The local clock, ms since the epoch. */
  now: number;
  checkSender: CheckSender;
}

/** A message that verified and decrypted. App names; the wire shape stays in the codec. */
export interface OpenedMessage {
  id: string;
  roomId: string;
  epochId: string;
  sender: string;
  seq: number;
  lamport: number;
  /** The sender's clock, ms since the epoch. */
  ts: number;
  text: string;
  /** The envelope bytes, exactly as received (what the ID hashes). */
  envelope: Uint8Array;
}

export type OpenResult = { ok: true; message: OpenedMessage } | Rejected;

/**
 * How a CheckSender refusal is counted. A string equal to one of these names keeps it; any other
 * string (the rule may grow reasons) counts as 'not-a-holder', the general "this device may not
 * send here", and is kept as the refusal's detail for the log.
 */
export const SENDER_REJECT_REASONS: readonly RejectReason[] = [
  'unknown-epoch',
  'not-a-holder',
  'departed',
];

export function openEnvelope(env: DecodedEnvelope, ctx: OpenContext): OpenResult {
  const checked = checkEnvelope(env, ctx);
  if (!checked.ok) return checked;
  if (!verifyOnThisThread(checked.signature)) return reject('bad-signature');
  return openVerified(env, ctx);
}

/** The signature check `openEnvelope` needs, ready for any thread (messages/verify-pool.ts). */
export type Checked = { ok: true; signature: SignatureJob } | Rejected;

/**
 * Every check of `openEnvelope` before the signature's curve arithmetic: room, clock, epoch,
 * the sender rule, the sender's key from the log, and the signature's form (label, length,
 * low S). The signature itself is left to the caller; only `openVerified` may follow, and only
 * once it verified.
 */
export function checkEnvelope(env: DecodedEnvelope, ctx: OpenContext): Checked {
  const { header } = env;
  const { state } = ctx;
  if (header.room !== state.roomId) return reject('wrong-room');
  if (header.ts > ctx.now + MAX_CLOCK_SKEW_MS) return reject('future');
  if (!state.epochs.some((e) => e.id === header.epoch)) return reject('unknown-epoch');

  const refusal = ctx.checkSender(state, header.sender, header.epoch, header.seq);
  if (refusal !== null) return senderRejection(refusal);

  const publicKey =
    state.members.get(header.sender)?.publicKey ?? state.departed.get(header.sender)?.publicKey;
  // The sender rule passed someone the log never introduced: the rule and the state disagree.
  if (publicKey === undefined) return reject('not-a-holder', 'sender has no key in the state');
  const signed = envelopeSignedData(env.headerBytes, env.ciphertext);
  const message = labelledMessage(SIGN_LABELS.envelope, signed, env.sig);
  if (message === null) return reject('bad-signature');
  return { ok: true, signature: { publicKey, message, signature: env.sig } };
}

/** The rest of `openEnvelope`, for an envelope whose signature verified: key, AES-GCM, body. */
export function openVerified(env: DecodedEnvelope, ctx: OpenContext): OpenResult {
  const { header } = env;
  const epochKey = ctx.keys(header.epoch);
  if (epochKey === undefined) return reject('no-key');
  const plaintext = aeadOpen(epochKey, env.ciphertext, env.headerBytes);
  if (plaintext === null) return reject('undecryptable');

  const decoded = decodeCbor(plaintext);
  if (!decoded.ok) return reject('bad-body', decoded.reason);
  const body = MessageBody.safeParse(decoded.value);
  if (!body.success) return reject('bad-body', 'not a MessageBody');

  return { ok: true, message: openedMessage(env, header, body.data.text) };
}

/** The store's record of an opened message. */
export function toMessageRecord(opened: OpenedMessage, receivedAt: number): MessageRecord {
  return {
    id: opened.id,
    roomId: opened.roomId,
    sender: opened.sender,
    seq: opened.seq,
    lamport: opened.lamport,
    ts: opened.ts,
    envelope: opened.envelope,
    text: opened.text,
    receivedAt,
  };
}

function senderRejection(refusal: string): Rejected {
  const known = SENDER_REJECT_REASONS.find((r) => r === refusal);
  return known !== undefined ? reject(known) : reject('not-a-holder', refusal);
}

function openedMessage(env: DecodedEnvelope, header: EnvelopeHeader, text: string): OpenedMessage {
  return {
    id: env.id,
    roomId: header.room,
    epochId: header.epoch,
    sender: header.sender,
    seq: header.seq,
    lamport: header.lamport,
    ts: header.ts,
    text,
    envelope: env.bytes,
  };
}
