/**
 * RoomService: rooms, their control logs, keys and messages on one node. The API handlers call
 * it; room-sync.ts feeds it what peers send. Everything it accepts from a peer goes through
 * `ingestOps` / `ingestEnvelopes`, which verify before they store and never throw for bad
 * input: it is counted (`rejects`) and logged.
 *
 * What must stay true:
 * - A message or op is stored (durably) before it is acknowledged to the user or pushed.
 * - The only way state changes is: ops stored → refold. Keys are unsealed from the folded
 *   state, never taken from anywhere else.
 * - Messages the control log later shows to be invalid (a departed member's, past their
 *   cut-off) are deleted, so every member ends with the same set.
 */
import type { KeyObject } from 'node:crypto';
import { ParleyError } from '../../../shared/errors';
import type {
  CommandArgs,
  EventName,
  EventPayload,
  MessageInfo,
  RoomDetails,
  RoomSummary,
} from '../../../shared/api';
import {
  LAMPORT_WINDOW,
  MAX_LAMPORT,
  type OpAction,
  type RoomSettings,
} from '../../../shared/room-wire';
import type { Identity } from '../identity/identity';
import type { Logger } from '../log/logger';
import type { MessageRecord, RoomRecord, Store } from '../store/store';
import { newRoomId } from './room-id';
import { importPublicKeySpki } from '../crypto/keys';
import { createEcdhThreads, type EcdhThreads } from '../crypto/ecdh-threads';
import { deviceIdForPublicKey } from '../identity/device-id';
import { decodeEnvelope, sealMessage } from '../messages/envelope-codec';
import { toMessageRecord, type OpenedMessage, type OpenResult } from '../messages/verify-envelope';
import { tooFarAhead } from '../messages/lamport-window';
import { openEnvelopes } from '../messages/open-envelopes';
import { createVerifyPool, type SignatureVerifier } from '../messages/verify-pool';
import { createUnreadCounts } from '../messages/unread-counts';
import { createRejectCounter } from '../messages/reject-counter';
import { decodeSignedOp, type DecodedOp } from './op-codec';
import { createRateLimiter } from '../discovery/rate-limiter';
import { createInvitationBuffer } from './invitation-buffer';
import { ADMISSION_REASONS, admitOps } from './op-admission';
import { checkMessageSender, currentEpoch } from './fold';
import { openSealedKey } from './epoch-keys';
import { hashPassword } from './password';
import {
  addAction,
  buildOp,
  createAction,
  leaveAction,
  removeAction,
  renameAction,
  rotateAction,
  setRoleAction,
  unbanAction,
  updateAction,
  whyNot,
} from './op-builder';
import { exclusive, newRoomEntry, refold, type RoomEntry } from './room-book';
import type { RoomState } from './room-state';
import { isOrWasMember, type ActionOf } from './rules';
import { messageInfo, roomDetails, roomSummary, type ViewContext } from './room-views';
import { createDeliveryTracker } from './delivery';
import { createDiskSync } from './disk-sync';

/**
 * When an owner or admin node renews a room's key on its own (`auto`), whoever sent the
 * messages: whichever limit the current epoch reaches first. 0 turns a limit off.
 */
export interface RotationPolicy {
  /** Rotate once the current epoch holds this many messages. */
  maxMessages: number;
  /** Rotate once the current epoch is this old (by its author's clock), in ms. */
  maxAgeMs: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Why a rotation is made (the rotate op's `reason`). */
type RotationReason = ActionOf<'rotate'>['reason'];

/** docs/SECURITY.md says why these numbers. */
export const DEFAULT_ROTATION: RotationPolicy = {
  maxMessages: 1000,
  maxAgeMs: 7 * DAY_MS,
};

/** What RoomService needs from the network; room-sync.ts provides it. */
export interface RoomNetwork {
  /** Sends new ops of a room to every linked member (and to `also`, e.g. a newcomer). */
  broadcastOps(entry: RoomEntry, ops: DecodedOp[], also?: string[]): void;
  broadcastEnvelope(entry: RoomEntry, bytes: Uint8Array): void;
  /** Members new to this node's view: sync with them (they may have been refused before). */
  membersAdded(entry: RoomEntry, deviceIds: string[]): void;
  /** Tells these senders (those linked) how far this node now holds their messages. */
  confirmHeld(entry: RoomEntry, senders: ReadonlySet<string>): void;
  /** Asks a linked peer for a room's ops we lack (a gap), then for its messages. */
  requestSync(roomId: string, deviceId: string): void;
  isLinked(deviceId: string): boolean;
  /** The SPKI of a linked peer, proved against its device ID. */
  fetchPublicKey(deviceId: string): Promise<Uint8Array | undefined>;
}

export interface RoomServiceOptions {
  identity: Identity;
  store: Store;
  logger: Logger;
  name: () => string;
  peerName: (deviceId: string) => string | undefined;
  peerPublicKey: (deviceId: string) => Promise<Uint8Array | undefined>;
  emit: <E extends EventName>(event: E, payload: EventPayload<E>) => void;
  rotation?: Partial<RotationPolicy>;
  /** The clock the age limit of `rotation` is judged by. Default: Date.now (tests move it). */
  now?: () => number;
  /** How often the age limit is checked, in ms. Default: hourly. */
  rotationCheckMs?: number;
  /** Checks envelope signatures. Default: a worker pool of this service's own, closed by close(). */
  verifier?: SignatureVerifier;
  /**
   * Runs the ECDH derives of new room keys (one per member). Default: threads of this
   * service's own, started at the first rotation of a room large enough, closed by close().
   */
  ecdh?: EcdhThreads;
  /**
   * How far above a room's clock a message's Lamport time may be (LAMPORT_WINDOW, the
   * protocol's). Only tests set another, to reach the window with a few messages.
   */
  lamportWindow?: number;
}

/** What became of one batch of envelopes handed to `ingestEnvelopes`. */
export interface IngestedEnvelopes {
  /** Messages stored that were not held before. */
  added: number;
  /** Something is missing: a hole in a sender's seq, or envelopes that more ops may make valid. */
  gap: boolean;
  /**
   * Authentic messages refused for now as too far ahead of the room's clock: what comes before
   * them may be in a later batch (another sender's), after which asking again takes them.
   */
  tooFar: number;
}

/** How long room.updated waits to gather a burst of incoming messages, in ms. */
const ANNOUNCE_DEBOUNCE_MS = 100;

/** How often every room's epoch age is checked against the rotation policy, in ms. */
const ROTATION_CHECK_MS = 60 * 60 * 1000;
/**
 * The random pause before an automatic rotation, in ms: so that two admins who count the same
 * message rarely both rotate (two rotations at once are harmless, the fold keeps both).
 */
const AUTO_ROTATION_PAUSE_MS = { min: 200, spread: 2000 };

/** The pause before a failed rekey is tried again, doubling at each try, in ms. */
const REKEY_RETRY_MS = 1000;
/** How many times in a row a rekey is tried (pauses of 1, 2, 4, 8 and 16 s between). */
const REKEY_ATTEMPTS = 6;

/** Rejections that more of the control log may turn into acceptance. */
const WAITING_FOR_OPS = new Set(['unknown-epoch', 'not-a-holder', 'no-key']);
/** Invitations one peer may send this node at once, and then per hour (see invitesFrom). */
export const INVITES_BURST = 10;
export const INVITES_PER_HOUR = 10;
/** Peers whose invitations are counted at once; the least recently heard is forgotten. */
const INVITERS_TRACKED = 1024;

export function createRoomService(options: RoomServiceOptions) {
  const { identity, store } = options;
  const log = options.logger;
  const me = identity.deviceId;
  // settings.update may change it while the node runs (setRotation).
  let rotation: RotationPolicy = { ...DEFAULT_ROTATION, ...options.rotation };
  const now = options.now ?? Date.now;
  const lamportWindow = options.lamportWindow ?? LAMPORT_WINDOW;
  const rejects = createRejectCounter();
  const verifier = options.verifier ?? createVerifyPool();
  const ecdhThreads = options.ecdh ?? createEcdhThreads();
  // Kept, not counted per room.updated: a catch-up announces often, with thousands unread.
  const unreadCounts = createUnreadCounts(me, (roomId, lastReadAt) =>
    store.countMessagesSince(roomId, lastReadAt, me),
  );
  const book = new Map<string, RoomEntry>();
  let network: RoomNetwork | undefined;
  let closed = false;
  const timers = new Set<NodeJS.Timeout>();
  let ageCheck: NodeJS.Timeout | undefined;

  const later = (ms: number, fn: () => void): void => {
    if (closed) return;
    const t = setTimeout(() => {
      timers.delete(t);
      if (!closed) fn();
    }, ms);
    timers.add(t);
  };

  const reject = (reason: string, detail: Record<string, unknown>): void => {
    rejects.count(reason);
    // Debug, not warn: a hostile peer must not be able to flood the log.
    log.debug('rooms.rejected', { reason, ...detail });
  };

  const deliveries = createDeliveryTracker({
    store,
    me,
    logger: log,
    members: (roomId) => book.get(roomId)?.state.members,
    sentUpTo: (roomId) => book.get(roomId)?.contiguous.get(me) ?? 0,
    emit: (payload) => options.emit('message.delivery', payload),
  });

  // Messages from peers wait for the disk together, and always before a receipt (disk-sync.ts).
  const diskSync = createDiskSync({ syncWrites: () => store.syncWrites(), logger: log });

  const view: ViewContext = {
    me,
    nameOf: (id, roomId) => {
      // The room's own word first: another room may still show a name from before a rename.
      const here = roomId === undefined ? undefined : book.get(roomId)?.state;
      const inRoom = here?.members.get(id) ?? here?.departed.get(id);
      if (inRoom) return inRoom.name;
      for (const e of book.values()) {
        const m = e.state.members.get(id) ?? e.state.departed.get(id);
        if (m) return m.name;
      }
      if (id === me) return options.name();
      return options.peerName(id) ?? id.slice(0, 7);
    },
    isOnline: (id) => network?.isLinked(id) ?? false,
    delivery: (roomId, seq) => deliveries.deliveryOf(roomId, seq),
  };

  function entryOf(roomId: string): RoomEntry {
    const entry = book.get(roomId);
    if (!entry) throw new ParleyError('ROOM_NOT_FOUND');
    return entry;
  }

  function memberEntry(roomId: string): RoomEntry {
    const entry = entryOf(roomId);
    if (!entry.state.members.has(me)) throw new ParleyError('NOT_A_MEMBER');
    return entry;
  }

  /* ---- views ---- */

  async function summaryOf(entry: RoomEntry): Promise<RoomSummary> {
    const [unread, newest] = await Promise.all([
      unreadCounts.get(entry.roomId, entry.record.lastReadAt),
      store.listMessages(entry.roomId, { limit: 1 }),
    ]);
    return roomSummary(
      entry.state,
      entry.record,
      { unread, lastMessageAt: newest[0]?.ts ?? null },
      me,
    );
  }

  async function detailsOf(entry: RoomEntry): Promise<RoomDetails> {
    return roomDetails(await summaryOf(entry), entry.state, view);
  }

  /**
   * One room.updated for a burst of messages instead of one per message: the unread count it
   * carries is a query, and a catch-up brings thousands of messages.
   */
  const announcing = new Set<string>();
  function announceSoon(entry: RoomEntry): void {
    if (announcing.has(entry.roomId)) return;
    announcing.add(entry.roomId);
    later(ANNOUNCE_DEBOUNCE_MS, () => {
      announcing.delete(entry.roomId);
      announce(entry).catch((err: unknown) =>
        log.warn('rooms.announce_failed', { room: entry.roomId, err: String(err) }),
      );
    });
  }

  async function announce(entry: RoomEntry): Promise<void> {
    options.emit('room.updated', await summaryOf(entry));
  }

  /* ---- after the log changed ---- */

  /** Unseals every epoch key sealed to this node that it does not hold yet. */
  async function unlockKeys(entry: RoomEntry): Promise<boolean> {
    let gained = false;
    for (const epoch of entry.state.epochs) {
      if (entry.keys.has(epoch.id)) continue;
      const sealed = epoch.sealed.get(me);
      if (!sealed) continue;
      const key = openSealedKey(entry.roomId, epoch.id, sealed, identity);
      if (!key) {
        reject('unopenable-key', { room: entry.roomId, epoch: epoch.id });
        continue;
      }
      await store.putRoomKey({
        roomId: entry.roomId,
        epochId: epoch.id,
        key,
        createdAt: Date.now(),
      });
      entry.keys.set(epoch.id, key);
      gained = true;
    }
    return gained;
  }

  /** Deletes stored messages that the log now shows were sent after the sender departed. */
  async function enforceDepartures(entry: RoomEntry): Promise<void> {
    for (const d of entry.state.departed.values()) {
      const vv: Record<string, number> = {};
      for (const id of [...entry.state.members.keys(), ...entry.state.departed.keys()])
        vv[id] = Number.MAX_SAFE_INTEGER;
      vv[d.deviceId] = d.lastSeq;
      const after = await store.listMessagesAfter(entry.roomId, vv, 100_000);
      const invalid = after.filter((m) => {
        const decoded = decodeEnvelope(m.envelope);
        if (!decoded.ok) return true;
        const h = decoded.envelope.header;
        return checkMessageSender(entry.state, h.sender, h.epoch, h.seq) !== null;
      });
      if (invalid.length === 0) continue;
      await store.deleteMessages(
        entry.roomId,
        invalid.map((m) => m.id),
      );
      unreadCounts.forget(entry.roomId);
      log.info('rooms.messages_revoked', {
        room: entry.roomId,
        sender: d.deviceId,
        n: invalid.length,
      });
    }
  }

  async function afterLogChanged(entry: RoomEntry, before: RoomState): Promise<void> {
    await unlockKeys(entry);
    await enforceDepartures(entry);
    const s = entry.state;
    if (s.settings.name !== entry.record.name || s.settings.topic !== entry.record.topic) {
      entry.record = { ...entry.record, name: s.settings.name, topic: s.settings.topic };
      await store.putRoom(entry.record);
    }
    if (currentEpoch(s)?.id !== currentEpoch(before)?.id) entry.epochMessages = 0;
    const added = [...s.members.keys()].filter((id) => id !== me && !before.members.has(id));
    if (added.length > 0) network?.membersAdded(entry, added);
    if (added.length > 0 || [...before.members.keys()].some((id) => !s.members.has(id)))
      deliveries.membersChanged(entry.roomId);
    const wasMember = before.members.has(me);
    if (wasMember && !s.members.has(me)) {
      const d = s.departed.get(me);
      options.emit('room.removed', {
        roomId: entry.roomId,
        name: s.settings.name,
        reason: d?.kind ?? 'kicked',
      });
    }
    await announce(entry);
    scheduleRekey(entry);
  }

  /* ---- rekeys: the first admin online rotates when the log asks for it ---- */

  /** Rooms with a rekey waiting on its timer (one at a time per room). */
  const rekeying = new Set<string>();

  /**
   * Rotates the room's key soon when its log says a rekey is needed (a member left, or a split
   * healed: fold.ts needsRekey) and this node may do it. Called whenever that may have become
   * true or stayed undone: after the log changed, at start, after a sync with a member. Until a
   * rotation is stored the leaver still holds the current key, so a failed one is tried again,
   * REKEY_ATTEMPTS times in all with pauses doubling from REKEY_RETRY_MS; after that the next
   * change, sync or start tries again.
   */
  function scheduleRekey(entry: RoomEntry, attempt = 1): void {
    if (!rekeyReason(entry)) return;
    if (attempt === 1 && rekeying.has(entry.roomId)) return;
    // Several admins may see this at once; a random pause makes a double rotation rare
    // (and a double rotation is harmless, only wasteful).
    const pause = attempt === 1 ? 50 + Math.random() * 450 : REKEY_RETRY_MS * 2 ** (attempt - 2);
    rotateAfter(entry, rekeying, pause, () => rekeyReason(entry)).catch((err: unknown) => {
      const again = attempt < REKEY_ATTEMPTS;
      log.warn('rooms.rekey_failed', { room: entry.roomId, attempt, again, err: String(err) });
      if (again) scheduleRekey(entry, attempt + 1);
    });
  }

  /** Why the log asks this node to rekey the room now, if it does. */
  function rekeyReason(entry: RoomEntry): RotationReason | undefined {
    if (!entry.state.rekeyNeeded || !isAdmin(entry.state)) return undefined;
    const departedNow = [...currentEpoch(entry.state)!.holders].some(
      (h) => entry.state.departed.get(h)?.kind === 'left',
    );
    return departedNow ? 'departure' : 'repair';
  }

  /**
   * Rotates the room's key after `pauseMs`, under the room's lock, for the reason `why` gives
   * then (not at all when it gives none any more). `pending` holds the room meanwhile, so that
   * it waits once. Rejects with the rotation's failure.
   */
  function rotateAfter(
    entry: RoomEntry,
    pending: Set<string>,
    pauseMs: number,
    why: () => RotationReason | undefined,
  ): Promise<void> {
    pending.add(entry.roomId);
    return new Promise<void>((resolve, fail) =>
      later(pauseMs, () => {
        exclusive(entry, async () => {
          const reason = why();
          if (reason) await authorLocked(entry, rotateAction(entry.state, reason, ecdhThreads));
        })
          .finally(() => pending.delete(entry.roomId))
          .then(resolve, fail);
      }),
    );
  }

  /** Rekeys what a sync with a member may have left needing one (the log may be unchanged). */
  function rekeyIfNeeded(roomId: string): void {
    const entry = book.get(roomId);
    if (entry) scheduleRekey(entry);
  }

  const isAdmin = (s: RoomState): boolean => {
    const role = s.members.get(me)?.role;
    return role === 'owner' || role === 'admin';
  };

  /* ---- authoring ops ---- */

  async function authorLocked(
    entry: RoomEntry,
    made: { action: OpAction },
    also: string[] = [],
  ): Promise<DecodedOp> {
    const why = whyNot(entry.state, me, made.action);
    if (why) throw new ParleyError('NOT_ALLOWED', why);
    const op = buildOp(entry.state, entry.roomId, identity, made.action);
    await store.addControlOps([
      {
        hash: op.hash,
        roomId: entry.roomId,
        author: me,
        lamport: op.body.lamport,
        bytes: op.bytes,
        receivedAt: Date.now(),
      },
    ]);
    entry.ops.set(op.hash, op);
    const before = refold(entry);
    if (entry.state.rejected.some((r) => r.hash === op.hash)) {
      // whyNot and the fold disagree: a bug, never a user error. Do not spread the op.
      log.error('rooms.own_op_rejected', { room: entry.roomId, hash: op.hash });
    }
    await afterLogChanged(entry, before);
    network?.broadcastOps(entry, [op], also);
    return op;
  }

  function author(
    roomId: string,
    make: (e: RoomEntry) => { action: OpAction } | Promise<{ action: OpAction }>,
    also: string[] = [],
  ): Promise<RoomDetails> {
    const entry = memberEntry(roomId);
    return exclusive(entry, async () => {
      await authorLocked(entry, await make(entry), also);
      return detailsOf(entry);
    });
  }

  /**
   * Writes a rename in every room where this node is a member and the state shows another name
   * for it (identity.setName), and pushes it. Answers how many rooms it renamed this node in. A
   * room that fails is logged and skipped: the node's name is changed all the same, and the
   * next setName (even to the same name) tries that room again.
   */
  async function renameSelf(name: string): Promise<number> {
    const outdated = (e: RoomEntry): boolean => {
      const mine = e.state.members.get(me);
      return mine !== undefined && mine.name !== name;
    };
    const renamed = await Promise.all(
      [...book.values()].filter(outdated).map((entry) =>
        exclusive(entry, async () => {
          if (!outdated(entry)) return false;
          await authorLocked(entry, renameAction(name));
          return true;
        }).catch((err: unknown) => {
          log.warn('rooms.rename_failed', { room: entry.roomId, err: String(err) });
          return false;
        }),
      ),
    );
    return renamed.filter(Boolean).length;
  }

  async function publicKeyFor(deviceId: string): Promise<{ der: Uint8Array; key: KeyObject }> {
    let der = await options.peerPublicKey(deviceId);
    if (!der || der.length === 0) der = await network?.fetchPublicKey(deviceId);
    if (!der || der.length === 0)
      throw new ParleyError(
        'PEER_UNKNOWN',
        'Parley has not met that peer yet: it must be online once.',
      );
    if (deviceIdForPublicKey(der) !== deviceId) throw new ParleyError('PEER_UNKNOWN');
    return { der, key: importPublicKeySpki(der) };
  }

  /* ---- ingest: what peers send ---- */

  /**
   * Verifies and stores ops of one room. Ops of a room this node does not know are kept only
   * when, folded, they make this node a member (an invitation) or show it departed. Only what
   * op-admission.ts admits is stored: an op of an author the log does not know, or whose
   * parents are not held, is counted and dropped.
   * Returns how many ops were new and whether some parent is still missing.
   */
  async function ingestOps(
    roomId: string,
    opBytes: readonly Uint8Array[],
    from: string,
  ): Promise<{ added: number; missingParents: boolean }> {
    const decoded: DecodedOp[] = [];
    for (const bytes of opBytes) {
      const r = decodeSignedOp(bytes);
      if (!r.ok) reject('bad-op', { from, why: r.reason });
      else if (r.op.body.room !== roomId) reject('op-wrong-room', { from });
      else decoded.push(r.op);
    }
    if (decoded.length === 0) return { added: 0, missingParents: false };
    let entry = book.get(roomId);
    if (!entry) {
      // A long log comes in several batches: gathered until the one that names this node.
      const gathered = invitations.add(roomId, from, decoded);
      if (!gathered) {
        reject('unsolicited-room', { from, room: roomId });
        return { added: 0, missingParents: false };
      }
      if (!decoded.some(namesMe)) return { added: 0, missingParents: false };
      const trial = newRoomEntry(blankRecord(roomId), gathered);
      const s = trial.state;
      if (!s.createOp || !isOrWasMember(s, me)) {
        reject('unsolicited-room', { from, room: roomId });
        return { added: 0, missingParents: false };
      }
      invitations.forget(roomId, from);
      if (!invitesFrom.take(from, now())) {
        // Not final: the next link-up's heads make this node ask for the log again.
        reject('invitation-rate-limited', { from, room: roomId });
        return { added: 0, missingParents: false };
      }
      decoded.splice(0, decoded.length, ...gathered);
      entry = trial;
      entry.ops.clear();
      entry.record = {
        ...entry.record,
        name: s.settings.name,
        topic: s.settings.topic,
        kind: s.kind,
        createdAt: s.createdAt,
      };
      await store.putRoom(entry.record);
      book.set(roomId, entry);
    }
    const target = entry;
    return exclusive(target, async () => {
      const { admitted: fresh, refused } = admitOps(roomId, target.ops, decoded);
      for (const { op, reason } of refused)
        reject(reason, { from, room: roomId, hash: op.hash, author: op.body.author });
      // An op waiting for its parents: a sync with the sender brings them, then the op again.
      const missingParents =
        refused.some((r) => r.reason === ADMISSION_REASONS.missingParent) ||
        hasMissingParents(target);
      if (fresh.length === 0) return { added: 0, missingParents };
      const receivedAt = Date.now();
      await store.addControlOps(
        fresh.map((op) => ({
          hash: op.hash,
          roomId,
          author: op.body.author,
          lamport: op.body.lamport,
          bytes: op.bytes,
          receivedAt,
        })),
      );
      for (const op of fresh) target.ops.set(op.hash, op);
      const before = refold(target);
      await afterLogChanged(target, before);
      return { added: fresh.length, missingParents };
    });
  }

  /** Ops of unknown rooms, gathered until they show an invitation (invitation-buffer.ts). */
  const invitations = createInvitationBuffer();
  /**
   * Invitations are taken without asking, so one peer may put this node into at most
   * INVITES_BURST rooms at once, then INVITES_PER_HOUR an hour: a hostile device on the LAN
   * cannot fill the room list, the store and the sync work with rooms nobody wanted.
   */
  const invitesFrom = createRateLimiter({
    burst: INVITES_BURST,
    perSecond: INVITES_PER_HOUR / 3600,
    maxSources: INVITERS_TRACKED,
  });

  /** An op that may make this node a member of a room, or show it departed. */
  const namesMe = (op: DecodedOp): boolean => {
    const a = op.body.action;
    if (a.type === 'add') return a.member.deviceId === me;
    if (a.type === 'remove') return a.member === me;
    return a.type === 'leave' && op.body.author === me;
  };

  const hasMissingParents = (entry: RoomEntry): boolean =>
    [...entry.ops.values()].some((op) => op.body.prev.some((p) => !entry.ops.has(p)));

  /** Verifies, decrypts and stores envelopes of one room; returns the new messages. */
  async function ingestEnvelopes(
    roomId: string,
    envelopes: readonly Uint8Array[],
    from: string,
  ): Promise<IngestedEnvelopes> {
    const entry = book.get(roomId);
    if (!entry) {
      reject('unknown-room', { from, room: roomId });
      // Perhaps the invitation is still on its way: asking the peer for the log settles it.
      return { added: 0, gap: true, tooFar: 0 };
    }
    const now = Date.now();
    // Signatures of a large batch (a catch-up, a burst of pushes) are checked on worker
    // threads. Opening starts at once; storing waits for the room's earlier batches, so a
    // caller may start the next batch while this one is stored and the order of commits
    // (and so seq contiguity) is still the order of the calls.
    const opened = openEnvelopes(
      envelopes,
      {
        state: entry.state,
        keys: (epochId) => entry.keys.get(epochId),
        now,
        checkSender: checkMessageSender,
      },
      verifier,
    );
    // Handled when its turn to be stored comes; until then a failure must not count as unhandled.
    opened.catch(() => undefined);
    return inCommitOrder(entry, async () => storeOpened(entry, await opened, now, from));
  }

  /** The tail of each room's chain of batches being stored (ingestEnvelopes). */
  const commitTails = new WeakMap<RoomEntry, Promise<unknown>>();

  function inCommitOrder<T>(entry: RoomEntry, work: () => Promise<T>): Promise<T> {
    const run = (commitTails.get(entry) ?? Promise.resolve()).then(work);
    commitTails.set(
      entry,
      run.catch(() => undefined),
    );
    return run;
  }

  /** Stores the messages of one opened batch, then tells: the second half of ingestEnvelopes. */
  async function storeOpened(
    entry: RoomEntry,
    results: readonly OpenResult[],
    now: number,
    from: string,
  ): Promise<IngestedEnvelopes> {
    const roomId = entry.roomId;
    const authentic: OpenedMessage[] = [];
    let waitingForOps = false;
    for (const opened of results) {
      if (!opened.ok) {
        reject(opened.reason, { from, room: roomId });
        // The op that makes it valid (a new epoch, the sender's add) may not be here yet; a
        // sync asks for ops first, then for the messages again.
        if (WAITING_FOR_OPS.has(opened.reason)) waitingForOps = true;
        continue;
      }
      authentic.push(opened.message);
    }
    // Judged against the clock here and now: the batches before this one are stored (commit order).
    const tooFar = tooFarAhead(authentic, entry.clock, lamportWindow);
    const records: MessageRecord[] = [];
    const epochOf = new Map<string, string>();
    for (const m of authentic) {
      if (tooFar.has(m)) {
        const { sender, seq, lamport } = m;
        reject('lamport-too-far', { from, room: roomId, sender, seq, lamport, clock: entry.clock });
      } else if (epochOf.has(m.id)) {
        reject('duplicate', { from, room: roomId, sender: m.sender, seq: m.seq });
      } else {
        records.push(toMessageRecord(m, now));
        epochOf.set(m.id, m.epochId);
      }
    }
    const waiting = waitingForOps || tooFar.size > 0;
    if (records.length === 0) return { added: 0, gap: waiting, tooFar: tooFar.size };
    const newIds = new Set(await store.addMessages(records, { sync: 'later' }));
    if (newIds.size > 0) diskSync.written();
    const stored = records.filter((m) => newIds.has(m.id));
    if (stored.length < records.length) await countNotStored(records, newIds, from);
    let gap = false;
    const current = currentEpoch(entry.state)?.id;
    const senders = new Set<string>();
    for (const m of stored) {
      if (m.sender !== me) senders.add(m.sender);
      entry.clock = Math.max(entry.clock, m.lamport);
      const have = entry.contiguous.get(m.sender) ?? 0;
      if (m.seq === have + 1) entry.contiguous.set(m.sender, m.seq);
      else if (m.seq > have + 1) gap = true;
      if (epochOf.get(m.id) === current) entry.epochMessages++;
      options.emit('message.received', messageInfo(m, view));
    }
    if (stored.length > 0) {
      unreadCounts.added(roomId, stored);
      // Contiguity after a gap is filled is cheapest to read back from the store.
      if (gap || stored.length < records.length) await refreshContiguous(entry);
      announceSoon(entry);
      scheduleAutoRotation(entry);
      // Stored, so it can be told: the senders learn their messages were delivered here.
      network?.confirmHeld(entry, senders);
    }
    return { added: newIds.size, gap: gap || waiting, tooFar: tooFar.size };
  }

  /** Senders seen signing two messages with one seq: warned of once each, then only counted. */
  const equivocators = new Set<string>();

  /**
   * Counts why the store did not keep some of a batch's messages: held already (a replay, or an
   * honest copy from a relay or a sync), or their (room, sender, seq) is another message's. Read
   * back only when some were not kept, never when all were new: the usual case.
   */
  async function countNotStored(
    records: readonly MessageRecord[],
    newIds: ReadonlySet<string>,
    from: string,
  ): Promise<void> {
    const notKept = new Map<string, MessageRecord[]>();
    for (const m of records) {
      if (newIds.has(m.id)) continue;
      const ofSender = notKept.get(m.sender);
      if (ofSender) ofSender.push(m);
      else notKept.set(m.sender, [m]);
    }
    let duplicates = 0;
    for (const [sender, messages] of notKept) {
      const held = await heldIds(messages[0]!.roomId, sender, messages);
      for (const m of messages) {
        if (held.has(m.id)) {
          // Counted one by one, logged once a batch: honest copies come by the hundred.
          rejects.count('duplicate');
          duplicates++;
          continue;
        }
        const fields = { from, room: m.roomId, sender, seq: m.seq };
        reject('seq-taken', fields);
        const who = `${m.roomId}\n${sender}`;
        if (!equivocators.has(who)) {
          equivocators.add(who);
          // Only a member's key signs these: a member, or their device, equivocated.
          log.warn('rooms.seq_taken', fields);
        }
      }
    }
    if (duplicates > 0)
      log.debug('rooms.rejected', {
        reason: 'duplicate',
        from,
        room: records[0]!.roomId,
        n: duplicates,
      });
  }

  /**
   * Which of one sender's `messages` are stored: one range of their seqs when they lie close
   * together (a batch of copies from a sync), else one read per message.
   */
  async function heldIds(
    roomId: string,
    sender: string,
    messages: readonly MessageRecord[],
  ): Promise<Set<string>> {
    const seqs = messages.map((m) => m.seq);
    const low = Math.min(...seqs);
    const span = Math.max(...seqs) - low + 1;
    if (span <= 2 * messages.length) {
      const range = await store.listMessagesOf(roomId, sender, low - 1, span);
      return new Set(range.map((m) => m.id));
    }
    const held = new Set<string>();
    for (const m of messages) if ((await store.getMessage(m.id)) !== undefined) held.add(m.id);
    return held;
  }

  async function refreshContiguous(entry: RoomEntry): Promise<void> {
    const vv = await store.versionVector(entry.roomId);
    entry.contiguous = new Map(Object.entries(vv));
  }

  /* ---- the API ---- */

  async function createRoom(
    args: CommandArgs<'rooms.create'>,
    kind: 'room' | 'dm' = 'room',
  ): Promise<RoomEntry> {
    const room = newRoomId(identity.publicKeySpki);
    const roomId = room.roomId;
    const settings: RoomSettings = {
      name: args.name.trim(),
      topic: (args.topic ?? '').trim(),
      visibility: kind === 'dm' ? 'private' : (args.visibility ?? 'private'),
      password: args.password ? hashPassword(args.password) : null,
      capacity: kind === 'dm' ? 2 : (args.capacity ?? 100),
      historyShared: args.historyShared ?? true,
    };
    const made = createAction(room, kind, settings, options.name(), {
      deviceId: me,
      publicKey: identity.publicKey,
    });
    const op = buildOp(undefined, roomId, identity, made.action);
    const record: RoomRecord = {
      ...blankRecord(roomId),
      name: settings.name,
      topic: settings.topic,
      kind,
      createdAt: op.body.ts,
      lastReadAt: Date.now(),
    };
    await store.putRoom(record);
    await store.addControlOps([
      { hash: op.hash, roomId, author: me, lamport: 1, bytes: op.bytes, receivedAt: Date.now() },
    ]);
    const entry = newRoomEntry(record, [op]);
    book.set(roomId, entry);
    await unlockKeys(entry);
    await announce(entry);
    return entry;
  }

  async function addMember(
    entry: RoomEntry,
    deviceId: string,
    via: 'invite' | 'join',
    name?: string,
    der?: Uint8Array,
  ) {
    const pk = der ? { der } : await publicKeyFor(deviceId);
    const memberName = name ?? options.peerName(deviceId) ?? deviceId.slice(0, 7);
    return authorLocked(
      entry,
      addAction(entry.state, { deviceId, publicKeyDer: pk.der, name: memberName }, entry.keys, via),
      [deviceId],
    );
  }

  /** The highest seq held from a sender in a room, gaps or not; 0 when none (a departure's cut-off). */
  const topSeq = async (roomId: string, sender: string): Promise<number> =>
    (await store.lastMessageOf(roomId, sender))?.seq ?? 0;

  async function send(roomId: string, text: string): Promise<MessageInfo> {
    const entry = memberEntry(roomId);
    return exclusive(entry, async () => {
      if (autoRotationDue(entry))
        await authorLocked(entry, rotateAction(entry.state, 'auto', ecdhThreads));
      const epoch = currentEpoch(entry.state);
      if (!epoch) throw new ParleyError('NO_ROOM_KEY');
      const key = entry.keys.get(epoch.id);
      if (!key || !epoch.holders.has(me)) throw new ParleyError('NO_ROOM_KEY');
      // The store is the outbox: this node's last message is there, and the next one chains to it.
      const last = await store.lastMessageOf(roomId, me);
      const seq = (last?.seq ?? 0) + 1;
      const lamport = Math.max(entry.clock, await store.maxLamport(roomId)) + 1;
      // Receivers refuse messages far ahead of their clock, so no member can get the clock here;
      // a store written before they did may hold such a message, though.
      if (lamport > MAX_LAMPORT) throw new ParleyError('ROOM_CLOCK_EXHAUSTED');
      const sealed = sealMessage({
        roomId,
        epochId: epoch.id,
        epochKey: key,
        sender: identity,
        seq,
        prev: last?.id,
        lamport,
        ts: Date.now(),
        body: { text },
      });
      const record: MessageRecord = {
        id: sealed.id,
        roomId,
        sender: me,
        seq,
        lamport,
        ts: sealed.header.ts,
        envelope: sealed.bytes,
        text,
        receivedAt: Date.now(),
      };
      await store.addMessages([record]);
      entry.clock = lamport;
      entry.contiguous.set(me, seq);
      entry.epochMessages++;
      scheduleAutoRotation(entry);
      // Pushed first: the members' copies should not wait for this node's own listeners.
      network?.broadcastEnvelope(entry, sealed.bytes);
      const info = messageInfo(record, view);
      options.emit('message.received', info);
      return info;
    });
  }

  /* ---- automatic rotation (RotationPolicy) ---- */

  /** Whether the current epoch has reached a limit of the policy and this node may rotate. */
  function autoRotationDue(entry: RoomEntry): boolean {
    const epoch = currentEpoch(entry.state);
    if (!epoch || !isAdmin(entry.state)) return false;
    return (
      (rotation.maxMessages > 0 && entry.epochMessages >= rotation.maxMessages) ||
      (rotation.maxAgeMs > 0 && now() - epoch.at >= rotation.maxAgeMs)
    );
  }

  /** Rooms with an automatic rotation waiting on its timer. */
  const autoRotating = new Set<string>();

  /**
   * Rotates soon when the room is due (a message was stored, the hourly check, the start). A
   * failure is logged; the next message or check tries again.
   */
  function scheduleAutoRotation(entry: RoomEntry): void {
    const due = (): RotationReason | undefined => (autoRotationDue(entry) ? 'auto' : undefined);
    if (autoRotating.has(entry.roomId) || !due()) return;
    const pause = AUTO_ROTATION_PAUSE_MS.min + Math.random() * AUTO_ROTATION_PAUSE_MS.spread;
    rotateAfter(entry, autoRotating, pause, due).catch((err: unknown) =>
      log.warn('rooms.auto_rotation_failed', { room: entry.roomId, err: String(err) }),
    );
  }

  /**
   * The messages of the current epoch, counted from the store at start: those received since
   * the epoch began. The store keeps no epoch per message, so older ones that arrived later (a
   * catch-up) count too, which can only bring a rotation forward.
   */
  async function countEpochMessages(entry: RoomEntry): Promise<number> {
    const epoch = currentEpoch(entry.state);
    return epoch ? store.countMessagesSince(entry.roomId, epoch.at, '') : 0;
  }

  /**
   * Uses `policy` from now on. Every room is judged by it at once: a limit lowered below what a
   * room's current key has reached renews that key now (after the usual pause); one raised
   * lets a pending automatic rotation lapse, as its reason is asked again under the room lock.
   */
  function setRotation(policy: RotationPolicy): void {
    rotation = { ...policy };
    for (const entry of book.values()) scheduleAutoRotation(entry);
  }

  async function openDm(deviceId: string): Promise<RoomDetails> {
    if (deviceId === me)
      throw new ParleyError('BAD_REQUEST', 'A direct message needs another person.');
    // Only a DM both are still in: one either side left is dead, and a new one is opened. Two
    // that both opened at once each hold both rooms; the lower room ID is the one both use.
    const shared = [...book.values()]
      .filter(
        (e) => e.state.kind === 'dm' && e.state.members.has(me) && e.state.members.has(deviceId),
      )
      .sort((a, b) => (a.roomId < b.roomId ? -1 : 1));
    if (shared[0]) return detailsOf(shared[0]);
    const pk = await publicKeyFor(deviceId);
    const entry = await createRoom({ name: 'Direct message' }, 'dm');
    await exclusive(entry, () => addMember(entry, deviceId, 'invite', undefined, pk.der));
    return detailsOf(entry);
  }

  async function start(net: RoomNetwork): Promise<void> {
    network = net;
    for (const record of await store.listRooms()) {
      const ops: DecodedOp[] = [];
      for (const stored of await store.listControlOps(record.id)) {
        const r = decodeSignedOp(stored.bytes);
        if (r.ok) ops.push(r.op);
        else log.error('rooms.stored_op_unreadable', { room: record.id, hash: stored.hash });
      }
      const entry = newRoomEntry(record, ops);
      for (const k of await store.listRoomKeys(record.id)) entry.keys.set(k.epochId, k.key);
      await unlockKeys(entry);
      await refreshContiguous(entry);
      entry.clock = Math.max(entry.clock, await store.maxLamport(record.id));
      entry.epochMessages = await countEpochMessages(entry);
      book.set(record.id, entry);
      await deliveries.load(record.id);
    }
    // A rekey the last run left undone (closed or crashed first, or it failed).
    for (const entry of book.values()) scheduleRekey(entry);
    const checkAges = (): void => {
      for (const entry of book.values()) scheduleAutoRotation(entry);
    };
    checkAges();
    ageCheck = setInterval(checkAges, options.rotationCheckMs ?? ROTATION_CHECK_MS);
    ageCheck.unref();
  }

  async function close(): Promise<void> {
    closed = true;
    clearInterval(ageCheck);
    for (const t of timers) clearTimeout(t);
    timers.clear();
    await Promise.all([...book.values()].map((e) => e.tail.catch(() => undefined)));
    await diskSync.close().catch((error: unknown) => log.warn('disk_sync_failed', { error }));
    await deliveries.close();
    if (!options.verifier) await verifier.close();
    if (!options.ecdh) await ecdhThreads.close();
    network = undefined;
  }

  return {
    start,
    close,
    book,
    rejects,
    ingestOps,
    /** What this node gathered of an unknown room's log from `peer` (invitation-buffer.ts). */
    gatheredOps: (roomId: string, peer: string): string[] => invitations.hashes(roomId, peer),
    ingestEnvelopes,
    /** Makes the messages received so far durable: before saying they are held (disk-sync.ts). */
    flushReceived: (): Promise<void> => diskSync.flush(),
    /** A peer is known to hold this node's messages 1..heldUpTo of a room (delivery.ts). */
    learnDelivery: deliveries.learn,
    rekeyIfNeeded,
    /** The automatic rotation policy in use. */
    rotation: (): RotationPolicy => ({ ...rotation }),
    setRotation,
    addMember,
    renameSelf,
    summaryOf,
    detailsOf,
    view,
    list: async (): Promise<RoomSummary[]> =>
      Promise.all([...book.values()].map((e) => summaryOf(e))),
    get: (roomId: string) => detailsOf(entryOf(roomId)),
    create: async (args: CommandArgs<'rooms.create'>) => detailsOf(await createRoom(args)),
    update: (args: CommandArgs<'rooms.update'>) =>
      author(args.roomId, () => {
        const { roomId: _roomId, password, ...rest } = args;
        const settings: Partial<RoomSettings> = { ...rest };
        if (password !== undefined)
          settings.password = password === null ? null : hashPassword(password);
        return updateAction(settings);
      }).then(async (d) => {
        await announce(entryOf(args.roomId));
        return d;
      }),
    invite: (roomId: string, deviceId: string) => {
      const entry = memberEntry(roomId);
      return exclusive(entry, async () => {
        await addMember(entry, deviceId, 'invite');
        return detailsOf(entry);
      });
    },
    // The cut-off is the highest seq held, so nothing the member sent before is revoked here.
    kick: (roomId: string, deviceId: string) =>
      author(
        roomId,
        async (e) =>
          removeAction(e.state, deviceId, false, await topSeq(roomId, deviceId), ecdhThreads),
        [deviceId],
      ),
    ban: (roomId: string, deviceId: string) =>
      author(
        roomId,
        async (e) =>
          removeAction(e.state, deviceId, true, await topSeq(roomId, deviceId), ecdhThreads),
        [deviceId],
      ),
    unban: (roomId: string, deviceId: string) => author(roomId, () => unbanAction(deviceId)),
    setRole: (roomId: string, deviceId: string, role: 'owner' | 'admin' | 'member') =>
      author(roomId, () => setRoleAction(deviceId, role)),
    rotate: (roomId: string) => author(roomId, (e) => rotateAction(e.state, 'manual', ecdhThreads)),
    leave: async (roomId: string): Promise<Record<string, never>> => {
      const entry = memberEntry(roomId);
      await exclusive(entry, async () => {
        await authorLocked(entry, leaveAction(await topSeq(roomId, me)));
      });
      return {};
    },
    markRead: async (roomId: string): Promise<RoomSummary> => {
      const entry = entryOf(roomId);
      entry.record = { ...entry.record, lastReadAt: Date.now() };
      await store.putRoom(entry.record);
      const s = await summaryOf(entry);
      options.emit('room.updated', s);
      return s;
    },
    setMuted: async (roomId: string, muted: boolean): Promise<RoomSummary> => {
      const entry = entryOf(roomId);
      entry.record = { ...entry.record, muted };
      await store.putRoom(entry.record);
      const s = await summaryOf(entry);
      options.emit('room.updated', s);
      return s;
    },
    openDm,
    send,
    history: async (args: CommandArgs<'messages.history'>): Promise<MessageInfo[]> => {
      entryOf(args.roomId);
      const page = await store.listMessages(args.roomId, {
        limit: args.limit ?? 100,
        ...(args.before ? { before: args.before } : {}),
      });
      return page.map((m) => messageInfo(m, view));
    },
    search: async (args: CommandArgs<'messages.search'>): Promise<MessageInfo[]> => {
      const found = await store.searchMessages(args.query, {
        limit: args.limit ?? 50,
        ...(args.roomId ? { roomId: args.roomId } : {}),
      });
      return found.map((m) => messageInfo(m, view));
    },
  };
}

export type RoomService = ReturnType<typeof createRoomService>;

function blankRecord(roomId: string): RoomRecord {
  return {
    id: roomId,
    name: '',
    topic: '',
    kind: 'room',
    createdAt: 0,
    muted: false,
    lastReadAt: 0,
  };
}
