/**
 * Test helper: one RoomService on its own (a fresh identity and SQLite store in a temporary
 * folder, no network), for tests that drive the service directly instead of whole nodes.
 */
import { join } from 'node:path';
import { loadOrCreateIdentity, type Identity } from '../../identity/identity';
import { plainKeyProtector } from '../../identity/key-protector';
import { silentLogger } from '../../log/logger';
import { createSqliteStore } from '../../store/sqlite/sqlite-store';
import type { Store } from '../../store/store';
import type { TempDirs } from '../../testing/temp-dir';
import { createRoomService, type RoomNetwork, type RoomServiceOptions } from '../room-service';

/** A network that goes nowhere: such tests hand envelopes and ops to the service themselves. */
export const offlineNetwork: RoomNetwork = {
  broadcastOps: () => undefined,
  broadcastEnvelope: () => undefined,
  membersAdded: () => undefined,
  confirmHeld: () => undefined,
  requestSync: () => undefined,
  isLinked: () => false,
  fetchPublicKey: () => Promise.resolve(undefined),
};

export interface LoneRoomService {
  rooms: ReturnType<typeof createRoomService>;
  store: Store;
  identity: Identity;
  /** Its folder (identity and database): start another service on it to see a restart. */
  dir: string;
  /** Closes the service, then its store. */
  close(): Promise<void>;
}

/**
 * Started on `offlineNetwork`; `options` fill in or override the rest (emit, peers, verifier...).
 * `dir`: the folder of an earlier one (closed), to start it again; default a new folder.
 */
export async function startLoneRoomService(
  dirs: TempDirs,
  options: Partial<Omit<RoomServiceOptions, 'identity' | 'store'>> = {},
  dir: string = dirs.make('parley-room-service-'),
): Promise<LoneRoomService> {
  const identity = await loadOrCreateIdentity(dir, plainKeyProtector);
  const store = createSqliteStore({ path: join(dir, 'parley.db') });
  await store.open();
  const rooms = createRoomService({
    logger: silentLogger,
    name: () => 'Ann',
    peerName: () => undefined,
    peerPublicKey: () => Promise.resolve(undefined),
    emit: () => undefined,
    ...options,
    identity,
    store,
  });
  await rooms.start(offlineNetwork);
  return {
    rooms,
    store,
    identity,
    dir,
    close: async () => {
      await rooms.close();
      await store.close();
    },
  };
}

/** The services a test starts: closeAll() (in afterEach) closes those still open. */
export function loneRoomServices(dirs: TempDirs) {
  const open: LoneRoomService[] = [];
  return {
    async start(
      options: Partial<Omit<RoomServiceOptions, 'identity' | 'store'>> = {},
      dir?: string,
    ): Promise<LoneRoomService> {
      const service = await startLoneRoomService(dirs, options, dir);
      open.push(service);
      return service;
    },
    /** Closes one before the end of the test (to start it again, say). */
    async close(service: LoneRoomService): Promise<void> {
      open.splice(open.indexOf(service), 1);
      await service.close();
    },
    async closeAll(): Promise<void> {
      for (const service of open.splice(0)) await service.close();
    },
  };
}

/** `peerPublicKey` for a service that knows these devices' keys (and no others). */
export const publicKeysOf =
  (...devices: { deviceId: string; publicKeySpki: Uint8Array }[]) =>
  (deviceId: string): Promise<Uint8Array | undefined> =>
    Promise.resolve(devices.find((d) => d.deviceId === deviceId)?.publicKeySpki);
