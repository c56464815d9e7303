// An invited node that missed the pushes of a long log (a refused invitation, a link that went
// down) gets it by sync: it names what it gathered of the room it does not know yet and asks
// again while that grows, until the batch that names it arrives (room-sync.ts, syncRoom).
import { afterEach, expect, it } from 'vitest';
import { SYNC_BATCH_MAX } from '../../../shared/room-wire';
import { silentLogger } from '../log/logger';
import type { Link, LinkManager } from '../net';
import { tempDirs } from '../testing/temp-dir';
import { waitFor } from '../testing/wait';
import { createRoomSync } from './room-sync';
import { startLoneRoomService, type LoneRoomService } from './testing/lone-room-service';

const dirs = tempDirs();
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  dirs.cleanup();
});

type Handler = (body: unknown, link: Link) => unknown;

interface Rig {
  deviceId: string;
  connect(to: Rig): void;
  start(): void;
  /** A request from the other side, as if over the link from `from`. */
  answer(type: string, body: unknown, from: string): Promise<unknown>;
  /** A push from the other side. */
  pushed(type: string, body: unknown): Promise<unknown>;
}

/** A RoomSync for `service` whose only link goes to `peer`'s rig (set with `connect`). */
function rig(service: LoneRoomService): Rig {
  const pushes = new Map<string, Handler>();
  const requests = new Map<string, Handler>();
  let other: Rig | undefined;
  const me = service.identity.deviceId;
  /** This rig's link to the other side: what it asks is answered by the other's handlers. */
  const link = (): Link =>
    ({
      peer: { deviceId: other!.deviceId },
      closed: false,
      push: () => Promise.resolve(),
      pushEncoded: () => Promise.resolve(),
      request: async (type: string, body: unknown) => other!.answer(type, body, me),
    }) as unknown as Link;
  const links = {
    on: () => () => undefined,
    onPush: (type: string, handler: Handler) => (pushes.set(type, handler), () => undefined),
    handle: (type: string, handler: Handler) => (requests.set(type, handler), () => undefined),
    links: () => (other ? [link()] : []),
    link: (id: string) => (other && id === other.deviceId ? link() : undefined),
  } as unknown as LinkManager;
  const sync = createRoomSync({
    identity: service.identity,
    store: service.store,
    links,
    rooms: service.rooms,
    logger: silentLogger,
    name: () => 'Test',
    emitProgress: () => undefined,
  });
  closers.push(() => sync.close());
  return {
    deviceId: me,
    connect(to) {
      other = to;
    },
    start: () => sync.start(),
    answer: async (type, body, from) =>
      requests.get(type)!(body, { peer: { deviceId: from }, closed: false } as unknown as Link),
    pushed: async (type, body) => pushes.get(type)!(body, link()),
  };
}

it('takes an invitation to a room longer than one batch by sync, after the pushes were missed', async () => {
  const invitee = await startLoneRoomService(dirs);
  closers.push(() => invitee.close());
  const inviter = await startLoneRoomService(dirs, {
    peerPublicKey: (id) =>
      Promise.resolve(
        id === invitee.identity.deviceId ? invitee.identity.publicKeySpki : undefined,
      ),
  });
  closers.push(() => inviter.close());
  const room = await inviter.rooms.create({ name: 'Long story' });
  for (let i = 0; i < SYNC_BATCH_MAX + 100; i++)
    await inviter.rooms.update({ roomId: room.id, topic: `chapter ${i}` });
  // No link yet: the invitation's pushes reach nobody.
  await inviter.rooms.invite(room.id, invitee.identity.deviceId);

  const a = rig(inviter);
  const b = rig(invitee);
  a.connect(b);
  b.connect(a);
  a.start();
  b.start();
  // What a link-up brings: the inviter's heads for a room the invitee is in.
  const heads = inviter.rooms.book.get(room.id)!.state.heads;
  await b.pushed('rooms.heads', { room: room.id, heads });
  await waitFor(() => invitee.rooms.book.has(room.id), 'the invitee takes the room');
  const joined = invitee.rooms.book.get(room.id)!;
  expect(joined.state.members.has(invitee.identity.deviceId)).toBe(true);
  expect(joined.ops.size).toBe(inviter.rooms.book.get(room.id)!.ops.size);
});
