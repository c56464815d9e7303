/**
 * The storage contract of a Parley node: settings, known peers, rooms, each room's control log
 * and epoch keys, and its messages. SQLite (sqlite/) is the default backend; a MongoDB backend
 * implements the same interface, and both must pass the same suite (store.contract.ts).
 *
 * What must stay true for every backend:
 * - Every method is async, and errors are ParleyError (STORE_* or DATA_DIR_UNWRITABLE codes).
 * - A write that resolved is durable: a node killed right after loses nothing it acknowledged.
 * - A batch (addControlOps, addMessages, deleteMessages, deleteRoom) is written in one
 *   transaction: all of it or none. (The one exception is the MongoDB backend on a server
 *   without transactions, a standalone mongod: it writes record by record, so a failed batch may
 *   be half written. Retrying it is safe, since what is already stored is ignored.)
 * - Messages and ops are addressed by content hash, so receiving one twice is normal and never
 *   an error: duplicates are ignored and the call reports only what was new.
 * - Byte fields come back as Uint8Array with exactly the bytes that went in.
 * - Nothing of one room appears in another room's listing.
 */

export interface AddMessagesOptions {
  /**
   * 'now' (the default): the call resolves once the messages are durable. 'later': a backend
   * may commit without waiting for the disk; the messages are then kept if the process dies,
   * but a power cut may lose them until syncWrites resolves. For messages received from peers,
   * which their sender keeps and sends again (PROTOCOL.md §10); never for one's own.
   */
  sync?: 'now' | 'later';
}

/** A device this node knows: seen by discovery, added by hand, or a room member. */
export interface PeerRecord {
  deviceId: string;
  name: string;
  /** The peer's identity public key, SPKI DER. */
  publicKey: Uint8Array;
  /** Where the peer was last reachable, as "host:port", most useful first. */
  addresses: string[];
  /** The user compared fingerprints and marked the peer as verified. */
  verified: boolean;
  /** Added by host:port by the user (kept and redialled even when discovery is silent). */
  manual: boolean;
  /** ms since the epoch. */
  firstSeen: number;
  /** ms since the epoch; null when never online. */
  lastSeen: number | null;
}

/** This node's local view of a room; the membership itself lives in the control log. */
export interface RoomRecord {
  id: string;
  name: string;
  topic: string;
  kind: 'room' | 'dm';
  /** ms since the epoch. */
  createdAt: number;
  muted: boolean;
  /** ms since the epoch of the newest message the user has seen; 0 = never. */
  lastReadAt: number;
}

/** One signed control operation (create, add, remove, rotate, ...), kept as its exact bytes. */
export interface ControlOpRecord {
  /** SHA-256 of `bytes`, 64 lower-case hex. */
  hash: string;
  roomId: string;
  /** Device ID of the signer. */
  author: string;
  lamport: number;
  /** The encoded signed op, exactly as it travels. */
  bytes: Uint8Array;
  /** ms since the epoch, local clock. */
  receivedAt: number;
}

/** A room master key of one epoch, already unsealed. */
export interface RoomKeyRecord {
  roomId: string;
  /**
   * The epoch's ID: 128 random bits as 32 lower-case hex characters, chosen by the op that
   * started the epoch (PROTOCOL.md §8.3). Epochs have no number the store could order them by.
   */
  epochId: string;
  /** 256-bit AES key. */
  key: Uint8Array;
  /** ms since the epoch. */
  createdAt: number;
}

/** One message envelope with, once decrypted, its text. */
export interface MessageRecord {
  /** SHA-256 of `envelope`, 64 lower-case hex. */
  id: string;
  roomId: string;
  /** Device ID of the sender. */
  sender: string;
  /** The sender's per-room sequence number, from 1 without gaps. */
  seq: number;
  lamport: number;
  /** The sender's clock, ms since the epoch. */
  ts: number;
  /** The signed envelope, exactly as it travels. */
  envelope: Uint8Array;
  /** The decrypted body, for display and search; null when it could not be read. */
  text: string | null;
  /** ms since the epoch, local clock. */
  receivedAt: number;
}

/**
 * A page of a room's messages in (lamport, id) order: the newest `limit` messages strictly
 * before `before` (or the newest of all without it), returned oldest first. To load older
 * messages, pass the first message of the previous page as the next `before`.
 */
export interface MessagePage {
  before?: { lamport: number; id: string };
  /** Most messages returned; 0 or less returns none. */
  limit: number;
}

export interface SearchOptions {
  /** Only this room; all rooms when absent. */
  roomId?: string;
  /** Most messages returned; 0 or less returns none. */
  limit: number;
}

/**
 * Delivery knowledge: what one peer is known to hold of this node's own messages in one room.
 * Local bookkeeping (PROTOCOL.md §10.1), never sent to anyone.
 */
export interface DeliveryRecord {
  roomId: string;
  /** The peer's device ID. */
  peer: string;
  /** The highest seq n such that the peer holds this node's messages 1..n of the room. */
  heldUpTo: number;
}

export interface Store {
  readonly kind: 'sqlite' | 'mongodb';

  /** Opens (creating or migrating as needed). Safe to call again while open. */
  open(): Promise<void>;
  /**
   * Releases everything. Safe to call twice and before open; `open()` may follow. Until it
   * does, every other method rejects with STORE_FAILED.
   */
  close(): Promise<void>;

  getSetting(key: string): Promise<string | undefined>;
  setSetting(key: string, value: string): Promise<void>;

  /** Inserts or replaces the peer with this device ID. */
  upsertPeer(peer: PeerRecord): Promise<void>;
  getPeer(deviceId: string): Promise<PeerRecord | undefined>;
  /** Ordered by name, then device ID. */
  listPeers(): Promise<PeerRecord[]>;
  /** Does nothing when the peer is unknown. */
  deletePeer(deviceId: string): Promise<void>;

  /** Inserts or replaces the room with this ID. */
  putRoom(room: RoomRecord): Promise<void>;
  getRoom(id: string): Promise<RoomRecord | undefined>;
  /** Ordered by createdAt, then ID. */
  listRooms(): Promise<RoomRecord[]>;
  /**
   * Removes the room with its control ops, keys, messages and delivery records, in one
   * transaction ("leave and forget"). Does nothing when nothing of the room is stored.
   */
  deleteRoom(roomId: string): Promise<void>;

  /**
   * Stores ops in one transaction. Returns the hashes that were new, in input order; an op
   * whose hash is already stored (or earlier in the batch) is ignored.
   */
  addControlOps(ops: ControlOpRecord[]): Promise<string[]>;
  /** Ordered by lamport, then hash: the order in which the log is folded. */
  listControlOps(roomId: string): Promise<ControlOpRecord[]>;

  /**
   * Stores an epoch key. Storing the same key again does nothing; a different key for an
   * epoch that already has one is refused with STORE_FAILED and the stored key is kept.
   */
  putRoomKey(key: RoomKeyRecord): Promise<void>;
  getRoomKey(roomId: string, epochId: string): Promise<RoomKeyRecord | undefined>;
  /** Ordered by createdAt, then epoch ID. */
  listRoomKeys(roomId: string): Promise<RoomKeyRecord[]>;

  /**
   * Stores messages in one transaction. Returns the IDs that were new, in input order. A message
   * whose ID is already stored, or whose (roomId, sender, seq) is taken, is ignored: the first
   * one stored wins.
   */
  addMessages(messages: MessageRecord[], options?: AddMessagesOptions): Promise<string[]>;
  /**
   * Makes every write that resolved before it durable, those added with `sync: 'later'`
   * included: once it resolves, a power cut loses none of them.
   */
  syncWrites(): Promise<void>;
  /**
   * Deletes the room's messages with these IDs in one transaction and returns how many were
   * deleted. IDs that are unknown, repeated or of another room's messages are ignored. Search
   * never finds a deleted message, and adding it again later stores it as new.
   */
  deleteMessages(roomId: string, ids: string[]): Promise<number>;
  getMessage(id: string): Promise<MessageRecord | undefined>;
  /** See MessagePage. */
  listMessages(roomId: string, page: MessagePage): Promise<MessageRecord[]>;
  /**
   * What a peer with version vector `vv` lacks: the room's messages whose seq is greater than
   * `vv[sender]` (every message of a sender absent from `vv`), ordered by sender, then seq, at
   * most `limit` (0 or less returns none). Senders compare by their UTF-8 bytes. To page, raise
   * `vv[sender]` to the seq of each message returned and ask again. Costs about one index
   * lookup per sender in the room plus one per message returned, however many messages the
   * peer already has.
   */
  listMessagesAfter(
    roomId: string,
    vv: Record<string, number>,
    limit: number,
  ): Promise<MessageRecord[]>;
  /**
   * The envelopes of exactly the messages `listMessagesAfter` returns, in its order, and
   * nothing else: what a sync answer sends, without reading text or building records.
   */
  listEnvelopesAfter(
    roomId: string,
    vv: Record<string, number>,
    limit: number,
  ): Promise<Uint8Array[]>;
  /**
   * One sender's messages in the room with seq greater than `afterSeq`, by seq, at most `limit`
   * (0 or less returns none): what became of this node's own recent messages, for instance.
   * One range of the (room, sender, seq) index.
   */
  listMessagesOf(
    roomId: string,
    sender: string,
    afterSeq: number,
    limit: number,
  ): Promise<MessageRecord[]>;
  countMessages(roomId: string): Promise<number>;
  /**
   * How many of the room's messages were received after `afterTs` (ms since the epoch, local
   * clock; strictly after) and not sent by `excludeSender`: the unread count, given the room's
   * lastReadAt and this node's device ID.
   */
  countMessagesSince(roomId: string, afterTs: number, excludeSender: string): Promise<number>;
  /**
   * The seq and ID of this sender's message with the highest seq in the room, gaps or not;
   * undefined when there is none. The sender's own next message takes seq + 1 and names the ID
   * as its `prev`.
   */
  lastMessageOf(roomId: string, sender: string): Promise<{ seq: number; id: string } | undefined>;
  /** The highest lamport among the room's messages; 0 when it has none. */
  maxLamport(roomId: string): Promise<number>;
  /**
   * Full-text search over message text, best matches first. A message matches when it holds
   * every word of the query, ignoring case (a backend may also match words that start with a
   * query word). The query is plain user text: quotes, operators and brackets are never
   * interpreted and never make the call fail. An empty or blank query returns [].
   */
  searchMessages(query: string, options: SearchOptions): Promise<MessageRecord[]>;
  /**
   * For each sender in the room, the highest seq n such that seqs 1..n are all stored (seqs
   * 1, 2, 3, 5 give 3). A sender without seq 1 is absent. This is what a peer is asked to
   * fill in when two members sync. A backend computes it where the data is, in one pass over
   * the room's (sender, seq) index, and never loads the messages themselves.
   */
  versionVector(roomId: string): Promise<Record<string, number>>;

  /**
   * Raises delivery records in one transaction: each (roomId, peer) is set to `heldUpTo` when
   * that is higher than what is stored (or nothing is), and is never lowered. Returns the
   * records that raised something, in input order (of several for one (roomId, peer) in a
   * batch, each that is higher than all before it counts). The one write a backend may
   * commit without waiting for the disk: a killed node still keeps it, but a power cut may
   * lose it (it only under-counts, PROTOCOL.md §10.1).
   */
  raiseDeliveries(records: DeliveryRecord[]): Promise<DeliveryRecord[]>;
  /** The room's delivery records, ordered by peer. */
  listDeliveries(roomId: string): Promise<DeliveryRecord[]>;
}
