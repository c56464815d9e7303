/**
 * Who may do what in a room, and what each action must carry: the table of docs/PROTOCOL.md
 * §8.2 and the epoch rules of §8.3, written once.
 *
 * What must stay true:
 * - `whyNot` is the only place a rule is written. The fold (fold.ts) skips an op exactly when
 *   `whyNot` gives a reason for it, and the API asks the same function before it authors an op
 *   (op-builder.ts), so a node never signs an op that its own fold would skip.
 * - It is pure and deterministic: it reads the state and the action, never a clock, a random
 *   source or the network, so every node that holds the same ops reaches the same verdicts.
 * - Reasons are sentences a person can read: the API shows them, and the fold records them in
 *   `RoomState.rejected`.
 */
import type { KeyObject } from 'node:crypto';
import type {
  EpochGrant,
  KeyGrant,
  MemberIntro,
  OpAction,
  OpType,
} from '../../../shared/room-wire';
import { importPublicKeySpki } from '../crypto';
import { toHex } from '../crypto/bytes';
import { deviceIdForPublicKey } from '../identity/device-id';
import type { EpochState, Role, RoomState } from './room-state';

/** The one action of type T. */
export type ActionOf<T extends OpType> = Extract<OpAction, { type: T }>;

/** A direct-message room is two people: its creator and the one they write to. */
export const DM_CAPACITY = 2;

/** The epoch messages are sent in now; undefined before the room's create op is folded. */
export function currentEpoch(state: RoomState): EpochState | undefined {
  return state.epochs[state.epochs.length - 1];
}

/**
 * Why `authorId` may not apply `action` to `state` (`undefined`: no create folded yet), or
 * null when it may. The same answer on every node for the same state.
 */
export function whyNot(
  state: RoomState | undefined,
  authorId: string,
  action: OpAction,
): string | null {
  const created = state !== undefined && state.createOp !== '';
  if (action.type === 'create') {
    return created ? 'The room already exists.' : whyNotCreate(authorId, action);
  }
  if (!created) return 'The room does not exist yet.';
  const author = state.members.get(authorId);
  if (author === undefined) return 'Only members can change the room.';
  switch (action.type) {
    case 'add':
      return whyNotAdd(state, author.role, action);
    case 'leave':
      return whyNotLeave(state, authorId, author.role);
    case 'remove':
      return whyNotRemove(state, authorId, author.role, action);
    case 'unban':
      if (!isManager(author.role)) return 'Only the owner or an admin can lift a ban.';
      return state.banned.has(action.member)
        ? null
        : `${nameOf(state, action.member)} is not banned.`;
    case 'set-role':
      return whyNotSetRole(state, author.role, action);
    case 'update':
      if (!isManager(author.role))
        return 'Only the owner or an admin can change the room settings.';
      return state.kind === 'dm' ? "A direct message's settings never change." : null;
    case 'rotate':
      if (!isManager(author.role)) return 'Only the owner or an admin can change the room key.';
      return whyNotEpoch(state, action.epoch);
    case 'rename':
      // Any member, about themselves only (the op names nobody else), in a DM too.
      return action.name === author.name
        ? `Your name in this room is already ${author.name}.`
        : null;
  }
}

/**
 * The key of a member introduced by an `add`: only a canonical P-256 SPKI whose hash is the
 * device ID it comes with. Null for anything else.
 */
export function memberKey(member: MemberIntro): KeyObject | null {
  const answer = answered.get(member);
  if (answer !== undefined) return answer;
  const found = keyOfIntro(member);
  answered.set(member, found);
  return found;
}

/**
 * Answers by intro object. The fold meets the same decoded ops at every refold and asks twice
 * per add (whyNot, then applying it), and looking an SPKI up by its hex cost about half the
 * fold of a large room. A decoded op is never changed (its hash names its bytes and its body),
 * so the answer for one object stands; an intro seen for the first time is checked by content.
 */
const answered = new WeakMap<MemberIntro, KeyObject | null>();

function keyOfIntro(member: MemberIntro): KeyObject | null {
  const hex = toHex(member.publicKey);
  let known = introduced.get(hex);
  if (known === undefined) {
    try {
      known = { key: importPublicKeySpki(member.publicKey), deviceId: '' };
    } catch {
      return null;
    }
    known.deviceId = deviceIdForPublicKey(member.publicKey);
    if (introduced.size >= INTRODUCED_MAX) introduced.delete(introduced.keys().next().value!);
    introduced.set(hex, known);
  }
  return known.deviceId === member.deviceId ? known.key : null;
}

/**
 * Keys introduced by adds, with their device IDs, by SPKI hex: a node refolds its log after
 * every op, and importing a key and hashing it into a device ID would otherwise be paid for
 * every member at every refold. Pure: the entry is a function of the bytes. Only valid keys
 * are kept; the oldest goes first when full.
 */
const introduced = new Map<string, { key: KeyObject; deviceId: string }>();
const INTRODUCED_MAX = 4096;

/** Whether the log ever made `deviceId` a member: one now, or one who left or was removed. */
export function isOrWasMember(state: RoomState, deviceId: string): boolean {
  return state.members.has(deviceId) || state.departed.has(deviceId);
}

export function isManager(role: Role): boolean {
  return role === 'owner' || role === 'admin';
}

function whyNotCreate(authorId: string, action: ActionOf<'create'>): string | null {
  const { capacity, visibility } = action.settings;
  if (action.kind === 'dm' && (capacity !== DM_CAPACITY || visibility !== 'private')) {
    return `A direct message is private and has exactly ${DM_CAPACITY} places.`;
  }
  return whyNotEpoch(undefined, action.epoch, authorId);
}

function whyNotAdd(state: RoomState, role: Role, action: ActionOf<'add'>): string | null {
  if (!isManager(role)) return 'Only the owner or an admin can add members.';
  const id = action.member.deviceId;
  if (state.members.has(id)) return `${nameOf(state, id)} is already a member.`;
  if (state.banned.has(id)) return `${nameOf(state, id)} is banned; lift the ban first.`;
  if (state.members.size >= state.settings.capacity) {
    return `The room is full (${state.settings.capacity} members).`;
  }
  if (memberKey(action.member) === null) return "The new member's key does not match their ID.";
  return whyNotKeyGrants(state, action.keys);
}

/**
 * The newcomer must get the current epoch's key, and every earlier one when the room shares
 * history; a grant may name only an epoch the room has, once. Grants for earlier epochs in a
 * room that does not share history are not refused: the box is in the op whatever the fold
 * says, so refusing it would protect nothing (op-builder.ts never adds them).
 */
function whyNotKeyGrants(state: RoomState, grants: readonly KeyGrant[]): string | null {
  const granted = new Set<string>();
  for (const grant of grants) {
    if (!state.epochs.some((e) => e.id === grant.epoch)) {
      return 'A key grant names an epoch this room does not have.';
    }
    if (granted.has(grant.epoch)) return 'A key grant names the same epoch twice.';
    granted.add(grant.epoch);
  }
  if (!granted.has(currentEpoch(state)!.id)) {
    return 'The new member must be given the current room key.';
  }
  if (state.settings.historyShared && granted.size !== state.epochs.length) {
    return 'The new member must be given every earlier room key: this room shares its history.';
  }
  return null;
}

function whyNotLeave(state: RoomState, authorId: string, role: Role): string | null {
  // A room must keep someone who can add, remove and rotate. A direct message has nothing to
  // manage (its settings never change), so either side may always leave it.
  if (role !== 'owner' || state.kind === 'dm') return null;
  for (const [id, m] of state.members) if (id !== authorId && isManager(m.role)) return null;
  return 'The owner can leave only when another owner or an admin stays; promote someone first.';
}

function whyNotRemove(
  state: RoomState,
  authorId: string,
  role: Role,
  action: ActionOf<'remove'>,
): string | null {
  const verb = action.ban ? 'ban' : 'remove';
  if (!isManager(role)) return `Only the owner or an admin can ${verb} members.`;
  if (action.member === authorId) return 'You cannot remove yourself; leave the room instead.';
  const target = state.members.get(action.member);
  if (target === undefined) {
    // A ban may name someone who is not (or no longer) a member, to keep them out.
    if (!action.ban) return `${nameOf(state, action.member)} is not a member.`;
    if (state.banned.has(action.member)) {
      return `${nameOf(state, action.member)} is already banned.`;
    }
  } else if (role === 'admin' && target.role !== 'member') {
    return `An admin can ${verb} only members, not other admins or owners.`;
  }
  if (action.epoch.keys.some((k) => k.to === action.member)) {
    return `The new key must not be sealed to ${nameOf(state, action.member)}.`;
  }
  return whyNotEpoch(state, action.epoch);
}

function whyNotSetRole(state: RoomState, role: Role, action: ActionOf<'set-role'>): string | null {
  if (role !== 'owner') return 'Only an owner can change roles.';
  const target = state.members.get(action.member);
  if (target === undefined) return `${nameOf(state, action.member)} is not a member.`;
  if (target.role === 'owner' && action.role !== 'owner') {
    const owners = [...state.members.values()].filter((m) => m.role === 'owner').length;
    if (owners === 1) return 'The last owner cannot step down; make someone else owner first.';
  }
  return null;
}

/**
 * A new epoch (create, remove, rotate): an ID the room has never used, the key sealed to each
 * recipient once, and the first key to the creator alone.
 *
 * Why a later epoch is NOT required to be sealed to exactly the current members: ops made on
 * two sides of a network split (two kicks, a kick and an add) were each sealed to the members
 * their author saw. Demanding an exact match would skip one of them after the merge and make
 * every message sent under it unreadable. Instead the fold counts as holders only recipients
 * who are members, and raises `rekeyNeeded` when a recipient is not a member or a member is
 * not a holder, so the first admin online repairs it with a rotation (§8.3). Honest nodes
 * always seal to exactly the members they see (op-builder.ts).
 */
function whyNotEpoch(
  state: RoomState | undefined,
  grant: EpochGrant,
  creator?: string,
): string | null {
  if (state?.epochs.some((e) => e.id === grant.id)) return 'The new epoch reuses an epoch ID.';
  const sealedTo = new Set(grant.keys.map((k) => k.to));
  if (sealedTo.size !== grant.keys.length) return 'The new key is sealed twice to one member.';
  if (state === undefined && (sealedTo.size !== 1 || !sealedTo.has(creator ?? ''))) {
    return 'The first key must be sealed to the creator only.';
  }
  return null;
}

/** A name for messages: the member's, else the departed member's, else the start of the ID. */
function nameOf(state: RoomState, deviceId: string): string {
  return (
    state.members.get(deviceId)?.name ??
    state.departed.get(deviceId)?.name ??
    `Device ${deviceId.slice(0, 7)}`
  );
}
