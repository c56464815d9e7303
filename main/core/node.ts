/**
 * createNode: the whole Parley engine behind one object, used by the Electron shell, the
 * headless daemon, the CLI, the tests and the benchmarks.
 *
 * start() runs the crypto self-tests, prepares and locks the data folder, loads (or creates)
 * the identity, and opens the store (SQLite in the data folder, or a MongoDB database), in
 * that order; if any step fails, what was acquired is released again and start() rejects with
 * a coded ParleyError. start() and close() are idempotent, and close() releases everything
 * start() took (files, lock, database or server connection).
 */
import { join } from 'node:path';
import { ParleyError } from '../../shared/errors';
import { PARLEY_VERSION } from '../../shared/version';
import type { IdentityInfo, NodeStatus } from '../../shared/api';
import { ApiRouter } from './api/router';
import { startLocalApi, type LocalApiServer } from './api/local-api-server';
import { createDiscovery, createMulticastBeacon, type Discovery } from './discovery';
import { createLinkManager, type LinkManager } from './net';
import { createPeerService, type PeerService } from './peers/peer-service';
import { createRoomService, type RoomService, type RotationPolicy } from './rooms/room-service';
import { createRoomSync, type RoomSync } from './rooms/room-sync';
import { randomId } from './crypto/random';
import { runCryptoSelfTests } from './crypto/self-test';
import { ensureDataDir, lockDataDir, type DataDirLock } from './fs/data-dir';
import { loadOrCreateIdentity, type Identity } from './identity/identity';
import { plainKeyProtector, type KeyProtector } from './identity/key-protector';
import { defaultDisplayName, readProfile, writeProfile } from './identity/profile';
import { createLogger, type Logger } from './log/logger';
import { createSqliteStore } from './store/sqlite/sqlite-store';
// Cheap to import: the store loads the MongoDB driver itself, on open (store/mongodb/driver.ts).
import { createMongoStore } from './store/mongodb/mongodb-store';
import {
  createNodeSettings,
  discoveryChannel,
  readStoredSettings,
  rotationPolicy,
  type DiscoveryChannel,
  type NodeSettings,
} from './settings/node-settings';
import type { Store } from './store/store';

export const DATABASE_FILE = 'parley.db';

export interface NodeConfig {
  /**
   * Folder for the identity, the profile, the lock, api.json and (with SQLite) the database.
   * Created if missing.
   */
  dataDir: string;
  /** Where rooms, messages, keys and peers are kept. Default: SQLite in the data folder. */
  store?: StoreConfig;
  /** Display name to use; saved to the profile. Default: the saved one, else the host name. */
  name?: string;
  /** How the identity key is wrapped at rest. Default: not wrapped (a 0600 file). */
  keyProtector?: KeyProtector;
  /** Default: a logger writing to standard error. */
  logger?: Logger;
  /** Path to a better_sqlite3.node built for the running ABI (Electron needs its own). */
  sqliteNativeBinding?: string;
  /**
   * The local REST API on 127.0.0.1 (for the CLI, scripts and cURL). Default: on, any free
   * port (written to `<dataDir>/api.json`). `false` turns it off.
   */
  localApi?: { port?: number } | false;
  /**
   * The peer server (mutual TLS). Default: every address, any free port. The CLI and the
   * desktop app use DEFAULT_PEER_PORT so that a firewall rule can name it.
   */
  peer?: {
    host?: string;
    port?: number;
    /** When `port` is taken (another Parley on this computer), listen on any free port. */
    fallbackToAnyPort?: boolean;
  };
  /**
   * LAN discovery over UDP multicast. Off unless given: the interfaces must be named, so that
   * nothing (a test above all) multicasts on a real network by accident. The CLI and the
   * desktop app pass every non-internal interface by default.
   */
  discovery?: DiscoveryConfig | false;
  /**
   * When the node renews a room's key on its own (where it is an owner or admin). A limit given
   * here is kept in the node's settings for later starts; one not given is the kept one, else
   * DEFAULT_ROTATION's (1,000 messages or 7 days). 0 turns a limit off. settings.update changes
   * both while the node runs (and keeps them likewise).
   */
  rotation?: Partial<RotationPolicy>;
  /** For tests only: the rooms' Lamport window (RoomServiceOptions.lamportWindow). */
  lamportWindow?: number;
}

export type StoreConfig = { kind: 'sqlite' } | MongoStoreConfig;

export interface MongoStoreConfig {
  kind: 'mongodb';
  /** A connection string, e.g. "mongodb://user:password@host:27017/?replicaSet=rs0". */
  uri: string;
  /** Default: this node's own, defaultMongoDatabase(deviceId). */
  database?: string;
  /** How long start() may take to reach the server before it fails (calls later are not bound by it). Default 5000 ms. */
  startupTimeoutMs?: number;
}

/**
 * The MongoDB database a node uses when none is named: "parley_" and the first two groups of
 * its device ID in lower case (65 bits of it), e.g. parley_mfzwi3d_bonsgyc. Each node needs
 * its own (the store holds one node's view), and this keeps nodes that share a server apart
 * without anyone choosing names; it stays the same as long as the identity does.
 */
export function defaultMongoDatabase(deviceId: string): string {
  return `parley_${deviceId.slice(0, 15).replace('-', '_').toLowerCase()}`;
}

export interface DiscoveryConfig {
  /** IPv4 addresses of the interfaces to announce on and listen on. */
  interfaces: string[];
  /** Link-local IPv6 interfaces (scope names). Default: none. */
  ipv6Interfaces?: string[];
  /** Default: the stored setting (settings.update), else 239.255.77.77. */
  group?: string;
  /** Default: the stored setting (settings.update), else 47777. */
  port?: number;
  /** Default 5000 ms. */
  announceIntervalMs?: number;
}

/** The peer server's port when none is given to the CLI or the desktop app (TCP). */
export const DEFAULT_PEER_PORT = 47778;

export type NodeState = 'new' | 'starting' | 'running' | 'closing' | 'closed';

export interface ParleyNode {
  /** The API every client uses; commands answer NOT_RUNNING until start() has resolved. */
  readonly api: ApiRouter;
  readonly state: NodeState;
  /** The identity; throws NOT_RUNNING before start(). */
  readonly identity: Identity;
  /** The absolute data folder. */
  readonly dataDir: string;
  /** The peer server's TCP port; 0 when the node is not running. */
  readonly peerPort: number;
  /** The discovery group and port in use; undefined when discovery is off or not running. */
  readonly discoveryChannel: DiscoveryChannel | undefined;
  /** Where the local REST API listens; undefined when it is off or the node is not running. */
  readonly localApi: { port: number; token: string } | undefined;
  start(): Promise<void>;
  close(): Promise<void>;
}

interface Running {
  identity: Identity;
  store: Store;
  lock: DataDirLock;
  localApi: LocalApiServer | undefined;
  links: LinkManager;
  discovery: Discovery | undefined;
  peers: PeerService;
  rooms: RoomService;
  roomSync: RoomSync;
  settings: NodeSettings;
  channel: DiscoveryChannel;
  name: string;
  startedAt: number;
}

export function createNode(config: NodeConfig): ParleyNode {
  const log = config.logger ?? createLogger();
  const protector = config.keyProtector ?? plainKeyProtector;
  let dataDir = config.dataDir;
  let state: NodeState = 'new';
  let running: Running | undefined;
  let starting: Promise<void> | undefined;
  let closing: Promise<void> | undefined;

  const need = (): Running => {
    if (!running || state !== 'running') throw new ParleyError('NOT_RUNNING');
    return running;
  };

  const identityInfo = (r: Running): IdentityInfo => ({
    deviceId: r.identity.deviceId,
    shortId: r.identity.shortId,
    fingerprint: r.identity.fingerprint,
    name: r.name,
  });

  const api = new ApiRouter(
    {
      'identity.get': () => identityInfo(need()),
      'identity.setName': async ({ name }) => {
        const r = need();
        r.name = writeProfile(dataDir, { name }).name;
        r.discovery?.announce();
        // The rooms show the name their logs hold: a rename op in each that shows another.
        await r.rooms.renameSelf(r.name);
        const info = identityInfo(r);
        api.emit('identity.updated', info);
        return info;
      },
      'peers.list': () => need().peers.list(),
      'peers.add': ({ address }) => need().peers.addManual(address),
      'peers.remove': async ({ address }) => {
        await need().peers.removeManual(address);
        return {};
      },
      'peers.manual': () => need().peers.manual(),
      'peers.setVerified': ({ deviceId, verified }) => need().peers.setVerified(deviceId, verified),
      'security.alerts': () => need().peers.alerts(),
      'security.dismiss': async ({ id }) => {
        await need().peers.dismissAlert(id);
        return {};
      },
      'rooms.list': () => need().rooms.list(),
      'rooms.get': ({ roomId }) => need().rooms.get(roomId),
      'rooms.create': (args) => need().rooms.create(args),
      'rooms.update': (args) => need().rooms.update(args),
      'rooms.invite': ({ roomId, deviceId }) => need().rooms.invite(roomId, deviceId),
      'rooms.kick': ({ roomId, deviceId }) => need().rooms.kick(roomId, deviceId),
      'rooms.ban': ({ roomId, deviceId }) => need().rooms.ban(roomId, deviceId),
      'rooms.unban': ({ roomId, deviceId }) => need().rooms.unban(roomId, deviceId),
      'rooms.setRole': ({ roomId, deviceId, role }) => need().rooms.setRole(roomId, deviceId, role),
      'rooms.rotate': ({ roomId }) => need().rooms.rotate(roomId),
      'rooms.leave': ({ roomId }) => need().rooms.leave(roomId),
      'rooms.markRead': ({ roomId }) => need().rooms.markRead(roomId),
      'rooms.setMuted': ({ roomId, muted }) => need().rooms.setMuted(roomId, muted),
      'rooms.public': () => need().roomSync.publicRooms(),
      'rooms.join': ({ roomId, password }) => need().roomSync.join(roomId, password),
      'dm.open': ({ deviceId }) => need().rooms.openDm(deviceId),
      'messages.send': ({ roomId, text }) => need().rooms.send(roomId, text),
      'messages.history': (args) => need().rooms.history(args),
      'messages.search': (args) => need().rooms.search(args),
      'settings.get': () => need().settings.get(),
      'settings.update': (args) => need().settings.update(args),
      'node.status': (): NodeStatus => {
        const r = need();
        return {
          version: PARLEY_VERSION,
          startedAt: r.startedAt,
          dataDir,
          storage: r.store.kind,
          keyProtection: protector.kind,
          peerPort: r.links.port,
          discovery: r.discovery !== undefined,
        };
      },
    },
    log.child('api'),
  );

  /** The peer server on the configured port, or on any port when it is taken and that is allowed. */
  async function startLinks(
    identity: Identity,
    instanceId: string,
    name: () => string,
  ): Promise<LinkManager> {
    const host = config.peer?.host ?? '0.0.0.0';
    const port = config.peer?.port ?? 0;
    const make = (p: number): LinkManager =>
      createLinkManager({ identity, instanceId, name, host, port: p, logger: log });
    const links = make(port);
    try {
      await links.start();
      return links;
    } catch (err) {
      await links.close();
      const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE' && port !== 0;
      if (inUse && config.peer?.fallbackToAnyPort) {
        log.warn('peer_port_taken', { port });
        const fallback = make(0);
        await fallback.start();
        return fallback;
      }
      throw new ParleyError(
        'INTERNAL',
        inUse
          ? `The peer port ${port} is already in use (another Parley node on this computer?). Choose another with --port, or --port 0 for any free port.`
          : `The peer server could not start on ${host}:${port}: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }

  function createStore(identity: Identity, folder: string): Store {
    const choice = config.store ?? { kind: 'sqlite' };
    if (choice.kind === 'mongodb') {
      return createMongoStore({
        uri: choice.uri,
        dbName: choice.database ?? defaultMongoDatabase(identity.deviceId),
        logger: log,
        ...(choice.startupTimeoutMs !== undefined
          ? { startupTimeoutMS: choice.startupTimeoutMs }
          : {}),
      });
    }
    return createSqliteStore({
      path: join(folder, DATABASE_FILE),
      logger: log,
      ...(config.sqliteNativeBinding ? { nativeBinding: config.sqliteNativeBinding } : {}),
    });
  }

  async function doStart(): Promise<void> {
    state = 'starting';
    const acquired: Array<() => Promise<void> | void> = [];
    try {
      runCryptoSelfTests();
      dataDir = ensureDataDir(config.dataDir);
      const lock = lockDataDir(dataDir);
      acquired.push(() => lock.release());
      const identity = await loadOrCreateIdentity(dataDir, protector);
      const name =
        config.name !== undefined
          ? writeProfile(dataDir, { name: config.name }).name
          : (readProfile(dataDir)?.name ??
            writeProfile(dataDir, { name: defaultDisplayName() }).name);
      const store = createStore(identity, dataDir);
      acquired.push(() => store.close());
      await store.open();
      const instanceId = randomId();
      const currentName = (): string => running?.name ?? name;
      const links = await startLinks(identity, instanceId, currentName);
      acquired.push(() => links.close());
      const discoveryConfig = config.discovery;
      // Flags and config win; otherwise what settings.update stored for this start.
      const channel = discoveryChannel(
        discoveryConfig ? discoveryConfig : {},
        await readStoredSettings(store, log.child('settings')),
      );
      const discovery = discoveryConfig
        ? createDiscovery({
            identity,
            instanceId,
            name: currentName,
            tcpPort: () => links.port,
            beacon: () =>
              createMulticastBeacon({
                interfaces: discoveryConfig.interfaces,
                logger: log.child('discovery'),
                ...(discoveryConfig.ipv6Interfaces
                  ? { ipv6Interfaces: discoveryConfig.ipv6Interfaces }
                  : {}),
                group: channel.group,
                port: channel.port,
              }),
            ...(discoveryConfig.announceIntervalMs
              ? { announceIntervalMs: discoveryConfig.announceIntervalMs }
              : {}),
            logger: log.child('discovery'),
          })
        : undefined;
      if (discovery) acquired.push(() => discovery.close());
      const peers = createPeerService({
        identity,
        store,
        links,
        discovery,
        logger: log.child('peers'),
        emitPeer: (event, info) => api.emit(event, info),
        emitAlert: (alert) => api.emit('security.alert', alert),
      });
      acquired.push(() => peers.close());
      await peers.start();
      const rooms = createRoomService({
        identity,
        store,
        logger: log.child('rooms'),
        name: currentName,
        peerName: (id) => peers.list().find((p) => p.deviceId === id)?.name,
        peerPublicKey: async (id) => peers.publicKeyOf(id) ?? (await store.getPeer(id))?.publicKey,
        emit: (event, payload) => api.emit(event, payload),
        rotation: await rotationPolicy(store, config.rotation ?? {}, log.child('settings')),
        ...(config.lamportWindow ? { lamportWindow: config.lamportWindow } : {}),
      });
      const roomSync = createRoomSync({
        identity,
        store,
        links,
        rooms,
        logger: log.child('rooms'),
        name: currentName,
        emitProgress: (p) => api.emit('sync.progress', p),
      });
      acquired.push(() => rooms.close());
      acquired.push(() => roomSync.close());
      const settings = createNodeSettings({
        store,
        logger: log.child('settings'),
        inUse: channel,
        rotation: { current: () => rooms.rotation(), apply: (p) => rooms.setRotation(p) },
        emit: (value) => api.emit('settings.updated', value),
      });
      await rooms.start(roomSync.network);
      // A name given at this start (or a rename an earlier run could not write in some room)
      // reaches the rooms as identity.setName's does: a rename op where a room shows another.
      await rooms.renameSelf(name);
      roomSync.start();
      await discovery?.start();
      const localApi =
        config.localApi === false
          ? undefined
          : await startLocalApi({
              router: api,
              dataDir,
              logger: log.child('api'),
              ...(config.localApi?.port !== undefined ? { port: config.localApi.port } : {}),
            });
      if (localApi) acquired.push(() => localApi.close());
      running = {
        identity,
        store,
        lock,
        localApi,
        links,
        discovery,
        peers,
        rooms,
        roomSync,
        settings,
        channel,
        name,
        startedAt: Date.now(),
      };
      state = 'running';
      log.info('node.started', { deviceId: identity.deviceId, dataDir, storage: store.kind });
    } catch (err) {
      for (const undo of acquired.reverse()) await undo();
      state = 'closed';
      throw err instanceof ParleyError
        ? err
        : new ParleyError('INTERNAL', `Parley could not start: ${(err as Error).message}`, {
            cause: err,
          });
    }
  }

  async function doClose(): Promise<void> {
    if (starting) await starting.catch(() => {});
    if (!running) {
      state = 'closed';
      return;
    }
    state = 'closing';
    const r = running;
    running = undefined;
    try {
      await r.localApi?.close();
      await r.discovery?.close();
      await r.roomSync.close();
      await r.rooms.close();
      await r.peers.close();
      await r.links.close();
      await r.store.close();
    } finally {
      r.lock.release();
      state = 'closed';
      log.info('node.closed', { deviceId: r.identity.deviceId });
    }
  }

  return {
    api,
    get state() {
      return state;
    },
    get identity() {
      return need().identity;
    },
    get dataDir() {
      return dataDir;
    },
    get peerPort() {
      return running?.links.port ?? 0;
    },
    get discoveryChannel() {
      return running?.discovery ? running.channel : undefined;
    },
    get localApi() {
      const server = running?.localApi;
      return server ? { port: server.port, token: server.token } : undefined;
    },
    start() {
      if (closing) return Promise.reject(new ParleyError('NOT_RUNNING', 'This node was closed.'));
      starting ??= doStart();
      return starting;
    },
    close() {
      closing ??= doClose();
      return closing;
    },
  };
}
