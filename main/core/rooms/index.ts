/**
 * Rooms: the control log of each room (signed ops, folded into a RoomState), its epoch keys and
 * its password. docs/PROTOCOL.md §8 is the normative text. Everything here is pure: the service
 * that stores ops, syncs them with peers and keeps this node's epoch keys builds on it.
 */
export { decodeSignedOp, encodeSignedOp, MAX_SIGNED_OP_BYTES } from './op-codec';
export type { DecodedOp, DecodeOpResult } from './op-codec';
export {
  EPOCH_KEY_BYTES,
  grantEpoch,
  newEpoch,
  openSealedKey,
  roomKeyContext,
  sealKeyFor,
} from './epoch-keys';
export type { EpochSecret, KeyOpener, KeyRecipient } from './epoch-keys';
export { hashPassword, verifyPassword } from './password';
export { checkMessageSender, currentEpoch, FOLD_REASONS, foldOps, SENDER_REASONS } from './fold';
export {
  addAction,
  buildOp,
  createAction,
  leaveAction,
  removeAction,
  rotateAction,
  setRoleAction,
  unbanAction,
  updateAction,
  whyNot,
} from './op-builder';
export type { ActionPlan, Author, NewMember } from './op-builder';
export { DM_CAPACITY } from './rules';
export type * from './room-state';
