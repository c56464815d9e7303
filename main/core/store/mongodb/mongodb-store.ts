/**
 * A Store in a MongoDB database, through the official driver: for a node that keeps its history
 * on a server it already runs. It passes the same contract suite as the SQLite store
 * (mongodb-store.int.test.ts, when a server is given).
 *
 * What must stay true:
 * - Nothing acknowledged is lost: every write uses { w: 'majority', journal: true }, so it
 *   resolves only once a majority of the replica set has it in its journal.
 * - A batch is one transaction when the server has transactions (a replica set or a sharded
 *   cluster). A standalone server has none: there a batch is an unordered insertMany whose
 *   duplicate-key errors (code 11000) are the records already stored, and a batch that fails
 *   for another reason may be half written (retrying it is safe; store.ts says so).
 * - Uniqueness is the server's: unique indexes on messages.id, messages (roomId, sender, seq),
 *   control_ops.hash and room_keys (roomId, epochId), so two writers cannot both store one.
 * - Every error that leaves this module is a ParleyError; the connection string (which may hold
 *   a password) is never put into one, nor logged.
 *
 * - The driver is loaded by open(), not when this module is (driver.ts says why).
 * - open() gives up within its start-up bound when no server answers, having closed its
 *   client; calls after it wait for a server as long as the driver does (30 s by default), so
 *   a replica set's election delays writes instead of failing them.
 *
 * Needs MongoDB 5.0 or later ($setWindowFields in versionVector).
 */
import type {
  ClientSession,
  Collection,
  Db,
  Filter,
  IndexDescription,
  MongoClient,
  MongoClientOptions,
  OptionalUnlessRequiredId,
  TransactionOptions,
} from 'mongodb';
import { ParleyError } from '../../../../shared/errors';
import { silentLogger } from '../../log/logger';
import type { Logger } from '../../log/logger';
import { conflictingKeyError, sameBytes, toLimit } from '../backend-rules';
import type {
  ControlOpRecord,
  DeliveryRecord,
  MessagePage,
  MessageRecord,
  PeerRecord,
  RoomKeyRecord,
  RoomRecord,
  SearchOptions,
  Store,
} from '../store';
import {
  BadDocumentError,
  bytesOf,
  controlOpFromDoc,
  controlOpToDoc,
  deliveryFromDoc,
  messageFromDoc,
  messageToDoc,
  peerFromDoc,
  peerToDoc,
  roomFromDoc,
  roomKeyFromDoc,
  roomKeyToDoc,
  roomToDoc,
} from './documents';
import type {
  ControlOpDoc,
  DeliveryDoc,
  MessageDoc,
  PeerDoc,
  RoomDoc,
  RoomKeyDoc,
  SettingDoc,
} from './documents';
import { hostsOf, withoutSecrets } from './connection-string';
import { loadMongoDriver, mongoDriver } from './driver';
import type { MongoDriverModule } from './driver';
import {
  messagesBefore,
  messagesLacking,
  messagesSince,
  messagesTaking,
  versionVectorPipeline,
} from './queries';
import { toTextSearch } from './text-query';

/**
 * How long open() may take to reach a server (connect, authenticate, ping), in ms. Short, so
 * that a node pointed at a wrong or stopped server says so within seconds of starting. It
 * bounds start-up only: calls afterwards wait for a server as long as the driver does (see
 * CLIENT_OPTIONS), which outlasts a replica set's election (up to about 12 s with default
 * settings, by MongoDB's documentation).
 */
export const DEFAULT_STARTUP_TIMEOUT_MS = 5_000;
/** The default database name. */
export const DEFAULT_DB_NAME = 'parley';
/** MongoDB's error code for a write that a unique index refused. */
const DUPLICATE_KEY = 11000;

/** Acknowledged once a majority of the replica set has written the change to its journal. */
const DURABLE = { w: 'majority', journal: true } as const;

/**
 * What the client is made with. No serverSelectionTimeoutMS: every call waits for a server as
 * long as the driver does by default (30 s) or as the connection string says, so that writes
 * ride out an election. The short start-up bound is open()'s own timer (reachWithin), not the
 * client's: given to the client, it would fail every call made during an election.
 */
export const CLIENT_OPTIONS: MongoClientOptions = { writeConcern: DURABLE };

/** The options of every transaction; made once the driver is loaded (WriteConcern is its class). */
function transactionOptions(): TransactionOptions {
  return {
    readConcern: { level: 'snapshot' },
    writeConcern: new (mongoDriver().WriteConcern)(DURABLE.w, undefined, DURABLE.journal),
  };
}

export interface MongoStoreOptions {
  /** A MongoDB connection string, e.g. "mongodb://host:27017/?replicaSet=rs0". */
  uri: string;
  /** The database to use; it and its collections are created when missing. Default: parley. */
  dbName?: string;
  /** Where open and failure events go. Default: silentLogger. */
  logger?: Logger;
  /**
   * How long open() may take to reach a server before it fails, in ms; calls after it are not
   * bound by it. Default: DEFAULT_STARTUP_TIMEOUT_MS (5 s).
   */
  startupTimeoutMS?: number;
}

/** The collections by name, each with its indexes (created when the store opens). */
const INDEXES: Record<string, IndexDescription[]> = {
  settings: [{ key: { key: 1 }, name: 'key', unique: true }],
  peers: [
    { key: { deviceId: 1 }, name: 'deviceId', unique: true },
    { key: { name: 1, deviceId: 1 }, name: 'by_name' },
  ],
  rooms: [
    { key: { id: 1 }, name: 'id', unique: true },
    { key: { createdAt: 1, id: 1 }, name: 'by_age' },
  ],
  control_ops: [
    { key: { hash: 1 }, name: 'hash', unique: true },
    { key: { roomId: 1, lamport: 1, hash: 1 }, name: 'by_room_order' },
  ],
  room_keys: [{ key: { roomId: 1, epochId: 1 }, name: 'room_epoch', unique: true }],
  messages: [
    { key: { id: 1 }, name: 'id', unique: true },
    // Also serves versionVector, listMessagesAfter and lastMessageOf.
    { key: { roomId: 1, sender: 1, seq: 1 }, name: 'room_sender_seq', unique: true },
    { key: { roomId: 1, lamport: 1, id: 1 }, name: 'by_room_order' },
    { key: { roomId: 1, receivedAt: 1, sender: 1 }, name: 'by_room_received' },
    // 'none': no stemming and no stop words, so "and" is a word like any other (as in SQLite).
    { key: { text: 'text' }, name: 'text', default_language: 'none' },
  ],
  // The unique index is what keeps a delivery record from going down (raiseDeliveries).
  deliveries: [{ key: { roomId: 1, peer: 1 }, name: 'room_peer', unique: true }],
};

interface Collections {
  settings: Collection<SettingDoc>;
  peers: Collection<PeerDoc>;
  rooms: Collection<RoomDoc>;
  controlOps: Collection<ControlOpDoc>;
  roomKeys: Collection<RoomKeyDoc>;
  messages: Collection<MessageDoc>;
  deliveries: Collection<DeliveryDoc>;
}

interface Connection {
  client: MongoClient;
  c: Collections;
  /** The server runs transactions (a replica set or mongos), so batches can be atomic. */
  transactions: boolean;
  transactionOptions: TransactionOptions;
}

/** Leaves MongoDB's _id out of what is read. */
const NO_ID = { _id: 0 } as const;

/** The items whose keys none of the earlier items had: the first of each wins. */
function firstOfEach<T>(items: T[], keysOf: (item: T) => string[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const keys = keysOf(item);
    if (keys.some((key) => seen.has(key))) return false;
    for (const key of keys) seen.add(key);
    return true;
  });
}

/** The (room, sender, seq) a message takes, as one string. */
function slotOf(m: { roomId: string; sender: string; seq: number }): string {
  return JSON.stringify([m.roomId, m.sender, m.seq]);
}

function isDuplicateKey(err: unknown): boolean {
  return err instanceof mongoDriver().MongoServerError && err.code === DUPLICATE_KEY;
}

/**
 * The positions in the batch that an unordered insertMany refused as duplicates, when that is
 * all that went wrong; undefined for any other failure (a write concern error included).
 */
function duplicatePositions(err: unknown): Set<number> | undefined {
  if (!(err instanceof mongoDriver().MongoBulkWriteError) || err.err) return undefined;
  const writeErrors = [err.writeErrors].flat();
  if (writeErrors.length === 0 || writeErrors.some((e) => e.code !== DUPLICATE_KEY)) {
    return undefined;
  }
  return new Set(writeErrors.map((e) => e.index));
}

function detail(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** open() reached no server within its start-up bound; `lastProblem`: what the driver last met. */
class StartupTimeout extends Error {
  constructor(readonly lastProblem: string | undefined) {
    super(`No server was reached within the start-up bound (${lastProblem ?? 'no reply'})`);
  }
}

/** `promise`, unless `signal` aborts first: then the signal's reason. */
function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const abort = (): void => reject(signal.reason);
    if (signal.aborted) return abort();
    signal.addEventListener('abort', abort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}

class MongoStore implements Store {
  readonly kind = 'mongodb' as const;
  private connection: Connection | undefined;
  private opening: Promise<Connection> | undefined;
  private readonly uri: string;
  private readonly dbName: string;
  private readonly logger: Logger;
  private readonly startupTimeoutMS: number;

  constructor(options: MongoStoreOptions) {
    this.uri = options.uri;
    this.dbName = options.dbName ?? DEFAULT_DB_NAME;
    this.logger = (options.logger ?? silentLogger).child('store');
    this.startupTimeoutMS = options.startupTimeoutMS ?? DEFAULT_STARTUP_TIMEOUT_MS;
  }

  async open(): Promise<void> {
    if (this.connection) return;
    this.opening ??= this.connect().finally(() => {
      this.opening = undefined;
    });
    this.connection = await this.opening;
  }

  private async connect(): Promise<Connection> {
    const driver = await this.loadDriver();
    let client: MongoClient | undefined;
    try {
      client = new driver.MongoClient(this.uri, CLIENT_OPTIONS);
    } catch (err) {
      // MongoParseError and the like: the string itself is wrong; nothing was started.
      throw this.failed(
        'store_open_failed',
        new ParleyError(
          'STORE_FAILED',
          `The MongoDB connection string is not valid (${this.withoutSecrets(detail(err))}). ` +
            `It looks like mongodb://user:password@host:27017/?replicaSet=rs0.`,
          { cause: err },
        ),
      );
    }
    try {
      await this.reachWithin(client);
      // Reached: creating indexes and the rest wait as any call does (an election included).
      const db = client.db(this.dbName);
      await Promise.all(
        Object.entries(INDEXES).map(([name, indexes]) =>
          db.collection(name).createIndexes(indexes),
        ),
      );
      const transactions = await hasTransactions(db);
      if (!transactions) {
        this.logger.warn('store_no_transactions', { db: this.dbName });
      }
      this.logger.info('store_opened', { db: this.dbName, transactions });
      return {
        client,
        c: collectionsOf(db),
        transactions,
        transactionOptions: transactionOptions(),
      };
    } catch (err) {
      await client.close().catch(() => {
        // The error that stopped the open is the one worth reporting.
      });
      throw this.failed('store_open_failed', this.openError(err, driver));
    }
  }

  /**
   * Connects and pings the database within the start-up bound, or throws StartupTimeout. The
   * bound is a timer here (an abort signal the driver honours), so the client keeps the
   * driver's longer wait for the calls that follow.
   */
  private async reachWithin(client: MongoClient): Promise<void> {
    const controller = new AbortController();
    const { signal } = controller;
    const timer = setTimeout(() => controller.abort(), this.startupTimeoutMS);
    let lastProblem: string | undefined;
    const heartbeatFailed = (event: { failure: Error }): void => {
      lastProblem = detail(event.failure);
    };
    let topologyType: string | undefined;
    const topologyChanged = (event: { newDescription: { type: string } }): void => {
      topologyType = event.newDescription.type;
    };
    client.on('serverHeartbeatFailed', heartbeatFailed);
    client.on('topologyDescriptionChanged', topologyChanged);
    const connecting = client.connect();
    try {
      await unlessAborted(connecting, signal);
      await client.db(this.dbName).command({ ping: 1 }, { signal });
    } catch (err) {
      if (!signal.aborted || err !== signal.reason) throw err;
      // A connect that still finishes (a slow SRV lookup comes before the client can be
      // closed) must not leave a client running: close it again then.
      connecting.then(
        () => client.close().catch(() => {}),
        () => {},
      );
      const unknown = topologyType === undefined || topologyType === 'Unknown';
      throw new StartupTimeout(lastProblem ?? (unknown ? undefined : `topology ${topologyType}`));
    } finally {
      clearTimeout(timer);
      client.off('serverHeartbeatFailed', heartbeatFailed);
      client.off('topologyDescriptionChanged', topologyChanged);
    }
  }

  private async loadDriver(): Promise<MongoDriverModule> {
    try {
      return await loadMongoDriver();
    } catch (err) {
      throw this.failed(
        'store_open_failed',
        new ParleyError(
          'STORE_FAILED',
          `The MongoDB driver (the npm package "mongodb") could not be loaded (${detail(err)}). ` +
            `Reinstall Parley's dependencies (npm install), or use the default SQLite store.`,
          { cause: err },
        ),
      );
    }
  }

  /** Why open failed, in words: above all, a server that did not answer in time. */
  private openError(err: unknown, driver: MongoDriverModule): ParleyError {
    const hosts = hostsOf(this.uri) || 'the connection string';
    const advice =
      'Check that the server is running and reachable from this computer, and the connection string.';
    if (err instanceof StartupTimeout) {
      const seconds = Math.round(this.startupTimeoutMS / 100) / 10;
      const why = err.lastProblem === undefined ? 'no reply' : this.withoutSecrets(err.lastProblem);
      return new ParleyError(
        'STORE_FAILED',
        `No MongoDB server at ${hosts} answered within ${seconds} s (${why}). ${advice}`,
        { cause: err },
      );
    }
    // The connection string's own serverSelectionTimeoutMS, when shorter than the bound.
    if (err instanceof driver.MongoServerSelectionError) {
      return new ParleyError(
        'STORE_FAILED',
        `No MongoDB server at ${hosts} answered (${this.withoutSecrets(detail(err))}). ${advice}`,
        { cause: err },
      );
    }
    return this.storeError(err);
  }

  private withoutSecrets(text: string): string {
    return withoutSecrets(text, this.uri);
  }

  async close(): Promise<void> {
    // An open still under way finishes first, so that its client is closed too.
    const connection = this.connection ?? (await this.opening?.catch(() => undefined));
    this.connection = undefined;
    if (!connection) return;
    try {
      await connection.client.close();
    } catch (err) {
      throw this.failed('store_close_failed', this.storeError(err));
    }
  }

  private storeError(err: unknown): ParleyError {
    if (err instanceof ParleyError) return err;
    if (err instanceof BadDocumentError) {
      return new ParleyError(
        'STORE_CORRUPT',
        `The MongoDB database ${this.dbName} holds data Parley did not write (${err.message}).`,
        { cause: err },
      );
    }
    return new ParleyError(
      'STORE_FAILED',
      `The MongoDB database ${this.dbName} could not be read or written ` +
        `(${this.withoutSecrets(detail(err))}). ` +
        `Check that the MongoDB server is running and reachable, then try again.`,
      { cause: err },
    );
  }

  private failed(event: string, err: ParleyError): ParleyError {
    const cause = err.cause ?? err;
    // A driver's message is logged without the connection string's secrets, like the error's.
    const error =
      cause instanceof Error
        ? { name: cause.name, message: this.withoutSecrets(cause.message) }
        : this.withoutSecrets(String(cause));
    this.logger.error(event, { code: err.code, db: this.dbName, error });
    return err;
  }

  /** Runs one unit of work against the open database, with errors as ParleyErrors. */
  private async use<T>(work: (c: Collections, connection: Connection) => Promise<T>): Promise<T> {
    const { connection } = this;
    if (!connection) {
      throw new ParleyError(
        'STORE_FAILED',
        `The MongoDB database ${this.dbName} is not open (Parley is starting or shutting ` +
          `down). Try again in a moment.`,
      );
    }
    try {
      return await work(connection.c, connection);
    } catch (err) {
      if (err instanceof ParleyError) throw err;
      throw this.failed('store_failed', this.storeError(err));
    }
  }

  /**
   * Runs `work` in one transaction, retried as a whole on a transient error (a write conflict
   * with another writer, a primary stepping down), so `work` must compute what it returns
   * afresh each time.
   */
  private async inTransaction<T>(
    connection: Connection,
    work: (session: ClientSession) => Promise<T>,
  ): Promise<T> {
    return connection.client.withSession((session) =>
      session.withTransaction(() => work(session), connection.transactionOptions),
    );
  }

  /** Runs `work` in a transaction when the server has them, and as it is otherwise. */
  private async atomically<T>(
    connection: Connection,
    work: (session: ClientSession | undefined) => Promise<T>,
  ): Promise<T> {
    return connection.transactions ? this.inTransaction(connection, work) : work(undefined);
  }

  /**
   * Inserts the documents that are not stored yet and returns them, in input order. `docs` hold
   * no duplicates among themselves; `taken` finds, inside the transaction, which ones are stored.
   */
  private async insertNew<D extends object>(
    connection: Connection,
    collection: Collection<D>,
    docs: OptionalUnlessRequiredId<D>[],
    taken: (session: ClientSession) => Promise<(doc: OptionalUnlessRequiredId<D>) => boolean>,
  ): Promise<OptionalUnlessRequiredId<D>[]> {
    if (connection.transactions) {
      // A refused write aborts a transaction, so what is stored is looked up first; a
      // concurrent writer of the same key makes the commit conflict and the whole is retried.
      return this.inTransaction(connection, async (session) => {
        const isTaken = await taken(session);
        const fresh = docs.filter((doc) => !isTaken(doc));
        if (fresh.length > 0) await collection.insertMany(fresh, { session });
        return fresh;
      });
    }
    try {
      await collection.insertMany(docs, { ordered: false });
      return docs;
    } catch (err) {
      const refused = duplicatePositions(err);
      if (!refused) throw err;
      return docs.filter((_, i) => !refused.has(i));
    }
  }

  async getSetting(key: string): Promise<string | undefined> {
    return this.use(async (c) => (await c.settings.findOne({ key }))?.value);
  }

  async setSetting(key: string, value: string): Promise<void> {
    await this.use((c) => c.settings.updateOne({ key }, { $set: { value } }, { upsert: true }));
  }

  async upsertPeer(peer: PeerRecord): Promise<void> {
    // Converted inside use(): the converters need the driver, which an open store has loaded.
    await this.use((c) =>
      c.peers.replaceOne({ deviceId: peer.deviceId }, peerToDoc(peer), { upsert: true }),
    );
  }

  async getPeer(deviceId: string): Promise<PeerRecord | undefined> {
    return this.use(async (c) => {
      const doc = await c.peers.findOne({ deviceId }, { projection: NO_ID });
      return doc ? peerFromDoc(doc) : undefined;
    });
  }

  async listPeers(): Promise<PeerRecord[]> {
    return this.use(async (c) =>
      (await c.peers.find({}, { projection: NO_ID, sort: { name: 1, deviceId: 1 } }).toArray()).map(
        peerFromDoc,
      ),
    );
  }

  async deletePeer(deviceId: string): Promise<void> {
    await this.use((c) => c.peers.deleteOne({ deviceId }));
  }

  async putRoom(room: RoomRecord): Promise<void> {
    const doc = roomToDoc(room);
    await this.use((c) => c.rooms.replaceOne({ id: room.id }, doc, { upsert: true }));
  }

  async getRoom(id: string): Promise<RoomRecord | undefined> {
    return this.use(async (c) => {
      const doc = await c.rooms.findOne({ id }, { projection: NO_ID });
      return doc ? roomFromDoc(doc) : undefined;
    });
  }

  async listRooms(): Promise<RoomRecord[]> {
    return this.use(async (c) =>
      (await c.rooms.find({}, { projection: NO_ID, sort: { createdAt: 1, id: 1 } }).toArray()).map(
        roomFromDoc,
      ),
    );
  }

  async deleteRoom(roomId: string): Promise<void> {
    // Without transactions, the room record goes last: a failure part way leaves the room
    // listed, so that "leave and forget" can be done again.
    await this.use((c, connection) =>
      this.atomically(connection, async (session) => {
        await c.messages.deleteMany({ roomId }, { session });
        await c.controlOps.deleteMany({ roomId }, { session });
        await c.roomKeys.deleteMany({ roomId }, { session });
        await c.deliveries.deleteMany({ roomId }, { session });
        await c.rooms.deleteOne({ id: roomId }, { session });
      }),
    );
  }

  async addControlOps(ops: ControlOpRecord[]): Promise<string[]> {
    return this.use(async (c, connection) => {
      if (ops.length === 0) return [];
      const docs = firstOfEach(ops, (op) => [op.hash]).map(controlOpToDoc);
      const added = await this.insertNew(connection, c.controlOps, docs, async (session) => {
        const hashes = docs.map((doc) => doc.hash);
        const stored = await c.controlOps
          .find({ hash: { $in: hashes } }, { session, projection: { _id: 0, hash: 1 } })
          .toArray();
        const storedHashes = new Set(stored.map((doc) => doc.hash));
        return (doc) => storedHashes.has(doc.hash);
      });
      return added.map((doc) => doc.hash);
    });
  }

  async listControlOps(roomId: string): Promise<ControlOpRecord[]> {
    return this.use(async (c) =>
      (
        await c.controlOps
          .find({ roomId }, { projection: NO_ID, sort: { lamport: 1, hash: 1 } })
          .toArray()
      ).map(controlOpFromDoc),
    );
  }

  async putRoomKey(key: RoomKeyRecord): Promise<void> {
    await this.use(async (c) => {
      try {
        await c.roomKeys.insertOne(roomKeyToDoc(key));
        return;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
      const stored = await c.roomKeys.findOne({ roomId: key.roomId, epochId: key.epochId });
      if (stored && sameBytes(bytesOf(stored.key, 'a stored room key'), key.key)) return;
      throw conflictingKeyError(key);
    });
  }

  async getRoomKey(roomId: string, epochId: string): Promise<RoomKeyRecord | undefined> {
    return this.use(async (c) => {
      const doc = await c.roomKeys.findOne({ roomId, epochId }, { projection: NO_ID });
      return doc ? roomKeyFromDoc(doc) : undefined;
    });
  }

  async listRoomKeys(roomId: string): Promise<RoomKeyRecord[]> {
    return this.use(async (c) =>
      (
        await c.roomKeys
          .find({ roomId }, { projection: NO_ID, sort: { createdAt: 1, epochId: 1 } })
          .toArray()
      ).map(roomKeyFromDoc),
    );
  }

  /** Every write waits for the journal (DURABLE), so a `sync: 'later'` option changes nothing. */
  async addMessages(messages: MessageRecord[]): Promise<string[]> {
    return this.use(async (c, connection) => {
      if (messages.length === 0) return [];
      const batch = firstOfEach(messages, (m) => [`id ${m.id}`, `slot ${slotOf(m)}`]);
      const docs = batch.map(messageToDoc);
      const added = await this.insertNew(connection, c.messages, docs, async (session) => {
        const stored = await c.messages
          .find(messagesTaking(batch), {
            session,
            projection: { _id: 0, id: 1, roomId: 1, sender: 1, seq: 1 },
          })
          .toArray();
        const storedIds = new Set(stored.map((doc) => doc.id));
        const storedSlots = new Set(stored.map(slotOf));
        return (doc) => storedIds.has(doc.id) || storedSlots.has(slotOf(doc));
      });
      return added.map((doc) => doc.id);
    });
  }

  async deleteMessages(roomId: string, ids: string[]): Promise<number> {
    return this.use(async (c, connection) => {
      if (ids.length === 0) return 0;
      const unique = [...new Set(ids)];
      const result = await this.atomically(connection, (session) =>
        c.messages.deleteMany({ roomId, id: { $in: unique } }, { session }),
      );
      return result.deletedCount;
    });
  }

  async getMessage(id: string): Promise<MessageRecord | undefined> {
    return this.use(async (c) => {
      const doc = await c.messages.findOne({ id }, { projection: NO_ID });
      return doc ? messageFromDoc(doc) : undefined;
    });
  }

  async listMessages(roomId: string, page: MessagePage): Promise<MessageRecord[]> {
    const limit = toLimit(page.limit);
    return this.use(async (c) => {
      if (limit === 0) return [];
      // Newest first so that the limit keeps the newest; reversed to oldest first.
      const docs = await c.messages
        .find(messagesBefore(roomId, page.before), {
          projection: NO_ID,
          sort: { lamport: -1, id: -1 },
          limit,
        })
        .toArray();
      return docs.reverse().map(messageFromDoc);
    });
  }

  async listMessagesAfter(
    roomId: string,
    vv: Record<string, number>,
    limit: number,
  ): Promise<MessageRecord[]> {
    const docs = await this.findLacking(roomId, vv, limit, NO_ID);
    return docs.map(messageFromDoc);
  }

  async listEnvelopesAfter(
    roomId: string,
    vv: Record<string, number>,
    limit: number,
  ): Promise<Uint8Array[]> {
    const docs = await this.findLacking(roomId, vv, limit, { _id: 0, id: 1, envelope: 1 });
    return docs.map((d) => bytesOf(d.envelope, `message ${d.id}`));
  }

  async listMessagesOf(
    roomId: string,
    sender: string,
    afterSeq: number,
    limit: number,
  ): Promise<MessageRecord[]> {
    const max = toLimit(limit);
    if (max === 0) return [];
    return this.use(async (c) => {
      const docs = await c.messages
        .find({ roomId, sender, seq: { $gt: afterSeq } }, { projection: NO_ID })
        .sort({ seq: 1 })
        .limit(max)
        .toArray();
      return docs.map(messageFromDoc);
    });
  }

  /** What a peer with `vv` lacks, by sender then seq, with the fields `projection` keeps. */
  private findLacking(
    roomId: string,
    vv: Record<string, number>,
    limit: number,
    projection: Record<string, 0 | 1>,
  ): Promise<MessageDoc[]> {
    const max = toLimit(limit);
    return this.use(async (c) =>
      max === 0
        ? []
        : c.messages
            .find(messagesLacking(roomId, vv), {
              projection,
              sort: { sender: 1, seq: 1 },
              limit: max,
            })
            .toArray(),
    );
  }

  async countMessages(roomId: string): Promise<number> {
    return this.use((c) => c.messages.countDocuments({ roomId }));
  }

  async countMessagesSince(
    roomId: string,
    afterTs: number,
    excludeSender: string,
  ): Promise<number> {
    return this.use((c) =>
      c.messages.countDocuments(messagesSince(roomId, afterTs, excludeSender)),
    );
  }

  async lastMessageOf(
    roomId: string,
    sender: string,
  ): Promise<{ seq: number; id: string } | undefined> {
    return this.use(async (c) => {
      const top = await c.messages.findOne(
        { roomId, sender },
        { projection: { _id: 0, seq: 1, id: 1 }, sort: { seq: -1 } },
      );
      return top === null ? undefined : { seq: top.seq, id: top.id };
    });
  }

  async maxLamport(roomId: string): Promise<number> {
    return this.use(async (c) => {
      const top = await c.messages.findOne(
        { roomId },
        { projection: { _id: 0, lamport: 1 }, sort: { lamport: -1 } },
      );
      return top?.lamport ?? 0;
    });
  }

  async searchMessages(query: string, options: SearchOptions): Promise<MessageRecord[]> {
    const search = toTextSearch(query);
    const limit = toLimit(options.limit);
    return this.use(async (c) => {
      if (search === undefined || limit === 0) return [];
      const filter: Filter<MessageDoc> = { $text: { $search: search } };
      if (options.roomId !== undefined) filter.roomId = options.roomId;
      // Ties in relevance go to the newer message, as in SQLite.
      const docs = await c.messages
        .find(filter, {
          projection: NO_ID,
          sort: { score: { $meta: 'textScore' }, lamport: -1, id: -1 },
          limit,
        })
        .toArray();
      return docs.map(messageFromDoc);
    });
  }

  async versionVector(roomId: string): Promise<Record<string, number>> {
    return this.use(async (c) => {
      const tops = await c.messages
        .aggregate<{ _id: string; top: number }>(versionVectorPipeline(roomId))
        .toArray();
      // fromEntries defines own properties, so even a sender named "__proto__" is just a key.
      return Object.fromEntries(tops.map((row) => [row._id, row.top]));
    });
  }

  /** Nothing to do: every write resolved once it was in a majority's journal (DURABLE). */
  async syncWrites(): Promise<void> {
    // Refused when closed, like every other call.
    await this.use(async () => undefined);
  }

  async raiseDeliveries(records: DeliveryRecord[]): Promise<DeliveryRecord[]> {
    return this.use(async (c, connection) => {
      if (records.length === 0) return [];
      // Computed afresh on each try: inTransaction may run this more than once.
      return this.atomically(connection, async (session) => {
        const raised: DeliveryRecord[] = [];
        for (const record of records) {
          if (await this.raiseDelivery(c, record, session)) raised.push(record);
        }
        return raised;
      });
    });
  }

  /**
   * Matches the record only while it is lower; when it is not, the upsert tries to insert a
   * second one, which the unique index refuses: that refusal means "not raised". In a
   * transaction a refused write would abort it, so there the record is read first instead.
   */
  private async raiseDelivery(
    c: Collections,
    record: DeliveryRecord,
    session: ClientSession | undefined,
  ): Promise<boolean> {
    const { roomId, peer, heldUpTo } = record;
    if (session) {
      const stored = await c.deliveries.findOne({ roomId, peer }, { session });
      if (stored && stored.heldUpTo >= heldUpTo) return false;
      await c.deliveries.updateOne(
        { roomId, peer },
        { $set: { heldUpTo } },
        { upsert: true, session },
      );
      return true;
    }
    try {
      const result = await c.deliveries.updateOne(
        { roomId, peer, heldUpTo: { $lt: heldUpTo } },
        { $set: { heldUpTo } },
        { upsert: true },
      );
      return result.modifiedCount + result.upsertedCount > 0;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  async listDeliveries(roomId: string): Promise<DeliveryRecord[]> {
    return this.use(async (c) =>
      (await c.deliveries.find({ roomId }, { projection: NO_ID, sort: { peer: 1 } }).toArray()).map(
        deliveryFromDoc,
      ),
    );
  }
}

function collectionsOf(db: Db): Collections {
  return {
    settings: db.collection<SettingDoc>('settings'),
    peers: db.collection<PeerDoc>('peers'),
    rooms: db.collection<RoomDoc>('rooms'),
    controlOps: db.collection<ControlOpDoc>('control_ops'),
    roomKeys: db.collection<RoomKeyDoc>('room_keys'),
    messages: db.collection<MessageDoc>('messages'),
    deliveries: db.collection<DeliveryDoc>('deliveries'),
  };
}

/** Whether the server runs multi-document transactions: a replica set member or a mongos. */
async function hasTransactions(db: Db): Promise<boolean> {
  const hello = await db.admin().command({ hello: 1 });
  const replicaSet = typeof hello.setName === 'string';
  const mongos = hello.msg === 'isdbgrid';
  return (replicaSet || mongos) && hello.logicalSessionTimeoutMinutes != null;
}

/** A MongoDB Store; call `open()` before using it. */
export function createMongoStore(options: MongoStoreOptions): Store {
  return new MongoStore(options);
}
