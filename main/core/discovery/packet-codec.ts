/**
 * The discovery packet codec: pure functions that build and check the signed UDP datagrams
 * of the "Discovery" section of docs/PROTOCOL.md. No sockets, no clock, no state.
 *
 *   "PRLY" || u8 version (1) || u8 type || u16 bodyLength || body (CBOR map) || signature (64)
 *
 * What must stay true:
 * - `decodePacket` never throws, whatever the bytes: every rejection is a `DropReason` from a
 *   closed set, so the service can count it.
 * - The size cap is checked before anything else is read, and the signature is checked last,
 *   after every cheap check (a malformed packet costs no signature verification).
 * - A packet is accepted only if its key is a canonical P-256 SPKI, the claimed device ID is
 *   the hash of that key, and the signature over every byte before it verifies with that key:
 *   nobody can announce another device's ID.
 * - The packet carries no IP address. Receivers use the UDP source address; only the TCP port
 *   travels.
 */
import type { KeyObject } from 'node:crypto';
import { decode as cborDecode, Encoder } from 'cbor-x';
import { z } from 'zod';
import { DISPLAY_NAME_MAX_LENGTH, DisplayName } from '../../../shared/api';
import { importPublicKeySpki, sign, SIGN_LABELS, SIGNATURE_BYTES, verify } from '../crypto';
import { deviceIdForPublicKey } from '../identity/device-id';

/** Largest datagram sent or read, in bytes: fits one Ethernet frame with room for IP/UDP. */
export const MAX_PACKET_BYTES = 1200;
/** The 4-byte magic, ASCII "PRLY". */
export const PACKET_MAGIC = Uint8Array.of(0x50, 0x52, 0x4c, 0x59);
/** The only packet version this code reads and writes. */
export const PACKET_VERSION = 1;
/** magic (4) + version (1) + type (1) + body length (2), in bytes. */
export const PACKET_HEADER_BYTES = 8;

/** Wire values of the type byte. */
export const PACKET_TYPES = { announce: 1, query: 2, answer: 3 } as const;
export type PacketType = keyof typeof PACKET_TYPES;

/** Why a datagram was dropped. A closed set: the service keeps one counter per reason. */
export const DROP_REASONS = [
  'oversized',
  'truncated',
  'bad_magic',
  'unknown_version',
  'unknown_type',
  'malformed',
  'bad_key',
  'id_mismatch',
  'bad_signature',
] as const;
export type DropReason = (typeof DROP_REASONS)[number];

/** What a node says about itself. App names here; the wire keys are in `WireBody`. */
export interface PacketFields {
  deviceId: string;
  /** A random 128-bit ID (32 lowercase hex) made at each start: a new one means a restart. */
  instanceId: string;
  name: string;
  /** TCP port of the sender's peer server (0: none yet). */
  port: number;
  /** Milliseconds since the Unix epoch; strictly increasing per instance. */
  ts: number;
  /** Canonical P-256 SubjectPublicKeyInfo DER (91 bytes). */
  publicKeySpki: Uint8Array;
}

export interface DiscoveryPacket extends PacketFields {
  type: PacketType;
  /** The imported sender key, already checked against `deviceId`. */
  publicKey: KeyObject;
}

export type DecodeResult =
  { ok: true; packet: DiscoveryPacket } | { ok: false; reason: DropReason };

const DEVICE_ID = /^[A-Z2-7]{7}(?:-[A-Z2-7]{7}){7}$/;
const INSTANCE_ID = /^[0-9a-f]{32}$/;
const MAX_TCP_PORT = 65_535;
/** Largest body the u16 length can describe (the size cap is lower anyway). */
const MAX_BODY_BYTES = 0xffff;

/** A name as the profile stores it: already trimmed, 1–64 characters, no control characters. */
const WireName = z
  .string()
  .max(DISPLAY_NAME_MAX_LENGTH)
  .refine((s) => {
    const parsed = DisplayName.safeParse(s);
    return parsed.success && parsed.data === s;
  });

/** The CBOR body. Strict: an unknown key makes the packet malformed (a new field is a new version). */
const WireBody = z
  .object({
    id: z.string().regex(DEVICE_ID),
    inst: z.string().regex(INSTANCE_ID),
    name: WireName,
    port: z.number().int().min(0).max(MAX_TCP_PORT),
    ts: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    key: z.instanceof(Uint8Array),
  })
  .strict();
type WireBody = z.infer<typeof WireBody>;

// Plain CBOR maps with string keys: no record extension, no shared structures, so the bytes
// are readable by any CBOR decoder.
const encoder = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false });

export function encodeAnnouncement(fields: PacketFields, privateKey: KeyObject): Uint8Array {
  return encodePacket('announce', fields, privateKey);
}

export function encodeQuery(fields: PacketFields, privateKey: KeyObject): Uint8Array {
  return encodePacket('query', fields, privateKey);
}

/** An announcement sent by unicast in reply to a query or to a newly heard peer. */
export function encodeAnswer(fields: PacketFields, privateKey: KeyObject): Uint8Array {
  return encodePacket('answer', fields, privateKey);
}

/**
 * Builds and signs one packet. Throws TypeError when the fields are not what the protocol
 * allows: they come from this node, so that is a programming (or profile) error, never a
 * peer's doing.
 */
export function encodePacket(
  type: PacketType,
  fields: PacketFields,
  privateKey: KeyObject,
): Uint8Array {
  // A plain copy of the key: cbor-x writes a Buffer and a Uint8Array alike (with
  // tagUint8Array off), but the body must not alias the caller's memory.
  const body: WireBody = {
    id: fields.deviceId,
    inst: fields.instanceId,
    name: fields.name,
    port: fields.port,
    ts: fields.ts,
    key: new Uint8Array(fields.publicKeySpki),
  };
  const checked = WireBody.safeParse(body);
  if (!checked.success) {
    throw new TypeError(`discovery packet fields are invalid: ${checked.error.message}`);
  }
  const bodyBytes = encoder.encode(body);
  if (bodyBytes.length > MAX_BODY_BYTES) throw new TypeError('discovery packet body too large');
  const signed = new Uint8Array(PACKET_HEADER_BYTES + bodyBytes.length);
  signed.set(PACKET_MAGIC, 0);
  signed[4] = PACKET_VERSION;
  signed[5] = PACKET_TYPES[type];
  new DataView(signed.buffer).setUint16(6, bodyBytes.length);
  signed.set(bodyBytes, PACKET_HEADER_BYTES);
  const signature = sign(privateKey, SIGN_LABELS.discovery, signed);
  const packet = new Uint8Array(signed.length + SIGNATURE_BYTES);
  packet.set(signed, 0);
  packet.set(signature, signed.length);
  if (packet.length > MAX_PACKET_BYTES) throw new TypeError('discovery packet exceeds the cap');
  return packet;
}

/** Checks a received datagram. Never throws. */
export function decodePacket(bytes: Uint8Array): DecodeResult {
  try {
    return decodeUnsafe(bytes);
  } catch {
    // Every check below is written not to throw; this is the last line of defence, and a
    // packet that makes a check throw is, by definition, not one we understand.
    return drop('malformed');
  }
}

function decodeUnsafe(bytes: Uint8Array): DecodeResult {
  if (!(bytes instanceof Uint8Array)) return drop('malformed');
  if (bytes.length > MAX_PACKET_BYTES) return drop('oversized');
  for (let i = 0; i < PACKET_MAGIC.length; i++) {
    if (i >= bytes.length) return drop('truncated');
    if (bytes[i] !== PACKET_MAGIC[i]) return drop('bad_magic');
  }
  if (bytes.length <= 4) return drop('truncated');
  // Checked before anything else after the magic: a later version may lay out the rest
  // differently, and an old node ignores it quietly.
  if (bytes[4] !== PACKET_VERSION) return drop('unknown_version');
  if (bytes.length < PACKET_HEADER_BYTES) return drop('truncated');
  const type = packetTypeOf(bytes[5]!);
  if (type === undefined) return drop('unknown_type');
  const bodyLength = (bytes[6]! << 8) | bytes[7]!;
  const signedLength = PACKET_HEADER_BYTES + bodyLength;
  if (bytes.length < signedLength + SIGNATURE_BYTES) return drop('truncated');
  if (bytes.length > signedLength + SIGNATURE_BYTES) return drop('malformed');

  const bodyBytes = bytes.subarray(PACKET_HEADER_BYTES, signedLength);
  // A map header first (major type 5): no top-level tags, so no cbor-x extension runs.
  if (bodyLength === 0 || bodyBytes[0]! >> 5 !== 5) return drop('malformed');
  let raw: unknown;
  try {
    raw = cborDecode(bodyBytes);
  } catch {
    return drop('malformed');
  }
  const parsed = WireBody.safeParse(raw);
  if (!parsed.success) return drop('malformed');
  const body = parsed.data;

  let publicKey: KeyObject;
  try {
    publicKey = importPublicKeySpki(body.key);
  } catch {
    return drop('bad_key');
  }
  if (deviceIdForPublicKey(body.key) !== body.id) return drop('id_mismatch');
  const signature = bytes.subarray(signedLength);
  if (!verify(publicKey, SIGN_LABELS.discovery, bytes.subarray(0, signedLength), signature)) {
    return drop('bad_signature');
  }
  return {
    ok: true,
    packet: {
      type,
      deviceId: body.id,
      instanceId: body.inst,
      name: body.name,
      port: body.port,
      ts: body.ts,
      publicKeySpki: new Uint8Array(body.key),
      publicKey,
    },
  };
}

function packetTypeOf(byte: number): PacketType | undefined {
  for (const [name, value] of Object.entries(PACKET_TYPES)) {
    if (value === byte) return name as PacketType;
  }
  return undefined;
}

function drop(reason: DropReason): DecodeResult {
  return { ok: false, reason };
}
