/**
 * Wire schemas of rooms: signed control ops, message envelopes and the sync requests members
 * send each other over their links. docs/PROTOCOL.md §8–§10 is the normative text; these
 * schemas are its machine-checked half. Everything a peer sends is decoded from strict CBOR
 * (main/core/net/cbor.ts) and then parsed with one of these schemas before any other code
 * looks at it.
 *
 * What must stay true:
 * - Signed things travel as bytes (`body`, `header`) next to their signature; the signature is
 *   over those exact bytes, never over a re-encoding of the parsed object.
 * - Every array and string has a bound, so a hostile peer cannot make a node allocate without
 *   limit before it has checked a signature.
 */
import { z } from 'zod';
import { hasControlChars } from './control-chars';

/** Version of control ops (`OpBody.v`). */
export const ROOM_WIRE_VERSION = 1;
/**
 * Version of message envelopes (`EnvelopeHeader.v`). 2 added `prev`, the hash chain of each
 * sender's messages (docs/PROTOCOL.md §9); version 1 headers are refused.
 */
export const ENVELOPE_WIRE_VERSION = 2;

/** A room ID or an epoch ID: 128 random bits as 32 lower-case hex characters. */
export const RandomIdHex = z.string().regex(/^[0-9a-f]{32}$/, 'not a 128-bit hex ID');
/** SHA-256 as 64 lower-case hex characters (op hashes, message IDs). */
export const HashHex = z.string().regex(/^[0-9a-f]{64}$/, 'not a SHA-256 hex digest');
/** A device ID as shown: eight groups of seven base32 characters. */
export const WireDeviceId = z.string().regex(/^([A-Z2-7]{7}-){7}[A-Z2-7]{7}$/, 'not a device ID');

const Bytes = (max: number) =>
  z.instanceof(Uint8Array).refine((b) => b.length <= max, `at most ${max} bytes`);
const FixedBytes = (n: number) =>
  z.instanceof(Uint8Array).refine((b) => b.length === n, `exactly ${n} bytes`);
const Int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.number().int().min(min).max(max);
/**
 * Text that is shown as a name or a heading (room names and topics, member names): no control
 * characters, the rule of the local API's names (shared/control-chars.ts), so that nobody can
 * put escape sequences or fake line breaks in front of other members. Message text may hold
 * line breaks; the clients show it as text.
 */
const ShownText = (min: number, max: number) =>
  z
    .string()
    .min(min)
    .max(max)
    .refine((s) => !hasControlChars(s), 'no control characters');

export const ROOM_NAME_MAX = 100;
export const ROOM_TOPIC_MAX = 500;
export const ROOM_CAPACITY_MIN = 2;
export const ROOM_CAPACITY_MAX = 1000;
export const MEMBER_NAME_MAX = 64;
/** A P-256 SubjectPublicKeyInfo in DER is 91 bytes; leave room, refuse anything silly. */
export const PUBLIC_KEY_MAX_BYTES = 200;
/** A sealed 32-byte key: 65 (ephemeral point) + 12 (nonce) + 32 + 16 (tag). */
export const SEALED_KEY_BYTES = 125;
export const SIGNATURE_BYTES = 64;
/** Parents an op may name: the heads of the DAG the author saw. */
export const MAX_OP_PARENTS = 32;
/** Largest encoded op body: a rotation sealed to ROOM_CAPACITY_MAX members fits. */
export const MAX_OP_BODY_BYTES = 256 * 1024;
/** Largest encoded header of one message envelope. */
export const MAX_ENVELOPE_HEADER_BYTES = 1024;
/** Largest ciphertext of one message body. */
export const MAX_MESSAGE_CIPHERTEXT_BYTES = 64 * 1024;
/** Largest message text, in characters (UTF-16 code units). */
export const MAX_MESSAGE_TEXT = 16 * 1024;
/** How far ahead of the receiver's clock a timestamp may be before it is refused. */
export const MAX_CLOCK_SKEW_MS = 10 * 60 * 1000;
export const AES_GCM_NONCE_BYTES = 12;
/**
 * The highest Lamport time an op or a message may carry (docs/PROTOCOL.md §9): far below
 * Number.MAX_SAFE_INTEGER, so `clock + 1` and `clock + LAMPORT_WINDOW` stay exact integers.
 */
export const MAX_LAMPORT = 2 ** 52;
/**
 * How far above the highest Lamport time a receiver has seen in a room a message's time may be
 * before it is refused for now ('lamport-too-far'): a member cannot push a room's clock to
 * MAX_LAMPORT with a few messages, yet a partition or a catch-up of a million messages fits.
 */
export const LAMPORT_WINDOW = 2 ** 20;
/** Random bytes of a create op that, hashed with the creator's key, give the room ID. */
export const ROOM_NONCE_BYTES = 16;

/** A password as it is kept in the control log: an scrypt hash, never the password. */
export const PasswordHash = z
  .object({
    // Bounded so that checking a password never needs more than 64 MiB (128 * n * r bytes).
    n: Int(1024, 1 << 16),
    r: Int(1, 8),
    p: Int(1, 4),
    salt: FixedBytes(16),
    hash: FixedBytes(32),
  })
  .strict();
export type PasswordHash = z.infer<typeof PasswordHash>;

export const RoomSettings = z
  .object({
    name: ShownText(1, ROOM_NAME_MAX),
    topic: ShownText(0, ROOM_TOPIC_MAX),
    visibility: z.enum(['private', 'public']),
    password: PasswordHash.nullable(),
    capacity: Int(ROOM_CAPACITY_MIN, ROOM_CAPACITY_MAX),
    /** Whether a new member is given the keys of earlier epochs (can read history). */
    historyShared: z.boolean(),
  })
  .strict();
export type RoomSettings = z.infer<typeof RoomSettings>;

/** A fresh epoch key sealed to one member. */
export const SealedKeyFor = z
  .object({ to: WireDeviceId, sealed: FixedBytes(SEALED_KEY_BYTES) })
  .strict();
/** A new epoch: its random ID and its key sealed to every member it is meant for. */
export const EpochGrant = z
  .object({ id: RandomIdHex, keys: z.array(SealedKeyFor).min(1).max(ROOM_CAPACITY_MAX) })
  .strict();
export type EpochGrant = z.infer<typeof EpochGrant>;
/** An existing epoch's key sealed to one newcomer. */
export const KeyGrant = z
  .object({ epoch: RandomIdHex, sealed: FixedBytes(SEALED_KEY_BYTES) })
  .strict();
export type KeyGrant = z.infer<typeof KeyGrant>;

export const MemberIntro = z
  .object({
    deviceId: WireDeviceId,
    /** SPKI DER; its SHA-256 must be the device ID. */
    publicKey: Bytes(PUBLIC_KEY_MAX_BYTES),
    name: ShownText(1, MEMBER_NAME_MAX),
  })
  .strict();
export type MemberIntro = z.infer<typeof MemberIntro>;

export const Role = z.enum(['owner', 'admin', 'member']);
export type Role = z.infer<typeof Role>;

export const OpAction = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('create'),
      /** With the creator's key, determines the room ID (§8.1): nobody else can found the room. */
      nonce: FixedBytes(ROOM_NONCE_BYTES),
      kind: z.enum(['room', 'dm']),
      settings: RoomSettings,
      creatorName: ShownText(1, MEMBER_NAME_MAX),
      epoch: EpochGrant,
    })
    .strict(),
  z
    .object({
      type: z.literal('add'),
      member: MemberIntro,
      /** 'join': a public room's admin accepting a join request. */
      via: z.enum(['invite', 'join']),
      /** The current epoch's key (and earlier ones when history is shared) sealed to the member. */
      keys: z.array(KeyGrant).min(1).max(10_000),
    })
    .strict(),
  z
    .object({
      type: z.literal('leave'),
      /** The leaver's own last message seq in the room: later ones are refused by everyone. */
      lastSeq: Int(0),
    })
    .strict(),
  z
    .object({
      type: z.literal('remove'),
      member: WireDeviceId,
      ban: z.boolean(),
      /** The removed member's last seq the author had seen: later ones are refused by everyone. */
      lastSeq: Int(0),
      /** Removal always starts a new epoch that the removed member does not get. */
      epoch: EpochGrant,
    })
    .strict(),
  z.object({ type: z.literal('unban'), member: WireDeviceId }).strict(),
  z.object({ type: z.literal('set-role'), member: WireDeviceId, role: Role }).strict(),
  z.object({ type: z.literal('update'), settings: RoomSettings.partial() }).strict(),
  /**
   * The author's own name in the room (as `MemberIntro.name`). It names no member: the one
   * renamed is always the author, so nobody can even write an op that renames someone else.
   */
  z.object({ type: z.literal('rename'), name: ShownText(1, MEMBER_NAME_MAX) }).strict(),
  z
    .object({
      type: z.literal('rotate'),
      reason: z.enum(['manual', 'auto', 'departure', 'repair']),
      epoch: EpochGrant,
    })
    .strict(),
]);
export type OpAction = z.infer<typeof OpAction>;
export type OpType = OpAction['type'];

/** What the author signs, CBOR-encoded into `SignedOp.body`. */
export const OpBody = z
  .object({
    v: z.literal(ROOM_WIRE_VERSION),
    room: RandomIdHex,
    author: WireDeviceId,
    /** The author's SPKI DER: ops verify without any directory. */
    authorKey: Bytes(PUBLIC_KEY_MAX_BYTES),
    lamport: Int(1, MAX_LAMPORT),
    /** Hashes of the DAG heads the author had; empty only for create. Sorted, unique. */
    prev: z.array(HashHex).max(MAX_OP_PARENTS),
    ts: Int(0),
    action: OpAction,
  })
  .strict();
export type OpBody = z.infer<typeof OpBody>;

/** A control op as it travels and is stored; its hash is SHA-256 of the CBOR of this map. */
export const SignedOp = z
  .object({ body: Bytes(MAX_OP_BODY_BYTES), sig: FixedBytes(SIGNATURE_BYTES) })
  .strict();
export type SignedOp = z.infer<typeof SignedOp>;

/** Bytes of a SHA-256 digest: a message ID in binary form. */
export const MESSAGE_ID_BYTES = 32;

/**
 * The cleartext header of a message, CBOR-encoded into `Envelope.header`. `prev` is the ID
 * (binary SHA-256 of the envelope) of the same sender's message `seq - 1` in this room: present
 * exactly when `seq > 1`. It chains each sender's messages, so one verified signature vouches
 * for every earlier message of that sender it links back to.
 */
export const EnvelopeHeader = z
  .object({
    v: z.literal(ENVELOPE_WIRE_VERSION),
    room: RandomIdHex,
    epoch: RandomIdHex,
    sender: WireDeviceId,
    seq: Int(1),
    prev: FixedBytes(MESSAGE_ID_BYTES).optional(),
    lamport: Int(1, MAX_LAMPORT),
    ts: Int(0),
    nonce: FixedBytes(AES_GCM_NONCE_BYTES),
  })
  .strict()
  .refine((h) => (h.seq === 1) === (h.prev === undefined), {
    message: 'prev must be present exactly when seq > 1',
  });
export type EnvelopeHeader = z.infer<typeof EnvelopeHeader>;

/**
 * A message as it travels and is stored; its ID is SHA-256 of the CBOR of this map. The
 * signature covers u32be(len(header)) || header || ciphertext.
 */
export const Envelope = z
  .object({
    header: Bytes(MAX_ENVELOPE_HEADER_BYTES),
    ciphertext: Bytes(MAX_MESSAGE_CIPHERTEXT_BYTES),
    sig: FixedBytes(SIGNATURE_BYTES),
  })
  .strict();
export type Envelope = z.infer<typeof Envelope>;

/** The decrypted body of a message. */
export const MessageBody = z.object({ text: z.string().min(1).max(MAX_MESSAGE_TEXT) }).strict();
export type MessageBody = z.infer<typeof MessageBody>;

/* ---- Requests and pushes between members, over a link (main/core/net) ---- */

export const SYNC_BATCH_MAX = 500;

export const ROOM_LINK_MESSAGES = {
  /** push: new control ops of one room, to its members. */
  opsPush: 'rooms.ops',
  /** push: new envelopes of one room, to its members. */
  messagesPush: 'rooms.messages',
  /** request: the ops of a room the asker lacks. */
  syncOps: 'rooms.sync.ops',
  /** request: envelopes above the asker's version vector. */
  syncMessages: 'rooms.sync.messages',
  /** request: the public rooms a node is a member of. */
  publicRooms: 'rooms.public',
  /** request: ask an admin to add the asker to a public room. */
  join: 'rooms.join',
} as const;

export const OpsPush = z
  .object({ room: RandomIdHex, ops: z.array(Bytes(MAX_OP_BODY_BYTES + 128)).max(SYNC_BATCH_MAX) })
  .strict();
export const MessagesPush = z
  .object({
    room: RandomIdHex,
    envelopes: z.array(Bytes(MAX_MESSAGE_CIPHERTEXT_BYTES + 2048)).max(SYNC_BATCH_MAX),
  })
  .strict();
/**
 * Most hashes an asker names in a rooms.sync.ops `have` (each op named stands for its ancestors
 * too): 50,000 × 66 bytes of CBOR fit a 4 MiB frame. Answerers take up to 100,000.
 */
export const SYNC_OPS_HAVE_MAX = 50_000;
export const SyncOpsRequest = z
  .object({ room: RandomIdHex, have: z.array(HashHex).max(100_000) })
  .strict();
export const SyncOpsResponse = z
  .object({ ops: z.array(Bytes(MAX_OP_BODY_BYTES + 128)).max(SYNC_BATCH_MAX), more: z.boolean() })
  .strict();
export const VersionVector = z
  .record(WireDeviceId, Int(0))
  .refine((v) => Object.keys(v).length <= ROOM_CAPACITY_MAX * 4, 'too many senders');
export const SyncMessagesRequest = z
  .object({
    room: RandomIdHex,
    vv: VersionVector,
    limit: Int(1, SYNC_BATCH_MAX),
    /**
     * A later request of the same pass: its vv is the previous one advanced by the batch just
     * received (where to go on), not what the asker holds, so it says nothing of delivery.
     */
    continues: z.literal(true).optional(),
  })
  .strict();
export const SyncMessagesResponse = z
  .object({
    envelopes: z.array(Bytes(MAX_MESSAGE_CIPHERTEXT_BYTES + 2048)).max(SYNC_BATCH_MAX),
    more: z.boolean(),
  })
  .strict();
export const PublicRoomSummary = z
  .object({
    room: RandomIdHex,
    name: ShownText(0, ROOM_NAME_MAX),
    topic: ShownText(0, ROOM_TOPIC_MAX),
    members: Int(0),
    capacity: Int(0),
    passwordRequired: z.boolean(),
  })
  .strict();
export type PublicRoomSummary = z.infer<typeof PublicRoomSummary>;
export const PublicRoomsResponse = z
  .object({ rooms: z.array(PublicRoomSummary).max(1000) })
  .strict();
export const JoinRequest = z
  .object({
    room: RandomIdHex,
    name: ShownText(1, MEMBER_NAME_MAX),
    password: z.string().max(1024).nullable(),
  })
  .strict();
