import { describe, expect, it } from 'vitest';
import { randomId } from '../crypto';
import { silentLogger } from '../log/logger';
import type { Identity } from '../identity/identity';
import type { Link, LinkManager } from '../net';
import type { Store } from '../store/store';
import { ROOM_LINK_MESSAGES as MSG, SYNC_BATCH_MAX } from '../../../shared/room-wire';
import type { RoomService } from './room-service';
import { createRoomSync } from './room-sync';

/**
 * The push path of RoomSync with stand-ins for the link manager and the room service: what
 * reaches RoomService.ingestEnvelopes when a burst of pushes arrives while a batch is stored.
 */
function pushRig() {
  const roomId = randomId();
  const pusher = 'PUSHER';
  const pushHandlers = new Map<string, (body: unknown, link: Link) => unknown>();
  const link = { peer: { deviceId: pusher }, closed: false } as unknown as Link;
  const links = {
    on: () => () => undefined,
    onPush: (type: string, handler: (body: unknown, link: Link) => unknown) => {
      pushHandlers.set(type, handler);
      return () => pushHandlers.delete(type);
    },
    handle: () => () => undefined,
    links: () => [],
    link: () => undefined,
  } as unknown as LinkManager;
  const ingested: number[] = [];
  let release: () => void = () => undefined;
  const rooms = {
    book: new Map([[roomId, { roomId, state: { members: new Set([pusher, 'ME']) } }]]),
    async ingestEnvelopes(_room: string, envelopes: readonly Uint8Array[]) {
      ingested.push(envelopes.length);
      // The first batch is held until the test releases it: the burst arrives meanwhile.
      if (ingested.length === 1) await new Promise<void>((r) => (release = r));
      return { added: envelopes.length, gap: false };
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
  return { sync, push, ingested, release: () => release() };
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

/** After everything queued for this turn of the event loop, timers and I/O included. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
