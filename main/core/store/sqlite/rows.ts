/**
 * The one seam between SQLite rows (snake_case, 0/1 booleans, JSON text, Buffer blobs) and the
 * Store's records.
 *
 * What must stay true: records handed out hold plain Uint8Arrays of their own (never a Buffer
 * that shares memory with something else), and a row the schema would not have allowed is
 * reported as a damaged database, not passed on.
 */
import type {
  ControlOpRecord,
  DeliveryRecord,
  MessageRecord,
  PeerRecord,
  RoomKeyRecord,
  RoomRecord,
} from '../store';

export interface PeerRow {
  device_id: string;
  name: string;
  public_key: Uint8Array;
  addresses: string;
  verified: number;
  manual: number;
  first_seen: number;
  last_seen: number | null;
}

export interface RoomRow {
  id: string;
  name: string;
  topic: string;
  kind: string;
  created_at: number;
  muted: number;
  last_read_at: number;
}

export interface ControlOpRow {
  hash: string;
  room_id: string;
  author: string;
  lamport: number;
  bytes: Uint8Array;
  received_at: number;
}

export interface RoomKeyRow {
  room_id: string;
  epoch_id: string;
  key: Uint8Array;
  created_at: number;
}

export interface MessageRow {
  id: string;
  room_id: string;
  sender: string;
  seq: number;
  lamport: number;
  ts: number;
  envelope: Uint8Array;
  text: string | null;
  received_at: number;
}

export interface DeliveryRow {
  room_id: string;
  peer: string;
  held_up_to: number;
}

/** Thrown by the converters; the store reports it as STORE_CORRUPT with the file's path. */
export class BadRowError extends Error {
  constructor(what: string) {
    super(what);
    this.name = 'BadRowError';
  }
}

/** A copy as a plain Uint8Array: better-sqlite3 returns Buffers. */
function bytes(value: Uint8Array): Uint8Array {
  return new Uint8Array(value);
}

function flag(value: number): boolean {
  return value !== 0;
}

function parseAddresses(json: string): string[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || !value.every((a) => typeof a === 'string')) return undefined;
  return value;
}

export function peerToRow(peer: PeerRecord): PeerRow {
  return {
    device_id: peer.deviceId,
    name: peer.name,
    public_key: peer.publicKey,
    addresses: JSON.stringify(peer.addresses),
    verified: peer.verified ? 1 : 0,
    manual: peer.manual ? 1 : 0,
    first_seen: peer.firstSeen,
    last_seen: peer.lastSeen,
  };
}

export function peerFromRow(row: PeerRow): PeerRecord {
  const addresses = parseAddresses(row.addresses);
  if (!addresses) throw new BadRowError(`peer ${row.device_id} has unreadable addresses`);
  return {
    deviceId: row.device_id,
    name: row.name,
    publicKey: bytes(row.public_key),
    addresses,
    verified: flag(row.verified),
    manual: flag(row.manual),
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
  };
}

export function roomToRow(room: RoomRecord): RoomRow {
  return {
    id: room.id,
    name: room.name,
    topic: room.topic,
    kind: room.kind,
    created_at: room.createdAt,
    muted: room.muted ? 1 : 0,
    last_read_at: room.lastReadAt,
  };
}

export function roomFromRow(row: RoomRow): RoomRecord {
  if (row.kind !== 'room' && row.kind !== 'dm') {
    throw new BadRowError(`room ${row.id} has an unknown kind`);
  }
  return {
    id: row.id,
    name: row.name,
    topic: row.topic,
    kind: row.kind,
    createdAt: row.created_at,
    muted: flag(row.muted),
    lastReadAt: row.last_read_at,
  };
}

export function controlOpToRow(op: ControlOpRecord): ControlOpRow {
  return {
    hash: op.hash,
    room_id: op.roomId,
    author: op.author,
    lamport: op.lamport,
    bytes: op.bytes,
    received_at: op.receivedAt,
  };
}

export function controlOpFromRow(row: ControlOpRow): ControlOpRecord {
  return {
    hash: row.hash,
    roomId: row.room_id,
    author: row.author,
    lamport: row.lamport,
    bytes: bytes(row.bytes),
    receivedAt: row.received_at,
  };
}

export function roomKeyToRow(key: RoomKeyRecord): RoomKeyRow {
  return { room_id: key.roomId, epoch_id: key.epochId, key: key.key, created_at: key.createdAt };
}

export function roomKeyFromRow(row: RoomKeyRow): RoomKeyRecord {
  return {
    roomId: row.room_id,
    epochId: row.epoch_id,
    key: bytes(row.key),
    createdAt: row.created_at,
  };
}

export function messageToRow(message: MessageRecord): MessageRow {
  return {
    id: message.id,
    room_id: message.roomId,
    sender: message.sender,
    seq: message.seq,
    lamport: message.lamport,
    ts: message.ts,
    envelope: message.envelope,
    text: message.text,
    received_at: message.receivedAt,
  };
}

export function messageFromRow(row: MessageRow): MessageRecord {
  return {
    id: row.id,
    roomId: row.room_id,
    sender: row.sender,
    seq: row.seq,
    lamport: row.lamport,
    ts: row.ts,
    envelope: bytes(row.envelope),
    text: row.text,
    receivedAt: row.received_at,
  };
}

export function deliveryToRow(record: DeliveryRecord): DeliveryRow {
  return { room_id: record.roomId, peer: record.peer, held_up_to: record.heldUpTo };
}

export function deliveryFromRow(row: DeliveryRow): DeliveryRecord {
  return { roomId: row.room_id, peer: row.peer, heldUpTo: row.held_up_to };
}
