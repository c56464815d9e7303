/**
 * The message envelope codec: pure functions that seal a message body into the signed,
 * encrypted envelope every member stores and relays, and that decode such bytes back into
 * their parts. No state, no clock, no store; deciding whether a decoded envelope is acceptable
 * is verify-envelope.ts.
 *
 *   header     = CBOR EnvelopeHeader { v, room, epoch, sender, seq, prev?, lamport, ts, nonce }
 *   ciphertext = AES-256-GCM(epoch key, CBOR MessageBody, aad = header)   (nonce || ct || tag)
 *   sig        = ECDSA(sender, "parley/v1/sign/envelope", u32be(len(header)) || header || ciphertext)
 *   envelope   = CBOR Envelope { header, ciphertext, sig }        message ID = hex SHA-256(envelope)
 *
 * What must stay true:
 * - One message has one ID. The ID hashes the envelope bytes, and the signature covers only
 *   header and ciphertext, so anyone relaying could otherwise re-encode the outer map (key
 *   order, integer widths, duplicate keys) into a second valid envelope with another ID.
 *   `decodeEnvelope` therefore accepts an envelope (and its header) only if it is byte for byte
 *   what `encodeCbor` writes for its parsed value with keys in the schema's order, and low-S
 *   signatures (crypto/signature.ts) keep the signature itself from being reshaped.
 * - `decodeEnvelope` never throws, checks the size before it parses anything, and verifies
 *   nothing: a decoded envelope is well-formed, not trusted.
 * - The header travels in clear (relays need room, sender and seq to sync), so it carries
 *   nothing secret; it is bound to the body as AES-GCM associated data and by the signature.
 * - The header's nonce is the nonce the ciphertext starts with (aead.ts writes nonce || ct ||
 *   tag); an envelope where they differ is malformed, so the header never lies about it.
 */
import type { KeyObject } from 'node:crypto';
import {
  AEAD_NONCE_BYTES,
  AEAD_OVERHEAD_BYTES,
  aeadSeal,
  exportPublicKeySpki,
  publicKeyOf,
  randomBytes,
  sha256Hex,
  sign,
  SIGN_LABELS,
} from '../crypto';
import { deviceIdForPublicKey } from '../identity/device-id';
import { decodeCbor, encodeCbor } from '../net/cbor';
import {
  Envelope,
  EnvelopeHeader,
  MAX_MESSAGE_CIPHERTEXT_BYTES,
  MessageBody,
  ENVELOPE_WIRE_VERSION,
} from '../../../shared/room-wire';
import { readEnvelopeParts } from './envelope-layout';
import { reject, type Rejected } from './reject-reasons';

/**
 * Largest envelope read, in bytes: the largest ciphertext plus room for the header (at most
 * 1024 bytes by schema), the 64-byte signature and the CBOR framing. It is the same bound as an
 * envelope inside MessagesPush / SyncMessagesResponse (shared/room-wire.ts).
 */
export const MAX_ENVELOPE_BYTES = MAX_MESSAGE_CIPHERTEXT_BYTES + 2048;

/** Bytes of the big-endian header length that starts the signed data. */
const HEADER_LENGTH_BYTES = 4;

export interface SealMessageInput {
  roomId: string;
  epochId: string;
  /** The epoch's 256-bit AES key. */
  epochKey: Uint8Array;
  /** This device: its ID must be the hash of the private key's public half. */
  sender: { deviceId: string; privateKey: KeyObject };
  /** The sender's per-room sequence number, from 1 without gaps. */
  seq: number;
  /** The ID (hex) of the sender's message `seq - 1` in this room; required exactly when seq > 1. */
  prev?: string;
  lamport: number;
  /** The sender's clock, ms since the epoch. */
  ts: number;
  body: MessageBody;
}

export interface SealedMessage {
  /** Hex SHA-256 of `bytes`. */
  id: string;
  /** The encoded envelope, exactly as it travels and is stored. */
  bytes: Uint8Array;
  header: EnvelopeHeader;
}

/** An envelope that is well-formed and canonical; nothing in it is verified yet. */
export interface DecodedEnvelope {
  /** Hex SHA-256 of `bytes`. */
  id: string;
  bytes: Uint8Array;
  header: EnvelopeHeader;
  /** The header exactly as signed and as used for associated data. */
  headerBytes: Uint8Array;
  /** nonce || AES-GCM ciphertext || tag. */
  ciphertext: Uint8Array;
  sig: Uint8Array;
}

export type DecodeEnvelopeResult = { ok: true; envelope: DecodedEnvelope } | Rejected;

/**
 * Encrypts and signs one message. Throws TypeError when the input is not what the protocol
 * allows (a bad ID, an empty or over-long text, a sender ID that is not the key's): the input
 * comes from this node, so that is a programming error, never a peer's doing. Throws RangeError
 * for an epoch key that is not 32 bytes.
 */
export function sealMessage(input: SealMessageInput): SealedMessage {
  const body = MessageBody.safeParse(input.body);
  if (!body.success) throw new TypeError(`message body is invalid: ${body.error.message}`);
  if (signerIdOf(input.sender.privateKey) !== input.sender.deviceId) {
    // Every receiver would refuse the envelope as 'bad-signature'; fail here, loudly, instead.
    throw new TypeError('sender.deviceId is not the ID of sender.privateKey');
  }
  const header = EnvelopeHeader.safeParse({
    v: ENVELOPE_WIRE_VERSION,
    room: input.roomId,
    epoch: input.epochId,
    sender: input.sender.deviceId,
    seq: input.seq,
    prev: input.prev === undefined ? undefined : messageIdBytes(input.prev),
    lamport: input.lamport,
    ts: input.ts,
    // A fresh CSPRNG nonce per message, as aeadSeal would draw itself; it is drawn here because
    // the header, which is the associated data, must hold it before encryption.
    nonce: randomBytes(AEAD_NONCE_BYTES),
  });
  if (!header.success) throw new TypeError(`envelope header is invalid: ${header.error.message}`);
  const headerBytes = encodeEnvelopeHeader(header.data);
  const ciphertext = aeadSeal(
    input.epochKey,
    encodeCbor({ text: body.data.text }),
    headerBytes,
    header.data.nonce,
  );
  if (ciphertext.length > MAX_MESSAGE_CIPHERTEXT_BYTES) {
    // Guards the two limits in room-wire.ts against drifting apart: MAX_MESSAGE_TEXT must fit.
    throw new TypeError('message body is too large for one envelope');
  }
  const sig = sign(
    input.sender.privateKey,
    SIGN_LABELS.envelope,
    envelopeSignedData(headerBytes, ciphertext),
  );
  const bytes = encodeEnvelope({ header: headerBytes, ciphertext, sig });
  return { id: messageIdOf(bytes), bytes, header: header.data };
}

/**
 * The device ID a private key signs as, worked out once per key: deriving it (public half,
 * SPKI export, hash) cost about a quarter of sealing a message. A KeyObject never changes, and
 * the map lets go of keys nobody holds.
 */
function signerIdOf(privateKey: KeyObject): string {
  let id = signerIds.get(privateKey);
  if (id === undefined) {
    id = deviceIdForPublicKey(exportPublicKeySpki(publicKeyOf(privateKey)));
    signerIds.set(privateKey, id);
  }
  return id;
}
const signerIds = new WeakMap<KeyObject, string>();

/** Parses bytes from a peer or from disk into a well-formed envelope. Never throws. */
export function decodeEnvelope(bytes: Uint8Array): DecodeEnvelopeResult {
  if (!(bytes instanceof Uint8Array)) return reject('malformed', 'not bytes');
  if (bytes.length > MAX_ENVELOPE_BYTES) return reject('oversized');

  // An envelope exactly as encodeEnvelope writes it is read without a CBOR decoder (only what
  // the full way accepts: envelope-layout.ts); anything else goes the full way, which decides.
  const parts = readEnvelopeParts(bytes);
  const outer: Parsed<Envelope> =
    parts !== undefined
      ? { ok: true, value: parts }
      : parseCanonical(bytes, Envelope, encodeEnvelope);
  if (!outer.ok) return reject('malformed', `envelope: ${outer.detail}`);
  const { header: headerBytes, ciphertext, sig } = outer.value;

  const header = parseCanonical(headerBytes, EnvelopeHeader, encodeEnvelopeHeader);
  if (!header.ok) return reject('malformed', `header: ${header.detail}`);

  if (
    ciphertext.length < AEAD_OVERHEAD_BYTES ||
    !sameBytes(ciphertext.subarray(0, AEAD_NONCE_BYTES), header.value.nonce)
  ) {
    return reject('malformed', 'ciphertext is too short or does not start with the header nonce');
  }
  return {
    ok: true,
    envelope: { id: messageIdOf(bytes), bytes, header: header.value, headerBytes, ciphertext, sig },
  };
}

/** What the sender signs: u32be(len(header)) || header || ciphertext. */
export function envelopeSignedData(headerBytes: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  // The length prefix fixes where the header ends, so no split of the same bytes into another
  // header and ciphertext can carry the same signature.
  const prefix = new Uint8Array(HEADER_LENGTH_BYTES);
  new DataView(prefix.buffer).setUint32(0, headerBytes.length);
  return Buffer.concat([prefix, headerBytes, ciphertext]);
}

/** The canonical encoding of a header: keys in the schema's order, `prev` left out when absent. */
export function encodeEnvelopeHeader(h: EnvelopeHeader): Uint8Array {
  return encodeCbor({
    v: h.v,
    room: h.room,
    epoch: h.epoch,
    sender: h.sender,
    seq: h.seq,
    ...(h.prev === undefined ? {} : { prev: h.prev }),
    lamport: h.lamport,
    ts: h.ts,
    nonce: h.nonce,
  });
}

/** The three parts of an Envelope, as any bytes (the schema's type wants ArrayBuffer-backed ones). */
export interface EnvelopeParts {
  header: Uint8Array;
  ciphertext: Uint8Array;
  sig: Uint8Array;
}

/** The canonical encoding of an envelope: keys in the schema's order. */
export function encodeEnvelope(e: EnvelopeParts): Uint8Array {
  return encodeCbor({ header: e.header, ciphertext: e.ciphertext, sig: e.sig });
}

/** A message ID: lower-case hex SHA-256 of the envelope bytes. */
export function messageIdOf(envelopeBytes: Uint8Array): string {
  // Straight to hex: every message is hashed once where it is sealed and once at each member,
  // and a digest plus a copy for the hex cost about three times as much.
  return sha256Hex(envelopeBytes);
}

/** A message ID's 32 bytes, as `prev` carries it; undefined for anything that is not an ID. */
function messageIdBytes(id: string): Uint8Array | undefined {
  if (!/^[0-9a-f]{64}$/.test(id)) return undefined;
  return new Uint8Array(Buffer.from(id, 'hex'));
}

/** The hex ID `prev` names, or undefined for a header without one (seq 1). */
export function prevIdOf(header: EnvelopeHeader): string | undefined {
  return header.prev === undefined ? undefined : Buffer.from(header.prev).toString('hex');
}

type Parsed<T> = { ok: true; value: T } | { ok: false; detail: string };

/** Strict CBOR, then the schema, then "re-encoding gives the same bytes". */
function parseCanonical<T>(
  bytes: Uint8Array,
  schema: { safeParse(value: unknown): { success: true; data: T } | { success: false } },
  encode: (value: T) => Uint8Array,
): Parsed<T> {
  const decoded = decodeCbor(bytes);
  if (!decoded.ok) return { ok: false, detail: decoded.reason };
  const parsed = schema.safeParse(decoded.value);
  if (!parsed.success) return { ok: false, detail: 'not the schema' };
  // The schema admits only plain data, so encoding cannot throw here.
  if (!sameBytes(encode(parsed.data), bytes)) return { ok: false, detail: 'not canonical CBOR' };
  return { ok: true, value: parsed.data };
}

/** Equality of public bytes (not constant-time; nothing secret is compared here). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}

/**
 * The sender and seq an envelope claims, read without any check beyond CBOR: a hint for
 * where to ask next in a sync (room-sync.ts asks for the next batch while this one is
 * verified), never a fact. undefined when the bytes do not even look like an envelope.
 */
export function peekSenderSeq(bytes: Uint8Array): { sender: string; seq: number } | undefined {
  if (!(bytes instanceof Uint8Array) || bytes.length > MAX_ENVELOPE_BYTES) return undefined;
  const outer = decodeCbor(bytes);
  const headerBytes = outer.ok ? (outer.value as { header?: unknown } | null)?.header : undefined;
  if (!(headerBytes instanceof Uint8Array)) return undefined;
  const header = decodeCbor(headerBytes);
  const h = header.ok ? (header.value as { sender?: unknown; seq?: unknown } | null) : null;
  if (typeof h?.sender !== 'string' || !Number.isSafeInteger(h.seq)) return undefined;
  return { sender: h.sender, seq: h.seq as number };
}
