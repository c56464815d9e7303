/**
 * A RoomSync over stand-in links, for tests of the sync protocol without sockets: each rig's
 * one link goes to another rig (`connect`), whose handlers answer its requests as if they came
 * over a link from this rig's device.
 */
import type { Link, LinkManager } from '../../net';
import { silentLogger } from '../../log/logger';
import { createRoomSync } from '../room-sync';
import type { LoneRoomService } from './lone-room-service';

type Handler = (body: unknown, link: Link) => unknown;

export interface Rig {
  deviceId: string;
  connect(to: Rig): void;
  start(): void;
  /** A request from the other side, as if over the link from `from`. */
  answer(type: string, body: unknown, from: string): Promise<unknown>;
  /** A push from the other side, or as if over a link from device `from`. */
  pushed(type: string, body: unknown, from?: string): Promise<unknown>;
  /** Every request this rig's RoomSync has made so far: to whom, and its type. */
  requested: Array<{ to: string; type: string }>;
}

/** A RoomSync for `service`; `closers` gets its close. */
export function roomSyncRig(service: LoneRoomService, closers: Array<() => Promise<void>>): Rig {
  const pushes = new Map<string, Handler>();
  const requests = new Map<string, Handler>();
  let other: Rig | undefined;
  const me = service.identity.deviceId;
  const requested: Rig['requested'] = [];
  /** This rig's link to the other side: what it asks is answered by the other's handlers. */
  const link = (): Link =>
    ({
      peer: { deviceId: other!.deviceId },
      closed: false,
      push: () => Promise.resolve(),
      pushEncoded: () => Promise.resolve(),
      request: async (type: string, body: unknown) => {
        requested.push({ to: other!.deviceId, type });
        return other!.answer(type, body, me);
      },
    }) as unknown as Link;
  /** A link from a device this rig is not connected to: it takes pushes; a request fails. */
  const linkFrom = (deviceId: string): Link =>
    ({
      peer: { deviceId },
      closed: false,
      push: () => Promise.resolve(),
      pushEncoded: () => Promise.resolve(),
      request: (type: string) => {
        requested.push({ to: deviceId, type });
        return Promise.reject(new Error('not linked in this test'));
      },
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
    answer: async (type, body, from) => requests.get(type)!(body, linkFrom(from)),
    pushed: async (type, body, from) =>
      pushes.get(type)!(body, from === undefined ? link() : linkFrom(from)),
    requested,
  };
}
