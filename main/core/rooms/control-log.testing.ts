/**
 * Test helpers for the control log: throwaway devices (no data folder), and a log that builds,
 * signs and folds ops the way one node holding every epoch key would.
 */
import type { KeyObject } from 'node:crypto';
import type { OpAction, RoomSettings } from '../../../shared/room-wire';
import { exportPublicKeySpki, generateEcKeyPair } from '../crypto';
import { newRoomId } from './room-id';
import { deviceIdForPublicKey } from '../identity/device-id';
import { foldOps } from './fold';
import {
  addAction,
  buildOp,
  createAction,
  whyNot,
  type ActionPlan,
  type Author,
  type NewMember,
} from './op-builder';
import { encodeSignedOp, type DecodedOp } from './op-codec';
import type { RoomState } from './room-state';

export interface TestDevice extends Author {
  publicKey: KeyObject;
  name: string;
}

export function testDevice(name: string): TestDevice {
  const { privateKey, publicKey } = generateEcKeyPair();
  const publicKeySpki = exportPublicKeySpki(publicKey);
  return {
    deviceId: deviceIdForPublicKey(publicKeySpki),
    privateKey,
    publicKey,
    publicKeySpki,
    name,
  };
}

/** How an invitation names a device. */
export function asNewMember(device: TestDevice): NewMember {
  return { deviceId: device.deviceId, publicKeyDer: device.publicKeySpki, name: device.name };
}

export const TEST_SETTINGS: RoomSettings = {
  name: 'Team',
  topic: '',
  visibility: 'private',
  password: null,
  capacity: 10,
  historyShared: false,
};

export interface TestLog {
  readonly roomId: string;
  /** The room ID and the nonce of its create op. */
  readonly room: { roomId: string; nonce: Uint8Array };
  /** Every op built so far, applied or not, in the order they were built. */
  readonly ops: DecodedOp[];
  /** Every epoch key made so far, by epoch ID. */
  readonly keys: Map<string, Uint8Array>;
  /** foldOps(roomId, ops). */
  readonly state: RoomState;
  /** Signs `plan` by `author` on the current state and folds: null when applied, else why not. */
  act(author: TestDevice, plan: ActionPlan | OpAction): string | null;
  /** `act`, and throws unless the op was applied. */
  must(author: TestDevice, plan: ActionPlan | OpAction): DecodedOp;
  /** Adds `device` as a member (by `by`, with every key it must get). */
  invite(by: TestDevice, device: TestDevice): void;
  /** Adds ops built elsewhere and folds. */
  receive(...ops: DecodedOp[]): void;
  /** Forgets an op and folds. */
  drop(op: DecodedOp): void;
  /** The last op built. */
  last(): DecodedOp;
}

/** A room created by `owner`, with the given settings changes and kind. */
export function testLog(
  owner: TestDevice,
  settings: Partial<RoomSettings> = {},
  kind: 'room' | 'dm' = 'room',
): TestLog {
  const room = newRoomId(owner.publicKeySpki);
  const roomId = room.roomId;
  const ops: DecodedOp[] = [];
  const keys = new Map<string, Uint8Array>();
  let state: RoomState | undefined;
  const log: TestLog = {
    roomId,
    room,
    ops,
    keys,
    get state() {
      return state!;
    },
    act(author, plan) {
      const made: ActionPlan = 'type' in plan ? { action: plan } : plan;
      if (made.epoch) keys.set(made.epoch.id, made.epoch.key);
      const op = buildOp(state, roomId, author, made.action);
      log.receive(op);
      return state!.rejected.find((r) => r.hash === op.hash)?.reason ?? null;
    },
    must(author, plan) {
      const why = log.act(author, plan);
      if (why !== null) throw new Error(`expected the op to be applied, but: ${why}`);
      return log.last();
    },
    invite(by, device) {
      log.must(by, addAction(log.state, asNewMember(device), keys, 'invite'));
    },
    receive(...more) {
      ops.push(...more);
      state = foldOps(roomId, ops);
    },
    drop(op) {
      ops.splice(ops.indexOf(op), 1);
      state = foldOps(roomId, ops);
    },
    last: () => ops[ops.length - 1]!,
  };
  log.must(owner, createAction(room, kind, { ...TEST_SETTINGS, ...settings }, owner.name, owner));
  return log;
}

/**
 * An action's verdict, asked both ways: the fold's reason for the op and whyNot's for the action
 * on the state before it must be one and the same. A refused op is then dropped, as the API
 * would never have sent it: kept, it could become valid once a later op sorts before it.
 */
export function verdictOf(
  log: TestLog,
  author: TestDevice,
  plan: ActionPlan | OpAction,
): string | null {
  const action = 'type' in plan ? plan : plan.action;
  const early = whyNot(log.state, author.deviceId, action);
  const folded = log.act(author, plan);
  if (early !== folded) throw new Error(`whyNot said ${early}, the fold said ${folded}`);
  if (folded !== null) log.drop(log.last());
  return folded;
}

/**
 * Everything about a state that every node must agree on, as plain data with bytes in hex (deep
 * equality of byte arrays is slow). Maps and lists keep the fold's order: it must be the same
 * on every node too.
 */
export function summarize(state: RoomState): unknown {
  const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
  const { password } = state.settings;
  return {
    createOp: state.createOp,
    kind: state.kind,
    settings: { ...state.settings, password: password && hex(password.hash) },
    members: [...state.members.values()].map((m) => [
      m.deviceId,
      m.role,
      m.name,
      m.since,
      m.sinceIndex,
    ]),
    departed: [...state.departed.values()].map((d) => ({ ...d, publicKey: undefined })),
    banned: [...state.banned],
    epochs: state.epochs.map((e) => ({
      ...e,
      holders: [...e.holders],
      sealed: [...e.sealed].map(([to, box]) => `${to}:${hex(box)}`),
    })),
    lamport: state.lamport,
    heads: state.heads,
    opCount: state.opCount,
    rejected: state.rejected,
    rekeyNeeded: state.rekeyNeeded,
  };
}

/**
 * An op on top of `parents` as given (not the heads of a folded state): for histories a fold
 * would never let an honest node build, such as children of skipped ops.
 */
export function opOnTop(
  roomId: string,
  parents: readonly DecodedOp[],
  author: TestDevice,
  action: OpAction,
  lamport = Math.max(...parents.map((p) => p.body.lamport)) + 1,
): DecodedOp {
  return encodeSignedOp(
    {
      v: 1,
      room: roomId,
      author: author.deviceId,
      authorKey: new Uint8Array(author.publicKeySpki),
      lamport,
      prev: parents.map((p) => p.hash).sort(),
      ts: 1_700_000_000_000,
      action,
    },
    author.privateKey,
  );
}
