/**
 * Why an incoming message envelope was refused: one closed set, so a node keeps one counter per
 * reason (reject-counter.ts) and logs stay greppable.
 *
 * What must stay true:
 * - Every refusal of the decode (envelope-codec.ts) and open (verify-envelope.ts) steps is one
 *   of these reasons; nothing a peer sends makes either step throw.
 * - The reasons after 'bad-signature' in this list ('no-key', 'undecryptable', 'bad-body') are
 *   only ever given for an envelope whose signature verified with a sender allowed to use its
 *   epoch, so a caller may still keep and relay such an envelope; every earlier reason means
 *   the bytes are not known to come from anyone.
 */

export const REJECT_REASONS = [
  /** Not one canonical Envelope with a canonical EnvelopeHeader inside. */
  'malformed',
  /** Longer than MAX_ENVELOPE_BYTES; refused before any parsing. */
  'oversized',
  /** The header names another room than the one it arrived for. */
  'wrong-room',
  /** The sender's timestamp is more than MAX_CLOCK_SKEW_MS ahead of our clock. */
  'future',
  /** The epoch is not in the folded control log (yet: the op may still be on its way). */
  'unknown-epoch',
  /** The sender did not hold the epoch's key (never a member, or added after it ended). */
  'not-a-holder',
  /** The sender left or was removed and this seq is past their recorded last one. */
  'departed',
  /** The signature does not verify with the sender's key from the control log. */
  'bad-signature',
  /** Authentic, but this node lacks the epoch's key. */
  'no-key',
  /** Authentic, but AES-GCM refused it under the epoch key. */
  'undecryptable',
  /** Authentic and decrypted, but the plaintext is not a MessageBody. */
  'bad-body',
] as const;

export type RejectReason = (typeof REJECT_REASONS)[number];

/**
 * Why the room service did not store a message that opened (its signature verified, with a
 * sender allowed to use its epoch): rooms/room-service.ts gives these, never the open step.
 */
export const STORE_REJECT_REASONS = [
  /**
   * Its Lamport time is more than the window (LAMPORT_WINDOW) above the room's clock here. Not
   * final: once the messages before it are held, a later sync asks for it again.
   */
  'lamport-too-far',
  /** Its ID is already stored: a replay, or the same message again from a relay or a sync. */
  'duplicate',
  /** Another message of the same sender and seq is stored: the sender signed two (equivocation). */
  'seq-taken',
] as const;

export type StoreRejectReason = (typeof STORE_REJECT_REASONS)[number];

/** A refusal: the reason to count, and for the log a detail that never holds plaintext. */
export interface Rejected {
  ok: false;
  reason: RejectReason;
  detail?: string;
}

export function reject(reason: RejectReason, detail?: string): Rejected {
  return detail === undefined ? { ok: false, reason } : { ok: false, reason, detail };
}
