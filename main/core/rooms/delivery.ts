/**
 * Delivery knowledge: for each room and peer, the highest seq n such that the peer is known to
 * hold this node's own messages 1..n (PROTOCOL.md §10.1). It is learnt from a peer's receipt
 * (`rooms.held`, sent after it stored our messages) and from the version vector a peer sends
 * when it asks to sync. The API shows it per own message as "delivered to d of n".
 *
 * What must stay true:
 * - A record only goes up. A claim above the highest seq this node has sent is ignored: it
 *   cannot be true, and believing it would show "Delivered" for messages not yet written.
 * - Only the room's current members count, in `delivered` and in `of`; a removed member stops
 *   counting (its record is kept: re-added, it still holds what it held).
 * - Knowledge is used at once and written to the store in batches, with the event: one
 *   transaction per burst. A crash can lose the last burst, which only under-counts until the
 *   next sync tells again; it never over-counts.
 */
import type { EventPayload } from '../../../shared/api';
import type { Logger } from '../log/logger';
import type { DeliveryRecord, Store } from '../store/store';

/** How long learnt deliveries wait to be stored and announced together, in ms. */
export const DELIVERY_DEBOUNCE_MS = 100;
/**
 * The most messages one `message.delivery` event reports per room: the newest ones, which are
 * the ones on screen. Older messages show the right state when they are loaded again.
 */
export const DELIVERY_UPDATES_MAX = 500;

export interface DeliveryState {
  delivered: number;
  of: number;
}

export interface DeliveryTrackerOptions {
  store: Store;
  /** This node's device ID. */
  me: string;
  logger: Logger;
  /** The room's current members by device ID (this node among them); undefined: not known. */
  members(roomId: string): ReadonlyMap<string, unknown> | undefined;
  /** The highest seq of this node's own messages in the room (they have no gaps). */
  sentUpTo(roomId: string): number;
  emit(payload: EventPayload<'message.delivery'>): void;
  /** Default DELIVERY_DEBOUNCE_MS. */
  debounceMs?: number;
}

/** What changed in one room since the last flush. */
interface Pending {
  /** Own messages with a seq above this may show a new state. */
  fromSeq: number;
  /** Records to write. */
  raised: Map<string, number>;
}

export function createDeliveryTracker(options: DeliveryTrackerOptions) {
  const { store, me } = options;
  const log = options.logger;
  const held = new Map<string, Map<string, number>>();
  const pending = new Map<string, Pending>();
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> = Promise.resolve();
  let closed = false;

  const heldIn = (roomId: string): Map<string, number> => {
    let room = held.get(roomId);
    if (!room) held.set(roomId, (room = new Map()));
    return room;
  };

  /** Reads a room's records from the store (at start). */
  async function load(roomId: string): Promise<void> {
    const room = heldIn(roomId);
    for (const r of await store.listDeliveries(roomId))
      room.set(r.peer, Math.max(r.heldUpTo, room.get(r.peer) ?? 0));
  }

  function deliveryOf(roomId: string, seq: number): DeliveryState {
    const members = options.members(roomId);
    if (!members) return { delivered: 0, of: 0 };
    const room = held.get(roomId);
    let of = 0;
    let delivered = 0;
    for (const id of members.keys()) {
      if (id === me) continue;
      of++;
      if ((room?.get(id) ?? 0) >= seq) delivered++;
    }
    return { delivered, of };
  }

  function changed(roomId: string, fromSeq: number): Pending {
    const p = pending.get(roomId) ?? { fromSeq, raised: new Map<string, number>() };
    p.fromSeq = Math.min(p.fromSeq, fromSeq);
    pending.set(roomId, p);
    if (!timer && !closed) {
      timer = setTimeout(() => {
        timer = undefined;
        void flush();
      }, options.debounceMs ?? DELIVERY_DEBOUNCE_MS);
    }
    return p;
  }

  /** A peer is known to hold our messages 1..heldUpTo of the room. */
  function learn(roomId: string, peer: string, heldUpTo: number): void {
    if (closed || peer === me || !options.members(roomId)?.has(peer)) return;
    if (!Number.isSafeInteger(heldUpTo) || heldUpTo <= 0) return;
    const sent = options.sentUpTo(roomId);
    if (heldUpTo > sent) {
      log.debug('rooms.delivery_claim_ignored', { room: roomId, peer, claimed: heldUpTo, sent });
      return;
    }
    const room = heldIn(roomId);
    const before = room.get(peer) ?? 0;
    if (heldUpTo <= before) return;
    room.set(peer, heldUpTo);
    changed(roomId, before).raised.set(peer, heldUpTo);
  }

  /** The room's members changed: `of` (and who counts) may differ for recent messages. */
  function membersChanged(roomId: string): void {
    if (closed) return;
    const sent = options.sentUpTo(roomId);
    if (sent > 0) changed(roomId, Math.max(0, sent - DELIVERY_UPDATES_MAX));
  }

  async function flushRoom(roomId: string, p: Pending): Promise<void> {
    const records: DeliveryRecord[] = [...p.raised].map(([peer, heldUpTo]) => ({
      roomId,
      peer,
      heldUpTo,
    }));
    await store.raiseDeliveries(records);
    const top = options.sentUpTo(roomId);
    const fromSeq = Math.max(p.fromSeq, top - DELIVERY_UPDATES_MAX);
    if (top <= fromSeq) return;
    const mine = await store.listMessagesOf(roomId, me, fromSeq, top - fromSeq);
    if (mine.length === 0) return;
    options.emit({
      roomId,
      updates: mine.map((m) => ({ id: m.id, ...deliveryOf(roomId, m.seq) })),
    });
  }

  /** Stores what was learnt and announces it; resolves when done. */
  function flush(): Promise<void> {
    const batch = [...pending];
    pending.clear();
    flushing = flushing.then(async () => {
      for (const [roomId, p] of batch) {
        try {
          await flushRoom(roomId, p);
        } catch (err) {
          log.warn('rooms.delivery_flush_failed', { room: roomId, err: String(err) });
        }
      }
    });
    return flushing;
  }

  /** Writes what is pending; safe to call twice. The store must still be open. */
  async function close(): Promise<void> {
    closed = true;
    if (timer) clearTimeout(timer);
    timer = undefined;
    await flush();
  }

  return { load, deliveryOf, learn, membersChanged, flush, close };
}

export type DeliveryTracker = ReturnType<typeof createDeliveryTracker>;
