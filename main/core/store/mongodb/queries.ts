/**
 * The MongoDB filters and pipelines of the store's non-trivial reads, as pure functions of
 * their arguments, apart from the driver calls that run them.
 *
 * What must stay true: each one is answered from an index (named below; mongodb-store.ts
 * creates them), and none reads a message it does not return, but where it says so.
 */
import type { Document, Filter } from 'mongodb';
import { seenUpTo } from '../backend-rules';
import type { MessagePage, MessageRecord } from '../store';
import type { MessageDoc } from './documents';

/**
 * A room's messages strictly before the page's cursor in (lamport, id) order: lamport at most
 * the cursor's (a range of by_room_order), minus those at the cursor's lamport from its id on.
 */
export function messagesBefore(roomId: string, before: MessagePage['before']): Filter<MessageDoc> {
  if (!before) return { roomId };
  return {
    roomId,
    lamport: { $lte: before.lamport },
    $nor: [{ lamport: before.lamport, id: { $gte: before.id } }],
  };
}

/**
 * What a peer with version vector `vv` lacks: one range of room_sender_seq per sender in the
 * vector, and one for every other sender. Sorted by (sender, seq), the server merges the ranges
 * in index order and stops at the limit.
 */
export function messagesLacking(roomId: string, vv: Record<string, number>): Filter<MessageDoc> {
  const known = Object.keys(vv);
  return {
    $or: [
      ...known.map((sender) => ({ roomId, sender, seq: { $gt: seenUpTo(vv, sender) } })),
      { roomId, sender: { $nin: known } },
    ],
  };
}

/** Unread: received after `afterTs`, not sent by `excludeSender` (a range of by_room_received). */
export function messagesSince(
  roomId: string,
  afterTs: number,
  excludeSender: string,
): Filter<MessageDoc> {
  return { roomId, receivedAt: { $gt: afterTs }, sender: { $ne: excludeSender } };
}

/**
 * The stored messages that would take an ID or a (room, sender, seq) of `batch`: one clause for
 * the IDs, and one per (room, sender) of the batch, each a few points of room_sender_seq.
 */
export function messagesTaking(batch: MessageRecord[]): Filter<MessageDoc> {
  const bySender = new Map<string, { roomId: string; sender: string; seqs: number[] }>();
  for (const m of batch) {
    const key = JSON.stringify([m.roomId, m.sender]);
    const group = bySender.get(key) ?? { roomId: m.roomId, sender: m.sender, seqs: [] };
    group.seqs.push(m.seq);
    bySender.set(key, group);
  }
  return {
    $or: [
      { id: { $in: batch.map((m) => m.id) } },
      ...[...bySender.values()].map((g) => ({
        roomId: g.roomId,
        sender: g.sender,
        seq: { $in: g.seqs },
      })),
    ],
  };
}

/**
 * The version vector as documents { _id: sender, top }. Numbering each sender's seqs 1, 2,
 * 3, ... in order, the seqs 1..top that are all stored are exactly those equal to their number;
 * a sender without seq 1 has none. One pass over the room's (sender, seq) entries on the server,
 * O(n) there; only the k answers come back. Needs MongoDB 5.0 ($setWindowFields).
 */
export function versionVectorPipeline(roomId: string): Document[] {
  return [
    { $match: { roomId, seq: { $gte: 1 } } },
    { $project: { _id: 0, sender: 1, seq: 1 } },
    {
      $setWindowFields: {
        partitionBy: '$sender',
        sortBy: { seq: 1 },
        output: { rank: { $documentNumber: {} } },
      },
    },
    { $match: { $expr: { $eq: ['$seq', '$rank'] } } },
    { $group: { _id: '$sender', top: { $max: '$seq' } } },
  ];
}
