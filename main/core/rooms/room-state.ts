/**
 * The state of a room as every member computes it by folding the room's control log
 * (fold.ts). It is a pure value: the same ops give the same state on every node, in any order
 * of arrival. docs/PROTOCOL.md §8 states the rules.
 */
import type { KeyObject } from 'node:crypto';
import type { PasswordHash, Role, RoomSettings } from '../../../shared/room-wire';

export interface MemberState {
  deviceId: string;
  publicKey: KeyObject;
  /** SPKI DER, as it appeared in the op that introduced the member. */
  publicKeyDer: Uint8Array;
  name: string;
  role: Role;
  /** Hash of the op that made them a member (create or add). */
  since: string;
  /** Position of that op in fold order. */
  sinceIndex: number;
}

/** Someone who was a member and left or was removed (the key is kept to check old messages). */
export interface DepartedState {
  deviceId: string;
  publicKey: KeyObject;
  name: string;
  /** Their messages with a higher seq under epochs up to `epochIndex` (inclusive) are refused. */
  lastSeq: number;
  /** Ordinal of the last epoch started before they departed. */
  epochIndex: number;
  kind: 'left' | 'kicked' | 'banned';
  /** Hash of the departure op. */
  op: string;
  /**
   * Earlier departures of the same device, oldest first, when it was added back and departed
   * again: each one's cutoff still holds for the epochs it covers. Absent after one departure.
   */
  earlier?: ReadonlyArray<{ lastSeq: number; epochIndex: number }>;
}

export interface EpochState {
  /** Random 128-bit hex ID chosen by the op that started the epoch. */
  id: string;
  /** 0 for the epoch started by create, then 1, 2, ... in fold order. */
  index: number;
  /** Hash of the op (create, remove or rotate) that started it. */
  op: string;
  author: string;
  /** The author's clock (ms). */
  at: number;
  reason: 'create' | 'kick' | 'ban' | 'manual' | 'auto' | 'departure' | 'repair';
  /**
   * Members who may use this epoch: the recipients of its sealed keys who were members when
   * it started, plus members added while it was current (their add op hands them the key).
   */
  holders: Set<string>;
  /** Sealed key for each recipient, as it appeared in the ops (recipient → sealed box). */
  sealed: Map<string, Uint8Array>;
}

/** An op the fold skipped, and why (for logs, tests and the keys panel). */
export interface RejectedOp {
  hash: string;
  reason: string;
}

export interface RoomState {
  roomId: string;
  kind: 'room' | 'dm';
  settings: RoomSettings;
  /** Hash of the create op; '' before one is known. */
  createOp: string;
  createdAt: number;
  members: Map<string, MemberState>;
  departed: Map<string, DepartedState>;
  banned: Set<string>;
  /** Every epoch in fold order; the last one is current. */
  epochs: EpochState[];
  /** Highest Lamport time among the accepted ops. */
  lamport: number;
  /** Hashes of accepted ops no other accepted op names as parent (sorted). */
  heads: string[];
  /** How many ops were accepted. */
  opCount: number;
  rejected: RejectedOp[];
  /**
   * Someone who holds the current epoch's key is no longer a member (left, or removed on the
   * other side of a network split): an admin must rotate before anyone sends again.
   */
  rekeyNeeded: boolean;
}

export type { PasswordHash, Role, RoomSettings };
