import { describe, expect, it } from 'vitest';
import { randomId } from '../crypto';
import { silentLogger } from '../log/logger';
import type { Identity } from '../identity/identity';
import type { Link, LinkManager } from '../net';
import type { Store } from '../store/store';
import { ROOM_LINK_MESSAGES as MSG, SYNC_BATCH_MAX } from '../../../shared/room-wire';
import type { RoomService } from './room-service';
import type { RoomEntry } from './room-book';
import { createRoomSync } from './room-sync';

/**
 * The push path of RoomSync with stand-ins for the link manager and the room service: what
 * reaches RoomService.ingestEnvelopes when a burst of pushes arrives while a batch is stored.
 */
function pushRig() {
  const roomId = randomId();
  const pusher = 'PUSHER';
  const pushHandlers = new Map<string, (body: unknown, link: Link) => unknown>();
  const pushed: Array<[string, unknown]> = [];
  const link = {
    peer: { deviceId: pusher },
    closed: false,
    push: (type: string, body: unknown) => {
      pushed.push([type, body]);
      return Promise.resolve();
    },
  } as unknown as Link;
  const links = {
    on: () => () => undefined,
    onPush: (type: string, handler: (body: unknown, link: Link) => unknown) => {
      pushHandlers.set(type, handler);
      return () => pushHandlers.delete(type);
    },
    handle: () => () => undefined,
    links: () => [],
    link: (deviceId: string) => (deviceId === pusher ? link : undefined),
  } as unknown as LinkManager;
  const ingested: number[] = [];
  const learnt: Array<[string, string, number]> = [];
  let flushFails = false;
  let release: () => void = () => undefined;
  const rooms = {
    book: new Map([
      [
        roomId,
        {
          roomId,
          state: { members: new Set([pusher, 'ME']) },
          contiguous: new Map<string, number>(),
        },
      ],
    ]),
    learnDelivery(room: string, peer: string, held: number) {
      learnt.push([room, peer, held]);
    },
    /** Receipts must wait for it: what they tell must survive a power cut (disk-sync.ts). */
    async flushReceived() {
      pushed.push(['(disk synced)', undefined]);
      if (flushFails) throw new Error('disk full');
    },
    async ingestEnvelopes(_room: string, envelopes: readonly Uint8Array[]) {
      ingested.push(envelopes.length);
      // The first batch is held until the test releases it: the burst arrives meanwhile.
      if (ingested.length === 1) await new Promise<void>((r) => (release = r));
      return { added: envelopes.length, gap: false, tooFar: 0 };
    },
  } as unknown as RoomService;
  const sync = createRoomSync({
    identity: { deviceId: 'ME' } as Identity,
    store: {} as Store,
    links,
    rooms,
    logger: silentLogger,
    name: () => 'me',
    emitProgress: () => undefined,
  });
  sync.start();
  const push = (n: number): unknown =>
    pushHandlers.get(MSG.messagesPush)!(
      { room: roomId, envelopes: Array.from({ length: n }, () => new Uint8Array(8)) },
      link,
    );
  const held = (body: unknown): unknown => pushHandlers.get('rooms.held')!(body, link);
  const entry = rooms.book.get(roomId)!;
  return {
    sync,
    push,
    held,
    learnt,
    pushed,
    entry,
    roomId,
    pusher,
    ingested,
    release: () => release(),
    failFlushes: () => (flushFails = true),
  };
}

describe('room sync, pushed messages', () => {
  it('stores every envelope of a burst longer than several batches, in batches', async () => {
    const rig = pushRig();
    try {
      const first = rig.push(1);
      await nextTurn();
      expect(rig.ingested).toEqual([1]);
      // Three full pushes arrive while the first message is being stored.
      for (let i = 0; i < 3; i++) await rig.push(SYNC_BATCH_MAX);
      rig.release();
      await first;
      expect(rig.ingested).toEqual([1, SYNC_BATCH_MAX, SYNC_BATCH_MAX, SYNC_BATCH_MAX]);
    } finally {
      await rig.sync.close();
    }
  });

  it('takes the pushes that arrive in one turn of the event loop as one batch', async () => {
    const rig = pushRig();
    try {
      const first = rig.push(1);
      for (let i = 0; i < 4; i++) void rig.push(1);
      await nextTurn();
      rig.release();
      await first;
      expect(rig.ingested).toEqual([5]);
    } finally {
      await rig.sync.close();
    }
  });
});

describe('room sync, delivery receipts to a sender (rooms.held)', () => {
  it('gathers the receipts of several stored batches into one push of what is held then', async () => {
    const rig = pushRig();
    try {
      for (const seq of [5, 6, 9]) {
        rig.entry.contiguous.set(rig.pusher, seq);
        rig.sync.network.confirmHeld(rig.entry as unknown as RoomEntry, new Set([rig.pusher]));
      }
      expect(rig.pushed).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 120));
      expect(rig.pushed).toEqual([
        ['(disk synced)', undefined],
        ['rooms.held', { room: rig.roomId, held: 9 }],
      ]);
    } finally {
      await rig.sync.close();
    }
  });

  it('tells nothing when the received messages could not be made durable', async () => {
    const rig = pushRig();
    try {
      rig.failFlushes();
      rig.entry.contiguous.set(rig.pusher, 4);
      rig.sync.network.confirmHeld(rig.entry as unknown as RoomEntry, new Set([rig.pusher]));
      await new Promise((resolve) => setTimeout(resolve, 120));
      expect(rig.pushed).toEqual([['(disk synced)', undefined]]);
    } finally {
      await rig.sync.close();
    }
  });

  it('sends nothing once closed', async () => {
    const rig = pushRig();
    rig.entry.contiguous.set(rig.pusher, 3);
    rig.sync.network.confirmHeld(rig.entry as unknown as RoomEntry, new Set([rig.pusher]));
    await rig.sync.close();
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(rig.pushed).toEqual([]);
  });
});

describe('room sync, delivery receipts from a peer (rooms.held)', () => {
  it('takes a well-formed receipt, about the device the link proved', async () => {
    const rig = pushRig();
    try {
      rig.held({ room: rig.roomId, held: 7 });
      expect(rig.learnt).toEqual([[rig.roomId, rig.pusher, 7]]);
    } finally {
      await rig.sync.close();
    }
  });

  it.each([
    ['no body', undefined],
    ['not a map', [1, 2]],
    ['a room that is not an ID', { room: 'x', held: 1 }],
    ['a negative count', { room: 'ROOM', held: -1 }],
    ['a fractional count', { room: 'ROOM', held: 1.5 }],
    ['a count as text', { room: 'ROOM', held: '9' }],
    ['an extra field', { room: 'ROOM', held: 1, peer: 'SOMEONE-ELSE' }],
  ])('refuses %s, learning nothing (the link layer logs and drops it)', async (_what, body) => {
    const rig = pushRig();
    try {
      const withRoom =
        body && typeof body === 'object' && 'room' in body && body.room === 'ROOM'
          ? { ...body, room: rig.roomId }
          : body;
      expect(() => rig.held(withRoom)).toThrow();
      expect(rig.learnt).toEqual([]);
    } finally {
      await rig.sync.close();
    }
  });
});

/** After everything queued for this turn of the event loop, timers and I/O included. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
