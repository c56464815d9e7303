/**
 * Rooms over peer links: pushes of new ops and envelopes, the pull-based sync that fills gaps
 * (ops by hash set, messages by version vector, in batches: at most one batch is asked for
 * ahead of the one being verified and stored, which is the backpressure), the public room list and join
 * requests. PROTOCOL.md §10.
 *
 * What must stay true:
 * - Who may ask is decided by the device ID the TLS link proved, checked against this node's
 *   folded state of the room: members get ops and messages; a departed member gets only the
 *   ops up to its departure (so it learns it was removed), and no messages.
 * - Everything received is validated with the wire schemas and then goes through
 *   RoomService.ingest*, which verifies before storing. A request, push or answer whose body
 *   does not fit its schema, and a push of ops, messages or heads from outside the room, is
 *   counted (the room service's reject counter), logged at debug level only, and dropped; a bad
 *   request is answered BAD_REQUEST. Nothing a peer sends is logged above debug here.
 * - One sync per (room, peer) at a time; a request for another while one runs is remembered
 *   and run after it.
 */
import { z } from 'zod';
import { ParleyError } from '../../../shared/errors';
import type { PublicRoomInfo, RoomDetails } from '../../../shared/api';
import {
  JoinRequest,
  MessagesPush,
  OpsPush,
  PublicRoomsResponse,
  ROOM_LINK_MESSAGES as MSG,
  SYNC_BATCH_MAX,
  SyncMessagesRequest,
  SyncMessagesResponse,
  SyncOpsRequest,
  SyncOpsResponse,
  HashHex,
  RandomIdHex,
  PUBLIC_KEY_MAX_BYTES,
} from '../../../shared/room-wire';
import type { Identity } from '../identity/identity';
import type { Logger } from '../log/logger';
import { EncodedPush, type Link, type LinkManager } from '../net';
import type { Store } from '../store/store';
import { deviceIdForPublicKey } from '../identity/device-id';
import { createRateLimiter } from '../discovery/rate-limiter';
import { verifyPassword } from './password';
import { exclusive, type RoomEntry } from './room-book';
import type { RoomNetwork, RoomService } from './room-service';
import { inFoldOrder } from './fold';
import { isOrWasMember } from './rules';
import type { DecodedOp } from './op-codec';
import { haveList, opsNotIn } from './have-list';
import { peekSenderSeq } from '../messages/envelope-codec';

const HeadsPush = z.object({ room: RandomIdHex, heads: z.array(HashHex).max(64) }).strict();
const IdentityKeyResponse = z
  .object({ publicKey: z.instanceof(Uint8Array).refine((b) => b.length <= PUBLIC_KEY_MAX_BYTES) })
  .strict();
const JoinWithKey = JoinRequest.extend({
  publicKey: z.instanceof(Uint8Array).refine((b) => b.length <= PUBLIC_KEY_MAX_BYTES),
});
const JoinResponse = z
  .object({ ops: z.array(z.instanceof(Uint8Array)).max(SYNC_BATCH_MAX) })
  .strict();

/**
 * The version vector after a batch: each sender's highest seq in it. The seqs are what the
 * envelopes claim, unverified: a hint for the next request only. A peer that lies makes this
 * sync skip ahead, and the next sync, which starts from the store, asks again; only senders
 * the room's log knows are taken, so the vector stays as small as the room.
 */
export function advanceVersionVector(
  vv: Readonly<Record<string, number>>,
  envelopes: readonly Uint8Array[],
  isSender: (deviceId: string) => boolean,
): Record<string, number> {
  const next = { ...vv };
  for (const bytes of envelopes) {
    const claimed = peekSenderSeq(bytes);
    if (!claimed || !isSender(claimed.sender)) continue;
    if (claimed.seq > (next[claimed.sender] ?? 0)) next[claimed.sender] = claimed.seq;
  }
  return next;
}

/**
 * Ops as they are pushed or answered: by Lamport time (then hash), so parents come before
 * children, in batches of SYNC_BATCH_MAX.
 */
export function opBatches(ops: Iterable<DecodedOp>): Uint8Array[][] {
  const sorted = [...ops].sort(inFoldOrder);
  const out: Uint8Array[][] = [];
  for (let i = 0; i < sorted.length; i += SYNC_BATCH_MAX)
    out.push(sorted.slice(i, i + SYNC_BATCH_MAX).map((op) => op.bytes));
  return out;
}

/** What a request handler answers: plain data for the CBOR encoder (byte arrays of any buffer). */
type WireAnswer = Record<string, unknown>;

/** The body of `rooms.public` and `rooms.identity` requests. */
const EmptyBody = z.object({}).strict();

/** Longest description of a refused body in the debug log. */
const MAX_ISSUE_CHARS = 200;

/** Why a peer's link message was refused (reasons of the room service's reject counter). */
export const LINK_REJECT_REASONS = {
  /** A request, push or answer whose body does not fit its wire schema. */
  malformed: 'malformed-link-body',
  /** A push of ops or messages of a room from a peer that is not in it. */
  notInRoom: 'push-from-non-member',
  /** Heads of a room this node knows from a peer neither in it nor departed from it, beyond one a minute. */
  headsNotInRoom: 'heads-from-non-member',
} as const;

/** push `{room, held}`: "I hold your messages 1..held of this room", after storing them. */
const HeldPush = z.object({ room: RandomIdHex, held: z.number().int().min(1) }).strict();

const HEADS = 'rooms.heads';
const HELD = 'rooms.held';
/** How long receipts gather before they are pushed (a "delivered" mark may lag this much). */
const HELD_RECEIPT_DELAY_MS = 50;
const IDENTITY_KEY = 'rooms.identity';
const REQUEST_TIMEOUT_MS = 15_000;
/**
 * Every this often, each room syncs with one linked member picked at random: a safety net for
 * any trigger that was missed (a push lost with a link, a sync refused because the other side
 * had not yet learnt we were added). Cheap when nothing is missing: two small requests.
 */
export const ANTI_ENTROPY_INTERVAL_MS = 15_000;
/** Wrong passwords allowed per device and room per minute before join requests are refused. */
const JOIN_ATTEMPTS_PER_MINUTE = 5;
/**
 * Password checks per room and minute, whoever asks: each is an scrypt of up to 64 MiB with
 * the log's parameters, and device IDs cost nothing to make, so the per-device limit alone
 * would let one peer keep an admin's CPU busy.
 */
export const PASSWORD_CHECKS_PER_MINUTE = 20;
/** Devices whose wrong passwords are remembered at once; the oldest is forgotten first. */
const JOIN_FAILURES_TRACKED = 4096;

export interface RoomSyncOptions {
  identity: Identity;
  store: Store;
  links: LinkManager;
  rooms: RoomService;
  logger: Logger;
  name: () => string;
  emitProgress: (p: { roomId: string; peer: string; received: number; done: boolean }) => void;
  /** Default ANTI_ENTROPY_INTERVAL_MS. */
  antiEntropyIntervalMs?: number;
}

export function createRoomSync(options: RoomSyncOptions) {
  const { links, rooms, store, identity } = options;
  const log = options.logger;
  const me = identity.deviceId;
  const offs: Array<() => void> = [];
  const running = new Map<string, Promise<void>>();
  const again = new Set<string>();
  const joinFailures = new Map<string, number[]>();
  const passwordChecks = createRateLimiter({
    burst: PASSWORD_CHECKS_PER_MINUTE,
    perSecond: PASSWORD_CHECKS_PER_MINUTE / 60,
    maxSources: 1024,
  });
  /**
   * Heads of a room we know from a peer our log does not show in it: our log may be the one
   * that is behind (it was added while we were away, and nobody we know is online), so such
   * heads start a sync now and then, at most one per room and peer a minute, which bounds what
   * anyone can make us send (our have list) for a push of a few bytes.
   */
  const strangerHeads = createRateLimiter({
    burst: 1,
    perSecond: 1 / 60,
    maxSources: 1024,
  });
  /** Which linked peers listed which public room, for join requests. */
  const publicHosts = new Map<string, Set<string>>();
  let closed = false;

  const linkedMembers = (entry: RoomEntry): Link[] =>
    links.links().filter((l) => l.peer.deviceId !== me && entry.state.members.has(l.peer.deviceId));

  const pushFailed =
    (to: string | undefined, type: string) =>
    (err: unknown): void =>
      log.debug('rooms.push_failed', { to, type, err: String(err) });
  const pushTo = (link: Link, type: string, body: unknown): void => {
    link.push(type, body).catch(pushFailed(link.peer.deviceId, type));
  };

  /** Counts a refusal of what `link`'s peer sent; debug only, so a peer cannot flood the log. */
  const refuse = (reason: string, type: string, link: Link, fields = {}): void => {
    rooms.rejects.count(reason);
    log.debug('rooms.rejected', { reason, type, peer: link.peer.deviceId, ...fields });
  };

  /** `body` as `schema` reads it, or undefined, counted, when it does not fit. */
  function bodyOf<T>(schema: z.ZodType<T>, body: unknown, type: string, link: Link): T | undefined {
    const parsed = schema.safeParse(body);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    // Bounded: an issue may quote the peer's key names.
    refuse(LINK_REJECT_REASONS.malformed, type, link, {
      issue: issue && `${issue.path.join('.')}: ${issue.message}`.slice(0, MAX_ISSUE_CHARS),
    });
    return undefined;
  }

  /** A request's body; one that does not fit is answered BAD_REQUEST (and counted). */
  function requestBody<T>(schema: z.ZodType<T>, body: unknown, type: string, link: Link): T {
    const req = bodyOf(schema, body, type, link);
    if (req === undefined)
      throw new ParleyError('BAD_REQUEST', `The body of "${type}" is not valid.`);
    return req;
  }

  /** The answer to our `type` request; one that does not fit throws BAD_REQUEST (and is counted). */
  function answerBody<T>(schema: z.ZodType<T>, answer: unknown, type: string, link: Link): T {
    const body = bodyOf(schema, answer, type, link);
    if (body === undefined)
      throw new ParleyError('BAD_REQUEST', `The peer's answer to "${type}" was not valid.`);
    return body;
  }

  /**
   * Receipts (`rooms.held`) wait a moment and go out once per room and sender with what is held
   * then: a burst of batches, or a room of ten answering each message, would otherwise send
   * the sender one frame per stored batch.
   */
  const heldToConfirm = new Map<string, { entry: RoomEntry; sender: string }>();
  let heldTimer: NodeJS.Timeout | undefined;

  async function pushHeldReceipts(): Promise<void> {
    heldTimer = undefined;
    // What is held now, then made durable before it is told (disk-sync.ts): a message stored
    // while the disk syncs is told in the next round.
    const receipts = [...heldToConfirm.values()].map(({ entry, sender }) => ({
      entry,
      sender,
      held: entry.contiguous.get(sender) ?? 0,
    }));
    heldToConfirm.clear();
    try {
      await rooms.flushReceived();
    } catch {
      // Logged by the store; nothing is told that may not be durable. The next receipts say it.
      return;
    }
    if (closed) return;
    for (const { entry, sender, held } of receipts) {
      const link = links.link(sender);
      if (link && held > 0 && entry.state.members.has(sender))
        pushTo(link, HELD, { room: entry.roomId, held });
    }
  }

  const network: RoomNetwork = {
    broadcastOps(entry, ops, also = []) {
      const targets = new Map(linkedMembers(entry).map((l) => [l.peer.deviceId, l]));
      for (const id of also) {
        const l = links.link(id);
        if (l && id !== me) targets.set(id, l);
      }
      for (const link of targets.values()) {
        // A newcomer has none of the log yet: it gets all of it.
        const batchOps = also.includes(link.peer.deviceId) ? [...entry.ops.values()] : ops;
        for (const batch of opBatches(batchOps))
          pushTo(link, MSG.opsPush, { room: entry.roomId, ops: batch });
      }
    },
    broadcastEnvelope(entry, bytes) {
      const members = linkedMembers(entry);
      if (members.length === 0) return;
      // One frame for every member: validated and encoded once, not once per link.
      let push: EncodedPush;
      try {
        push = EncodedPush.of(MSG.messagesPush, { room: entry.roomId, envelopes: [bytes] });
      } catch (err) {
        return pushFailed(undefined, MSG.messagesPush)(err);
      }
      for (const link of members)
        link.pushEncoded(push).catch(pushFailed(link.peer.deviceId, MSG.messagesPush));
    },
    membersAdded(entry, deviceIds) {
      if (!entry.state.members.has(me)) return;
      // Both ways: we pull from them, and the heads tell them to pull from us (they may have
      // asked before we knew they were members, and been refused).
      for (const id of deviceIds) {
        const link = links.link(id);
        if (!link) continue;
        scheduleSync(link, entry.roomId);
        pushTo(link, HEADS, { room: entry.roomId, heads: entry.state.heads.slice(0, 64) });
      }
    },
    confirmHeld(entry, senders) {
      if (closed) return;
      for (const sender of senders)
        heldToConfirm.set(`${entry.roomId}\n${sender}`, { entry, sender });
      heldTimer ??= setTimeout(() => void pushHeldReceipts(), HELD_RECEIPT_DELAY_MS);
    },
    requestSync(roomId, deviceId) {
      const link = links.link(deviceId);
      if (link) scheduleSync(link, roomId);
    },
    isLinked: (deviceId) => links.link(deviceId) !== undefined,
    async fetchPublicKey(deviceId) {
      const link = links.link(deviceId);
      if (!link) return undefined;
      const answer = bodyOf(
        IdentityKeyResponse,
        await link.request(IDENTITY_KEY, {}, { timeoutMs: REQUEST_TIMEOUT_MS }),
        IDENTITY_KEY,
        link,
      );
      if (!answer || deviceIdForPublicKey(answer.publicKey) !== deviceId) return undefined;
      return answer.publicKey;
    },
  };

  /* ---- pulling ---- */

  function scheduleSync(link: Link, roomId: string): void {
    const key = `${roomId}/${link.peer.deviceId}`;
    if (running.has(key)) {
      again.add(key);
      return;
    }
    const run = (async () => {
      try {
        do {
          again.delete(key);
          if (await syncRoom(link, roomId)) again.add(key);
        } while (again.has(key) && !closed && !link.closed);
      } catch (err) {
        // A coded failure is the peer's answer (a refusal, a bad answer, already counted) or
        // its silence: the peer can cause it at will, so it is not worth more than debug.
        const fields = { room: roomId, peer: link.peer.deviceId, err: String(err) };
        if (closed || link.closed) return;
        if (err instanceof ParleyError) log.debug('rooms.sync_failed', fields);
        else log.info('rooms.sync_failed', fields);
      } finally {
        running.delete(key);
      }
    })();
    running.set(key, run);
  }

  /** One pass; true when another pass should follow at once (see `tooFar` below). */
  async function syncRoom(link: Link, roomId: string): Promise<boolean> {
    const peer = link.peer.deviceId;
    // Ops first: messages of an epoch are only readable once the op that started it is here.
    // A room this node does not know yet (an invitation) comes in batches it gathers without
    // storing (added stays 0): it names what it gathered, and asks again while that grows.
    let gathered = -1;
    for (;;) {
      const held = rooms.book.get(roomId);
      const have = held ? haveList(held.ops, held.state) : rooms.gatheredOps(roomId, peer);
      if (!held) {
        if (have.length === gathered) break;
        gathered = have.length;
      }
      const answer = answerBody(
        SyncOpsResponse,
        await link.request(MSG.syncOps, { room: roomId, have }, { timeoutMs: REQUEST_TIMEOUT_MS }),
        MSG.syncOps,
        link,
      );
      const { added } = await rooms.ingestOps(roomId, answer.ops, peer);
      if (!answer.more || (added === 0 && held)) break;
    }
    // A rekey left undone here (a crash, a failure) is done now that a member is in reach.
    rooms.rekeyIfNeeded(roomId);
    const entry = rooms.book.get(roomId);
    if (!entry?.state.members.has(me) || !entry.state.members.has(peer)) return false;
    let received = 0;
    let refusedTooFar = false;
    const ask = async (vv: Record<string, number>, continues: boolean) =>
      answerBody(
        SyncMessagesResponse,
        await link.request(
          MSG.syncMessages,
          { room: roomId, vv, limit: SYNC_BATCH_MAX, ...(continues ? { continues } : {}) },
          { timeoutMs: REQUEST_TIMEOUT_MS },
        ),
        MSG.syncMessages,
        link,
      );
    // The store's version vector once per sync (a query linear in the room's size), then
    // advanced from each batch: the peer answers each sender in seq order after vv. It tells
    // the peer what is held of its own messages, so what it counts is made durable first.
    await rooms.flushReceived();
    let vv = await store.versionVector(roomId);
    let asking = ask(vv, false);
    for (;;) {
      const answer = await asking;
      // The next batch is asked for while this one is verified and stored: one request ahead,
      // no more, so backpressure still holds.
      vv = advanceVersionVector(vv, answer.envelopes, (id) => {
        const s = rooms.book.get(roomId)?.state;
        return s !== undefined && isOrWasMember(s, id);
      });
      const ahead = answer.more && answer.envelopes.length > 0 ? ask(vv, true) : undefined;
      // An early exit (a refused batch, a closed link) leaves it unanswered: nothing to report.
      ahead?.catch(() => undefined);
      const { added, tooFar } = await rooms.ingestEnvelopes(roomId, answer.envelopes, peer);
      received += added;
      if (tooFar > 0) refusedTooFar = true;
      // Messages too far ahead of our clock wait for what comes before them, which may be a
      // later batch's (another sender's): a batch of only those does not end the pass.
      const done = ahead === undefined || (added === 0 && tooFar === 0);
      if (answer.envelopes.length > 0) options.emitProgress({ roomId, peer, received, done });
      if (done) break;
      asking = ahead;
    }
    // What this pass stored may be what the refused ones were waiting for: ask again, as long
    // as each pass stores something.
    return refusedTooFar && received > 0;
  }

  /* ---- pushed messages: group commit ---- */

  const inboxes = new Map<string, { envelopes: Uint8Array[]; from: Set<Link> }>();
  /** Batches of pushed envelopes of one room being opened or stored at once. */
  const PUSHED_BATCHES_IN_HAND = 2;

  /**
   * Envelopes pushed while a room's previous batch is being verified and committed wait and
   * go in together: one transaction (one fsync) for a burst instead of one per message. Two
   * batches are in hand at once: while one is stored, the next one's signatures are checked on
   * the worker threads (RoomService commits them in the order they were handed over).
   */
  async function inbox(roomId: string, envelopes: Uint8Array[], link: Link): Promise<void> {
    const waiting = inboxes.get(roomId);
    if (waiting) {
      waiting.envelopes.push(...envelopes);
      waiting.from.add(link);
      return;
    }
    const box = { envelopes: [...envelopes], from: new Set([link]) };
    inboxes.set(roomId, box);
    const inHand: Array<Promise<void>> = [];
    try {
      // One turn of the event loop first: the other pushes that came in the same read from
      // the socket join this batch instead of waiting behind a batch of one (a commit and a
      // signature check each).
      await new Promise<void>((resolve) => setImmediate(resolve));
      while (!closed) {
        while (box.envelopes.length > 0 && inHand.length < PUSHED_BATCHES_IN_HAND)
          inHand.push(ingestPushed(roomId, box));
        const oldest = inHand.shift();
        if (oldest === undefined) break;
        await oldest;
      }
    } finally {
      inboxes.delete(roomId);
      // A failed batch ends the loop; the one behind it still finishes (and may fail) unheard.
      await Promise.allSettled(inHand);
    }
  }

  /** Hands the next batch waiting in `box` to RoomService; asks for a sync on a gap. */
  async function ingestPushed(
    roomId: string,
    box: { envelopes: Uint8Array[]; from: Set<Link> },
  ): Promise<void> {
    const batch = box.envelopes.splice(0, SYNC_BATCH_MAX);
    // The senders of what is still waiting stay listed: a burst of more than one batch
    // must not leave the next batch with nobody to name (it lost the rest of the burst).
    const from = [...box.from];
    if (box.envelopes.length === 0) box.from.clear();
    const { gap } = await rooms.ingestEnvelopes(roomId, batch, from[0]!.peer.deviceId);
    if (gap) for (const l of from) scheduleSync(l, roomId);
  }

  /* ---- answering ---- */

  const entryFor = (roomId: string): RoomEntry => {
    const entry = rooms.book.get(roomId);
    if (!entry) throw new ParleyError('ROOM_NOT_FOUND');
    return entry;
  };

  /**
   * The refusal for an asker outside the room: a departed member knows the room and is told it
   * is not a member; anyone else gets what a room this node does not hold gets, so that knowing
   * a room's ID is not enough to learn whether this node is in it.
   */
  const refusalFor = (entry: RoomEntry, asker: string): ParleyError =>
    new ParleyError(entry.state.departed.has(asker) ? 'NOT_A_MEMBER' : 'ROOM_NOT_FOUND');

  function answerSyncOps(body: unknown, link: Link): WireAnswer {
    const req = requestBody(SyncOpsRequest, body, MSG.syncOps, link);
    const entry = entryFor(req.room);
    const asker = link.peer.deviceId;
    let limitLamport = Number.MAX_SAFE_INTEGER;
    if (!entry.state.members.has(asker)) {
      const departed = entry.state.departed.get(asker);
      const op = departed && entry.ops.get(departed.op);
      if (!op) throw refusalFor(entry, asker);
      limitLamport = op.body.lamport;
    }
    const missing = opsNotIn(entry.ops, req.have).filter((op) => op.body.lamport <= limitLamport);
    const batches = opBatches(missing);
    return { ops: batches[0] ?? [], more: batches.length > 1 };
  }

  async function answerSyncMessages(body: unknown, link: Link): Promise<WireAnswer> {
    const req = requestBody(SyncMessagesRequest, body, MSG.syncMessages, link);
    const entry = entryFor(req.room);
    if (!entry.state.members.has(link.peer.deviceId)) throw refusalFor(entry, link.peer.deviceId);
    // The asker's version vector says how far it holds our own messages (on its disk: it
    // flushes first); a continuing request's vv runs ahead of what it has stored.
    if (!req.continues && Object.hasOwn(req.vv, me))
      rooms.learnDelivery(req.room, link.peer.deviceId, req.vv[me]!);
    const found = await store.listEnvelopesAfter(req.room, req.vv, req.limit + 1);
    return { envelopes: found.slice(0, req.limit), more: found.length > req.limit };
  }

  function answerPublicRooms(body: unknown, link: Link): WireAnswer {
    requestBody(EmptyBody, body, MSG.publicRooms, link);
    const list = [...rooms.book.values()]
      .filter(
        (e) =>
          e.state.kind === 'room' &&
          e.state.settings.visibility === 'public' &&
          e.state.members.has(me),
      )
      .slice(0, 1000)
      .map((e) => ({
        room: e.roomId,
        name: e.state.settings.name,
        topic: e.state.settings.topic,
        members: e.state.members.size,
        capacity: e.state.settings.capacity,
        passwordRequired: e.state.settings.password !== null,
      }));
    return { rooms: list };
  }

  async function answerJoin(body: unknown, link: Link): Promise<WireAnswer> {
    const req = requestBody(JoinWithKey, body, MSG.join, link);
    const asker = link.peer.deviceId;
    if (deviceIdForPublicKey(req.publicKey) !== asker)
      throw new ParleyError('BAD_REQUEST', 'The key is not the key of this link.');
    const entry = entryFor(req.room);
    const s = entry.state;
    if (s.settings.visibility !== 'public' || s.kind !== 'room')
      throw new ParleyError('ROOM_NOT_FOUND');
    const role = s.members.get(me)?.role;
    if (role !== 'owner' && role !== 'admin')
      throw new ParleyError('NOT_ALLOWED', 'This member is not an admin of the room.');
    if (s.members.has(asker)) return { ops: opBatches([...entry.ops.values()])[0] ?? [] };
    if (s.banned.has(asker)) throw new ParleyError('BANNED');
    if (s.members.size >= s.settings.capacity) throw new ParleyError('ROOM_FULL');
    if (s.settings.password) {
      const key = `${req.room}/${asker}`;
      const now = Date.now();
      const recent = (joinFailures.get(key) ?? []).filter((t) => now - t < 60_000);
      if (recent.length >= JOIN_ATTEMPTS_PER_MINUTE) throw new ParleyError('RATE_LIMITED');
      if (req.password !== null && !passwordChecks.take(req.room, now))
        throw new ParleyError('RATE_LIMITED');
      if (req.password === null || !verifyPassword(req.password, s.settings.password)) {
        recent.push(now);
        joinFailures.delete(key);
        if (joinFailures.size >= JOIN_FAILURES_TRACKED)
          joinFailures.delete(joinFailures.keys().next().value as string);
        joinFailures.set(key, recent);
        throw new ParleyError('WRONG_PASSWORD');
      }
      joinFailures.delete(key);
    }
    await exclusive(entry, () => rooms.addMember(entry, asker, 'join', req.name, req.publicKey));
    return { ops: opBatches([...entry.ops.values()])[0] ?? [] };
  }

  /* ---- client side of public rooms ---- */

  async function publicRooms(): Promise<PublicRoomInfo[]> {
    const found = new Map<string, PublicRoomInfo>();
    publicHosts.clear();
    await Promise.all(
      links.links().map(async (link) => {
        try {
          const answer = answerBody(
            PublicRoomsResponse,
            await link.request(MSG.publicRooms, {}, { timeoutMs: 5_000 }),
            MSG.publicRooms,
            link,
          );
          for (const r of answer.rooms) {
            const hosts = publicHosts.get(r.room) ?? new Set<string>();
            hosts.add(link.peer.deviceId);
            publicHosts.set(r.room, hosts);
            const mine = rooms.book.get(r.room)?.state.members.has(me) ?? false;
            const prev = found.get(r.room);
            if (!prev || r.members > prev.memberCount)
              found.set(r.room, {
                id: r.room,
                name: r.name,
                topic: r.topic,
                memberCount: r.members,
                capacity: r.capacity,
                passwordRequired: r.passwordRequired,
                joined: mine,
              });
          }
        } catch (err) {
          log.debug('rooms.public_list_failed', { peer: link.peer.deviceId, err: String(err) });
        }
      }),
    );
    return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  async function join(roomId: string, password: string | undefined): Promise<RoomDetails> {
    if (!publicHosts.has(roomId)) await publicRooms();
    const hosts = [...(publicHosts.get(roomId) ?? [])];
    if (hosts.length === 0)
      throw new ParleyError('ROOM_NOT_FOUND', 'No online peer lists that room.');
    let lastError: unknown = new ParleyError('NO_ADMIN_ONLINE');
    for (const host of hosts) {
      const link = links.link(host);
      if (!link) continue;
      try {
        const answer = answerBody(
          JoinResponse,
          await link.request(
            MSG.join,
            {
              room: roomId,
              name: options.name(),
              password: password ?? null,
              publicKey: identity.publicKeySpki,
            },
            { timeoutMs: REQUEST_TIMEOUT_MS },
          ),
          MSG.join,
          link,
        );
        await rooms.ingestOps(roomId, answer.ops, host);
        scheduleSync(link, roomId);
        return rooms.get(roomId);
      } catch (err) {
        // Not an admin: ask the next host. Any other answer is the admin's verdict.
        if (err instanceof ParleyError && err.code === 'NOT_ALLOWED') continue;
        lastError = err;
        if (
          err instanceof ParleyError &&
          ['WRONG_PASSWORD', 'BANNED', 'ROOM_FULL', 'RATE_LIMITED'].includes(err.code)
        )
          break;
      }
    }
    throw lastError;
  }

  /* ---- wiring ---- */

  function onLinkUp(link: Link): void {
    const peer = link.peer.deviceId;
    for (const entry of rooms.book.values()) {
      const s = entry.state;
      if (!isOrWasMember(s, peer)) continue;
      pushTo(link, HEADS, { room: entry.roomId, heads: s.heads.slice(0, 64) });
      if (s.members.has(me) && s.members.has(peer)) scheduleSync(link, entry.roomId);
    }
  }

  function sweep(): void {
    for (const entry of rooms.book.values()) {
      if (!entry.state.members.has(me)) continue;
      const members = linkedMembers(entry);
      const link = members[Math.floor(Math.random() * members.length)];
      if (link) scheduleSync(link, entry.roomId);
    }
  }

  function start(): void {
    const sweeper = setInterval(sweep, options.antiEntropyIntervalMs ?? ANTI_ENTROPY_INTERVAL_MS);
    sweeper.unref();
    offs.push(
      () => clearInterval(sweeper),
      links.on('link-up', onLinkUp),
      links.onPush(MSG.opsPush, async (body, link) => {
        const push = bodyOf(OpsPush, body, MSG.opsPush, link);
        if (!push) return;
        // Only members (and those who were) write a room's log; anyone may invite us to a new one.
        const entry = rooms.book.get(push.room);
        const peer = link.peer.deviceId;
        if (entry && !isOrWasMember(entry.state, peer))
          return refuse(LINK_REJECT_REASONS.notInRoom, MSG.opsPush, link, { room: push.room });
        const known = entry !== undefined;
        const { added, missingParents } = await rooms.ingestOps(push.room, push.ops, peer);
        // A room new to us (an invitation) has history to fetch; a gap has ops to fetch.
        if (missingParents || (!known && added > 0)) scheduleSync(link, push.room);
      }),
      links.onPush(MSG.messagesPush, (body, link) => {
        const push = bodyOf(MessagesPush, body, MSG.messagesPush, link);
        if (!push) return;
        const entry = rooms.book.get(push.room);
        if (!entry?.state.members.has(link.peer.deviceId))
          return refuse(LINK_REJECT_REASONS.notInRoom, MSG.messagesPush, link, { room: push.room });
        return inbox(push.room, push.envelopes, link);
      }),
      links.onPush(HEADS, (body, link) => {
        // Heads come on link-up and when the sender has just learnt we are members: a moment to
        // sync (ops we lack, and messages that may have been refused to us before): from those
        // who write the room's log, or for a room we do not know (an invitation's). From anyone
        // else only now and then (strangerHeads): a sync hands them our have list.
        const push = bodyOf(HeadsPush, body, HEADS, link);
        if (!push) return;
        const state = rooms.book.get(push.room)?.state;
        const peer = link.peer.deviceId;
        if (
          state &&
          !isOrWasMember(state, peer) &&
          !strangerHeads.take(`${push.room}\n${peer}`, Date.now())
        )
          return refuse(LINK_REJECT_REASONS.headsNotInRoom, HEADS, link, { room: push.room });
        scheduleSync(link, push.room);
      }),
      links.onPush(HELD, (body, link) => {
        const push = bodyOf(HeldPush, body, HELD, link);
        if (push) rooms.learnDelivery(push.room, link.peer.deviceId, push.held);
      }),
      links.handle(MSG.syncOps, answerSyncOps),
      links.handle(MSG.syncMessages, answerSyncMessages),
      links.handle(MSG.publicRooms, answerPublicRooms),
      links.handle(MSG.join, answerJoin),
      links.handle(IDENTITY_KEY, (body, link) => {
        requestBody(EmptyBody, body, IDENTITY_KEY, link);
        return { publicKey: identity.publicKeySpki };
      }),
    );
    for (const link of links.links()) onLinkUp(link);
  }

  async function close(): Promise<void> {
    closed = true;
    clearTimeout(heldTimer);
    heldToConfirm.clear();
    for (const off of offs.splice(0)) off();
    await Promise.all([...running.values()]);
  }

  return { network, start, close, publicRooms, join, syncing: () => running.size };
}

export type RoomSync = ReturnType<typeof createRoomSync>;
