/**
 * What a node uses to author control ops: an action maker per action (sealing fresh epoch keys
 * where the action starts an epoch), and `buildOp`, which puts an action on top of the node's
 * current view of the log and signs it.
 *
 * What must stay true:
 * - An op names as parents exactly the heads of the author's view, and its Lamport time is one
 *   more than the highest it has seen (§8.1), so it sorts after everything the author knew.
 * - Permission is decided by `whyNot` (rules.ts), the very function the fold uses; callers ask
 *   it before `buildOp`, so the refusal a person sees is the one every peer would apply.
 *   `buildOp` itself signs whatever it is given: tests use that to forge ops.
 * - A new epoch key leaves this module only inside sealed boxes and in the returned plan, for
 *   the caller to keep once the op is accepted.
 */
import type { KeyObject } from 'node:crypto';
import type { OpAction, Role, RoomSettings } from '../../../shared/room-wire';
import { ROOM_WIRE_VERSION } from '../../../shared/room-wire';
import { ParleyError } from '../../../shared/errors';
import { importPublicKeySpki, type EcdhDeriver } from '../crypto';
import {
  grantEpoch,
  newEpoch,
  sealKeyFor,
  type EpochSecret,
  type KeyRecipient,
} from './epoch-keys';
import { encodeSignedOp, type DecodedOp } from './op-codec';
import type { EpochState, RoomState } from './room-state';
import { currentEpoch, type ActionOf } from './rules';

export { whyNot } from './rules';

/** The device signing an op. main/core/identity's Identity has this shape. */
export interface Author {
  deviceId: string;
  privateKey: KeyObject;
  publicKeySpki: Uint8Array;
}

/** An action to sign, and the key of the epoch it starts, if it starts one. */
export interface ActionPlan<A extends OpAction = OpAction> {
  action: A;
  epoch?: EpochSecret;
}

/** Someone to add: as an invitation or a join request names them. */
export interface NewMember {
  deviceId: string;
  publicKeyDer: Uint8Array;
  name: string;
}

/** Signs `action` on top of `state` (undefined for a create: the log is empty). */
export function buildOp(
  state: RoomState | undefined,
  roomId: string,
  author: Author,
  action: OpAction,
  now: number = Date.now(),
): DecodedOp {
  if (state !== undefined && state.roomId !== roomId) {
    throw new ParleyError('BAD_REQUEST', 'The op is for another room than the state given.');
  }
  return encodeSignedOp(
    {
      v: ROOM_WIRE_VERSION,
      room: roomId,
      author: author.deviceId,
      authorKey: new Uint8Array(author.publicKeySpki), // the wire's byte type, and a copy
      lamport: (state?.lamport ?? 0) + 1,
      prev: [...(state?.heads ?? [])],
      ts: now,
      action,
    },
    author.privateKey,
  );
}

/** `room` comes from newRoomId(creator's SPKI): the fold checks the ID against the nonce. */
export function createAction(
  room: { roomId: string; nonce: Uint8Array },
  kind: 'room' | 'dm',
  settings: RoomSettings,
  creatorName: string,
  author: KeyRecipient,
): ActionPlan<ActionOf<'create'>> {
  const epoch = newEpoch();
  return {
    action: {
      type: 'create',
      nonce: new Uint8Array(room.nonce),
      kind,
      settings,
      creatorName,
      epoch: grantEpoch(room.roomId, epoch, [author]),
    },
    epoch,
  };
}

/**
 * Adds `member`, sealing to them the current epoch's key and, when the room shares history,
 * every earlier one. `keys` are this node's epoch keys by epoch ID; throws BAD_REQUEST when one
 * that must be handed over is not among them.
 */
export function addAction(
  state: RoomState,
  member: NewMember,
  keys: ReadonlyMap<string, Uint8Array>,
  via: 'invite' | 'join',
): ActionPlan<ActionOf<'add'>> {
  const current = requireEpoch(state);
  const recipient = {
    deviceId: member.deviceId,
    publicKey: importPublicKeySpki(member.publicKeyDer),
  };
  const epochs = state.settings.historyShared ? state.epochs : [current];
  const grants = epochs.map((epoch) => {
    const key = keys.get(epoch.id);
    if (key === undefined) {
      throw new ParleyError(
        'BAD_REQUEST',
        `This device does not have the room key of epoch ${epoch.index + 1}, so it cannot hand ` +
          'it to the new member. Ask another admin to add them.',
      );
    }
    return { epoch: epoch.id, sealed: sealKeyFor(state.roomId, epoch.id, key, recipient) };
  });
  return {
    action: {
      type: 'add',
      member: {
        deviceId: member.deviceId,
        publicKey: new Uint8Array(member.publicKeyDer),
        name: member.name,
      },
      via,
      keys: grants,
    },
  };
}

/**
 * Removes (or bans) `member` and starts an epoch sealed to everyone else. `lastSeq` is the
 * member's last message seq this node has seen: anything of theirs after it is refused.
 */
export function removeAction(
  state: RoomState,
  member: string,
  ban: boolean,
  lastSeq: number,
  /** Where the new key's ECDH derives run: the node passes its threads. */
  deriver?: EcdhDeriver,
): ActionPlan<ActionOf<'remove'>> {
  requireEpoch(state);
  const epoch = newEpoch();
  const grant = grantEpoch(state.roomId, epoch, recipientsExcept(state, member), deriver);
  return { action: { type: 'remove', member, ban, lastSeq, epoch: grant }, epoch };
}

export function rotateAction(
  state: RoomState,
  reason: ActionOf<'rotate'>['reason'],
  /** Where the new key's ECDH derives run: the node passes its threads. */
  deriver?: EcdhDeriver,
): ActionPlan<ActionOf<'rotate'>> {
  requireEpoch(state);
  const epoch = newEpoch();
  const grant = grantEpoch(state.roomId, epoch, recipientsExcept(state), deriver);
  return { action: { type: 'rotate', reason, epoch: grant }, epoch };
}

/** `lastSeq`: this device's own last message seq in the room. */
export function leaveAction(lastSeq: number): ActionPlan<ActionOf<'leave'>> {
  return { action: { type: 'leave', lastSeq } };
}

export function setRoleAction(member: string, role: Role): ActionPlan<ActionOf<'set-role'>> {
  return { action: { type: 'set-role', member, role } };
}

export function updateAction(settings: Partial<RoomSettings>): ActionPlan<ActionOf<'update'>> {
  return { action: { type: 'update', settings } };
}

export function unbanAction(member: string): ActionPlan<ActionOf<'unban'>> {
  return { action: { type: 'unban', member } };
}

/** This device's own new name in the room (nobody else's can be changed). */
export function renameAction(name: string): ActionPlan<ActionOf<'rename'>> {
  return { action: { type: 'rename', name } };
}

function requireEpoch(state: RoomState): EpochState {
  const current = currentEpoch(state);
  if (current === undefined) throw new ParleyError('BAD_REQUEST', 'The room does not exist yet.');
  return current;
}

/** Every member but `excluded`, as key recipients. */
function recipientsExcept(state: RoomState, excluded?: string): KeyRecipient[] {
  return [...state.members.values()]
    .filter((m) => m.deviceId !== excluded)
    .map((m) => ({ deviceId: m.deviceId, publicKey: m.publicKey }));
}
