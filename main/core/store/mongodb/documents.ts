/**
 * The one seam between MongoDB documents and the Store's records. A document holds its
 * record's own fields under the record's own names, byte fields as BSON Binary; its `_id` is
 * MongoDB's ObjectId and is never read (the unique indexes are on the record's keys).
 *
 * What must stay true: records handed out hold plain Uint8Arrays of their own, and a document
 * this store could not have written is reported as a damaged database, not passed on.
 * The converters run only while a store is open, so the driver (driver.ts) is loaded by then.
 */
import type { Binary } from 'mongodb';
import type {
  ControlOpRecord,
  DeliveryRecord,
  MessageRecord,
  PeerRecord,
  RoomKeyRecord,
  RoomRecord,
} from '../store';
import { mongoDriver } from './driver';

export interface SettingDoc {
  key: string;
  value: string;
}
export type PeerDoc = Omit<PeerRecord, 'publicKey'> & { publicKey: Binary };
export type RoomDoc = RoomRecord;
export type ControlOpDoc = Omit<ControlOpRecord, 'bytes'> & { bytes: Binary };
export type RoomKeyDoc = Omit<RoomKeyRecord, 'key'> & { key: Binary };
export type MessageDoc = Omit<MessageRecord, 'envelope'> & { envelope: Binary };
export type DeliveryDoc = DeliveryRecord;

/** Thrown by the converters; the store reports it as STORE_CORRUPT. */
export class BadDocumentError extends Error {
  constructor(what: string) {
    super(what);
    this.name = 'BadDocumentError';
  }
}

function binary(bytes: Uint8Array): Binary {
  return new (mongoDriver().Binary)(bytes);
}

/** A copy of a Binary's bytes as a plain Uint8Array. */
export function bytesOf(value: unknown, what: string): Uint8Array {
  if (!(value instanceof mongoDriver().Binary))
    throw new BadDocumentError(`${what} is not binary data`);
  return new Uint8Array(value.value());
}

export function peerToDoc(peer: PeerRecord): PeerDoc {
  return { ...peer, addresses: [...peer.addresses], publicKey: binary(peer.publicKey) };
}

export function peerFromDoc(doc: PeerDoc): PeerRecord {
  const { addresses } = doc;
  if (!Array.isArray(addresses) || !addresses.every((a) => typeof a === 'string')) {
    throw new BadDocumentError(`peer ${doc.deviceId} has unreadable addresses`);
  }
  return {
    deviceId: doc.deviceId,
    name: doc.name,
    publicKey: bytesOf(doc.publicKey, `the public key of peer ${doc.deviceId}`),
    addresses: [...addresses],
    verified: doc.verified,
    manual: doc.manual,
    firstSeen: doc.firstSeen,
    lastSeen: doc.lastSeen,
  };
}

export function roomToDoc(room: RoomRecord): RoomDoc {
  return { ...room };
}

export function roomFromDoc(doc: RoomDoc): RoomRecord {
  if (doc.kind !== 'room' && doc.kind !== 'dm') {
    throw new BadDocumentError(`room ${doc.id} has an unknown kind`);
  }
  return {
    id: doc.id,
    name: doc.name,
    topic: doc.topic,
    kind: doc.kind,
    createdAt: doc.createdAt,
    muted: doc.muted,
    lastReadAt: doc.lastReadAt,
  };
}

export function controlOpToDoc(op: ControlOpRecord): ControlOpDoc {
  return { ...op, bytes: binary(op.bytes) };
}

export function controlOpFromDoc(doc: ControlOpDoc): ControlOpRecord {
  return {
    hash: doc.hash,
    roomId: doc.roomId,
    author: doc.author,
    lamport: doc.lamport,
    bytes: bytesOf(doc.bytes, `control op ${doc.hash}`),
    receivedAt: doc.receivedAt,
  };
}

export function roomKeyToDoc(key: RoomKeyRecord): RoomKeyDoc {
  return { ...key, key: binary(key.key) };
}

export function roomKeyFromDoc(doc: RoomKeyDoc): RoomKeyRecord {
  return {
    roomId: doc.roomId,
    epochId: doc.epochId,
    key: bytesOf(doc.key, `the key of epoch ${doc.epochId} of room ${doc.roomId}`),
    createdAt: doc.createdAt,
  };
}

export function messageToDoc(message: MessageRecord): MessageDoc {
  return { ...message, envelope: binary(message.envelope) };
}

export function messageFromDoc(doc: MessageDoc): MessageRecord {
  return {
    id: doc.id,
    roomId: doc.roomId,
    sender: doc.sender,
    seq: doc.seq,
    lamport: doc.lamport,
    ts: doc.ts,
    envelope: bytesOf(doc.envelope, `message ${doc.id}`),
    text: doc.text,
    receivedAt: doc.receivedAt,
  };
}

export function deliveryFromDoc(doc: DeliveryDoc): DeliveryRecord {
  if (!Number.isSafeInteger(doc.heldUpTo) || doc.heldUpTo < 0) {
    throw new BadDocumentError(`the delivery record of ${doc.peer} in room ${doc.roomId}`);
  }
  return { roomId: doc.roomId, peer: doc.peer, heldUpTo: doc.heldUpTo };
}
