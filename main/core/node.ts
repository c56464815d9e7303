/**
 * createNode: the whole Parley engine behind one object, used by the Electron shell, the
 * headless daemon, the CLI, the tests and the benchmarks.
 *
 * start() runs the crypto self-tests, prepares and locks the data folder, loads (or creates)
 * the identity, and opens the store, in that order; if any step fails, what was acquired is
 * released again and start() rejects with a coded ParleyError. start() and close() are
 * idempotent, and close() releases everything start() took (files, lock, database).
 */
import { join } from 'node:path';
import { ParleyError } from '../../shared/errors';
import { PARLEY_VERSION } from '../../shared/version';
import type { IdentityInfo, NodeStatus } from '../../shared/api';
import { ApiRouter } from './api/router';
import { startLocalApi, type LocalApiServer } from './api/local-api-server';
import { runCryptoSelfTests } from './crypto/self-test';
import { ensureDataDir, lockDataDir, type DataDirLock } from './fs/data-dir';
import { loadOrCreateIdentity, type Identity } from './identity/identity';
import { plainKeyProtector, type KeyProtector } from './identity/key-protector';
import { defaultDisplayName, readProfile, writeProfile } from './identity/profile';
import { createLogger, type Logger } from './log/logger';
import { createSqliteStore } from './store/sqlite/sqlite-store';
import type { Store } from './store/store';

export const DATABASE_FILE = 'parley.db';

export interface NodeConfig {
  /** Folder for the identity, the profile, the database and the lock. Created if missing. */
  dataDir: string;
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
}

export type NodeState = 'new' | 'starting' | 'running' | 'closing' | 'closed';

export interface ParleyNode {
  /** The API every client uses; commands answer NOT_RUNNING until start() has resolved. */
  readonly api: ApiRouter;
  readonly state: NodeState;
  /** The identity; throws NOT_RUNNING before start(). */
  readonly identity: Identity;
  /** The absolute data folder. */
  readonly dataDir: string;
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
      'identity.setName': ({ name }) => {
        const r = need();
        r.name = writeProfile(dataDir, { name }).name;
        const info = identityInfo(r);
        api.emit('identity.updated', info);
        return info;
      },
      'node.status': (): NodeStatus => {
        const r = need();
        return {
          version: PARLEY_VERSION,
          startedAt: r.startedAt,
          dataDir,
          storage: r.store.kind,
          keyProtection: protector.kind,
        };
      },
    },
    log.child('api'),
  );

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
      const store = createSqliteStore({
        path: join(dataDir, DATABASE_FILE),
        logger: log,
        ...(config.sqliteNativeBinding ? { nativeBinding: config.sqliteNativeBinding } : {}),
      });
      acquired.push(() => store.close());
      await store.open();
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
      running = { identity, store, lock, localApi, name, startedAt: Date.now() };
      state = 'running';
      log.info('node.started', { deviceId: identity.deviceId, dataDir });
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
