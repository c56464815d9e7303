/**
 * The default Store: one SQLite file in the data folder, through better-sqlite3.
 *
 * better-sqlite3 is synchronous; each method does its work in one synchronous call, so no two
 * calls interleave, and wraps it in a Promise only to fit the async Store interface.
 *
 * What must stay true:
 * - Nothing acknowledged is lost, even when the PC is switched off: WAL with synchronous=FULL
 *   syncs the log on every commit, and a write resolves only after its commit.
 * - A batch is one IMMEDIATE transaction, and the FTS index is kept by triggers inside it, so
 *   search never disagrees with the messages.
 * - A damaged file is found when opening (quick_check), not halfway through a sync, and every
 *   error that leaves this module is a ParleyError naming the file.
 * - Statements are prepared once, after migration, while the database is open.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ParleyError } from '../../../../shared/errors';
import { silentLogger } from '../../log/logger';
import type { Logger } from '../../log/logger';
import type {
  ControlOpRecord,
  MessagePage,
  MessageRecord,
  PeerRecord,
  RoomKeyRecord,
  RoomRecord,
  SearchOptions,
  Store,
} from '../store';
import { migrate, readUserVersion, SCHEMA_VERSION } from './migrations';
import {
  BadRowError,
  controlOpFromRow,
  controlOpToRow,
  messageFromRow,
  messageToRow,
  peerFromRow,
  peerToRow,
  roomFromRow,
  roomKeyFromRow,
  roomKeyToRow,
  roomToRow,
} from './rows';
import type { ControlOpRow, MessageRow, PeerRow, RoomKeyRow, RoomRow } from './rows';
import { toFtsQuery } from './search-query';
import {
  corruptError,
  fromFsError,
  fromSqliteError,
  notOpenError,
  tooNewError,
} from './sqlite-errors';

/** How long a statement waits for another connection's lock before failing, in ms. */
export const BUSY_TIMEOUT_MS = 5_000;

export interface SqliteStoreOptions {
  /** The database file, usually `<data dir>/parley.db`. Its folder is created when missing. */
  path: string;
  /** Where open, migration and failure events go. Default: silentLogger. */
  logger?: Logger;
  /**
   * The better_sqlite3.node addon to load, for packaged apps where it lives outside
   * node_modules. Default: better-sqlite3's own lookup.
   */
  nativeBinding?: string;
}

const MESSAGE_COLUMNS = 'id, room_id, sender, seq, lamport, ts, envelope, text, received_at';
const M_MESSAGE_COLUMNS = MESSAGE_COLUMNS.split(', ')
  .map((column) => `m.${column}`)
  .join(', ');

function prepareStatements(db: Database.Database) {
  return {
    getSetting: db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?'),
    setSetting: db.prepare<[string, string]>(
      `INSERT INTO settings (key, value) VALUES (?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    ),

    upsertPeer: db.prepare<PeerRow>(
      `INSERT INTO peers (device_id, name, public_key, addresses, verified, manual, first_seen,
         last_seen)
       VALUES (@device_id, @name, @public_key, @addresses, @verified, @manual, @first_seen,
         @last_seen)
       ON CONFLICT (device_id) DO UPDATE SET name = excluded.name,
         public_key = excluded.public_key, addresses = excluded.addresses,
         verified = excluded.verified, manual = excluded.manual,
         first_seen = excluded.first_seen, last_seen = excluded.last_seen`,
    ),
    getPeer: db.prepare<[string], PeerRow>('SELECT * FROM peers WHERE device_id = ?'),
    listPeers: db.prepare<[], PeerRow>('SELECT * FROM peers ORDER BY name, device_id'),
    deletePeer: db.prepare<[string]>('DELETE FROM peers WHERE device_id = ?'),

    putRoom: db.prepare<RoomRow>(
      `INSERT INTO rooms (id, name, topic, kind, created_at, muted, last_read_at)
       VALUES (@id, @name, @topic, @kind, @created_at, @muted, @last_read_at)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, topic = excluded.topic,
         kind = excluded.kind, created_at = excluded.created_at, muted = excluded.muted,
         last_read_at = excluded.last_read_at`,
    ),
    getRoom: db.prepare<[string], RoomRow>('SELECT * FROM rooms WHERE id = ?'),
    listRooms: db.prepare<[], RoomRow>('SELECT * FROM rooms ORDER BY created_at, id'),

    addControlOp: db.prepare<ControlOpRow>(
      `INSERT INTO control_ops (hash, room_id, author, lamport, bytes, received_at)
       VALUES (@hash, @room_id, @author, @lamport, @bytes, @received_at)
       ON CONFLICT DO NOTHING`,
    ),
    listControlOps: db.prepare<[string], ControlOpRow>(
      'SELECT * FROM control_ops WHERE room_id = ? ORDER BY lamport, hash',
    ),

    addRoomKey: db.prepare<RoomKeyRow>(
      `INSERT INTO room_keys (room_id, epoch, key, created_at)
       VALUES (@room_id, @epoch, @key, @created_at)
       ON CONFLICT DO NOTHING`,
    ),
    getRoomKey: db.prepare<[string, number], RoomKeyRow>(
      'SELECT * FROM room_keys WHERE room_id = ? AND epoch = ?',
    ),
    listRoomKeys: db.prepare<[string], RoomKeyRow>(
      'SELECT * FROM room_keys WHERE room_id = ? ORDER BY epoch',
    ),

    // DO NOTHING without a target covers both the id and the (room_id, sender, seq)
    // uniqueness, and unlike INSERT OR IGNORE it does not also swallow NOT NULL violations.
    addMessage: db.prepare<MessageRow>(
      `INSERT INTO messages (${MESSAGE_COLUMNS})
       VALUES (@id, @room_id, @sender, @seq, @lamport, @ts, @envelope, @text, @received_at)
       ON CONFLICT DO NOTHING`,
    ),
    getMessage: db.prepare<[string], MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = ?`,
    ),
    // Newest first so that LIMIT keeps the newest; the caller reverses. Both walk the
    // (room_id, lamport, id) index backwards.
    latestMessages: db.prepare<[string, number], MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE room_id = ?
       ORDER BY lamport DESC, id DESC LIMIT ?`,
    ),
    messagesBefore: db.prepare<[string, number, string, number], MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE room_id = ? AND (lamport, id) < (?, ?)
       ORDER BY lamport DESC, id DESC LIMIT ?`,
    ),
    countMessages: db.prepare<[string], { n: number }>(
      'SELECT count(*) AS n FROM messages WHERE room_id = ?',
    ),
    // Ties in rank go to the newer message.
    search: db.prepare<[string, number], MessageRow>(
      `SELECT ${M_MESSAGE_COLUMNS} FROM messages_fts JOIN messages AS m ON m.pk = messages_fts.rowid
       WHERE messages_fts MATCH ?
       ORDER BY messages_fts.rank, m.lamport DESC, m.id DESC LIMIT ?`,
    ),
    searchRoom: db.prepare<[string, string, number], MessageRow>(
      `SELECT ${M_MESSAGE_COLUMNS} FROM messages_fts JOIN messages AS m ON m.pk = messages_fts.rowid
       WHERE messages_fts MATCH ? AND m.room_id = ?
       ORDER BY messages_fts.rank, m.lamport DESC, m.id DESC LIMIT ?`,
    ),
    // The top of a sender's contiguous run from seq 1 is its lowest seq without a successor:
    // every seq below the top has one. Senders without seq 1 are left out. Each probe is a
    // lookup in the (room_id, sender, seq) unique index.
    versionVector: db.prepare<[string], { sender: string; top: number }>(
      `SELECT m.sender AS sender, min(m.seq) AS top FROM messages AS m
       WHERE m.room_id = ? AND m.seq >= 1
         AND NOT EXISTS (SELECT 1 FROM messages AS n
           WHERE n.room_id = m.room_id AND n.sender = m.sender AND n.seq = m.seq + 1)
         AND EXISTS (SELECT 1 FROM messages AS o
           WHERE o.room_id = m.room_id AND o.sender = m.sender AND o.seq = 1)
       GROUP BY m.sender`,
    ),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

/** A page or result size as a LIMIT SQLite accepts; 0 means "return nothing". */
function toLimit(limit: number): number {
  if (!(limit > 0)) return 0;
  return Math.min(Math.floor(limit), Number.MAX_SAFE_INTEGER);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private db: Database.Database | undefined;
  private statements: Statements | undefined;
  private readonly path: string;
  private readonly logger: Logger;
  private readonly nativeBinding: string | undefined;

  constructor(options: SqliteStoreOptions) {
    this.path = path.resolve(options.path);
    this.logger = (options.logger ?? silentLogger).child('store');
    this.nativeBinding = options.nativeBinding;
  }

  async open(): Promise<void> {
    if (this.db) return;
    try {
      fs.mkdirSync(path.dirname(this.path), { recursive: true });
    } catch (err) {
      throw this.failed('store_open_failed', fromFsError(err, this.path));
    }
    let db: Database.Database;
    try {
      db = new Database(this.path, {
        timeout: BUSY_TIMEOUT_MS,
        ...(this.nativeBinding === undefined ? {} : { nativeBinding: this.nativeBinding }),
      });
    } catch (err) {
      throw this.failed('store_open_failed', fromSqliteError(err, this.path));
    }
    try {
      const statements = this.initialise(db);
      this.db = db;
      this.statements = statements;
    } catch (err) {
      try {
        db.close();
      } catch {
        // The error that stopped the open is the one worth reporting.
      }
      throw this.failed('store_open_failed', fromSqliteError(err, this.path));
    }
  }

  /** Checks, configures and migrates a freshly opened connection, then prepares statements. */
  private initialise(db: Database.Database): Statements {
    // Reading the header first turns a file that is not a database into SQLITE_NOTADB, and
    // quick_check reads every page (in time proportional to the file) to find damage now.
    const found = readUserVersion(db);
    const problems = db.pragma('quick_check') as { quick_check: string }[];
    if (problems.length !== 1 || problems[0]?.quick_check !== 'ok') {
      const first = problems[0]?.quick_check ?? 'no answer from the integrity check';
      throw corruptError(this.path, first);
    }
    // Checked before anything is written, so a newer Parley's file is left untouched.
    if (found > SCHEMA_VERSION) throw tooNewError(this.path, found, SCHEMA_VERSION);

    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') {
      // Some network file systems cannot do WAL; the rollback journal is slower but as safe.
      this.logger.warn('store_wal_unavailable', { path: this.path, mode });
    }
    // FULL: in WAL mode NORMAL may lose the last commits on power loss, and Parley promises
    // that nothing acknowledged is lost when a PC is switched off.
    db.pragma('synchronous = FULL');
    // No foreign keys today (see migrations.ts); on so that any added later are enforced.
    db.pragma('foreign_keys = ON');

    const { from, to } = migrate(db);
    if (from !== to) this.logger.info('store_migrated', { path: this.path, from, to });
    this.logger.info('store_opened', { path: this.path, schemaVersion: to });
    return prepareStatements(db);
  }

  async close(): Promise<void> {
    const db = this.db;
    this.db = undefined;
    this.statements = undefined;
    if (!db) return;
    try {
      // Checkpoints the WAL into the main file and removes it.
      db.close();
    } catch (err) {
      throw this.failed('store_close_failed', fromSqliteError(err, this.path));
    }
  }

  private failed(event: string, err: ParleyError): ParleyError {
    this.logger.error(event, { code: err.code, path: this.path, error: err.cause ?? err });
    return err;
  }

  /** Runs one unit of work against the open database, with errors as ParleyErrors. */
  private use<T>(work: (s: Statements, db: Database.Database) => T): T {
    const { db, statements } = this;
    if (!db || !statements) throw notOpenError(this.path);
    try {
      return work(statements, db);
    } catch (err) {
      if (err instanceof ParleyError) throw err;
      const mapped =
        err instanceof BadRowError
          ? corruptError(this.path, err.message, err)
          : fromSqliteError(err, this.path);
      throw this.failed('store_failed', mapped);
    }
  }

  async getSetting(key: string): Promise<string | undefined> {
    return this.use((s) => s.getSetting.get(key)?.value);
  }

  async setSetting(key: string, value: string): Promise<void> {
    this.use((s) => s.setSetting.run(key, value));
  }

  async upsertPeer(peer: PeerRecord): Promise<void> {
    this.use((s) => s.upsertPeer.run(peerToRow(peer)));
  }

  async getPeer(deviceId: string): Promise<PeerRecord | undefined> {
    return this.use((s) => {
      const row = s.getPeer.get(deviceId);
      return row && peerFromRow(row);
    });
  }

  async listPeers(): Promise<PeerRecord[]> {
    return this.use((s) => s.listPeers.all().map(peerFromRow));
  }

  async deletePeer(deviceId: string): Promise<void> {
    this.use((s) => s.deletePeer.run(deviceId));
  }

  async putRoom(room: RoomRecord): Promise<void> {
    this.use((s) => s.putRoom.run(roomToRow(room)));
  }

  async getRoom(id: string): Promise<RoomRecord | undefined> {
    return this.use((s) => {
      const row = s.getRoom.get(id);
      return row && roomFromRow(row);
    });
  }

  async listRooms(): Promise<RoomRecord[]> {
    return this.use((s) => s.listRooms.all().map(roomFromRow));
  }

  async addControlOps(ops: ControlOpRecord[]): Promise<string[]> {
    if (ops.length === 0) return [];
    const rows = ops.map(controlOpToRow);
    return this.use((s, db) =>
      db
        .transaction(() => rows.filter((row) => s.addControlOp.run(row).changes > 0))
        .immediate()
        .map((row) => row.hash),
    );
  }

  async listControlOps(roomId: string): Promise<ControlOpRecord[]> {
    return this.use((s) => s.listControlOps.all(roomId).map(controlOpFromRow));
  }

  async putRoomKey(key: RoomKeyRecord): Promise<void> {
    const row = roomKeyToRow(key);
    this.use((s, db) =>
      db
        .transaction(() => {
          if (s.addRoomKey.run(row).changes > 0) return;
          const stored = s.getRoomKey.get(row.room_id, row.epoch);
          if (stored && sameBytes(stored.key, row.key)) return;
          throw new ParleyError(
            'STORE_FAILED',
            `Room ${key.roomId} already has a different key for epoch ${key.epoch}; the stored ` +
              `key was kept and the new one was not saved.`,
          );
        })
        .immediate(),
    );
  }

  async getRoomKey(roomId: string, epoch: number): Promise<RoomKeyRecord | undefined> {
    return this.use((s) => {
      const row = s.getRoomKey.get(roomId, epoch);
      return row && roomKeyFromRow(row);
    });
  }

  async listRoomKeys(roomId: string): Promise<RoomKeyRecord[]> {
    return this.use((s) => s.listRoomKeys.all(roomId).map(roomKeyFromRow));
  }

  async addMessages(messages: MessageRecord[]): Promise<string[]> {
    if (messages.length === 0) return [];
    const rows = messages.map(messageToRow);
    return this.use((s, db) =>
      db
        .transaction(() => rows.filter((row) => s.addMessage.run(row).changes > 0))
        .immediate()
        .map((row) => row.id),
    );
  }

  async getMessage(id: string): Promise<MessageRecord | undefined> {
    return this.use((s) => {
      const row = s.getMessage.get(id);
      return row && messageFromRow(row);
    });
  }

  async listMessages(roomId: string, page: MessagePage): Promise<MessageRecord[]> {
    const limit = toLimit(page.limit);
    return this.use((s) => {
      if (limit === 0) return [];
      const { before } = page;
      const rows = before
        ? s.messagesBefore.all(roomId, before.lamport, before.id, limit)
        : s.latestMessages.all(roomId, limit);
      return rows.reverse().map(messageFromRow);
    });
  }

  async countMessages(roomId: string): Promise<number> {
    return this.use((s) => s.countMessages.get(roomId)?.n ?? 0);
  }

  async searchMessages(query: string, options: SearchOptions): Promise<MessageRecord[]> {
    const match = toFtsQuery(query);
    const limit = toLimit(options.limit);
    return this.use((s) => {
      if (match === undefined || limit === 0) return [];
      const rows =
        options.roomId === undefined
          ? s.search.all(match, limit)
          : s.searchRoom.all(match, options.roomId, limit);
      return rows.map(messageFromRow);
    });
  }

  async versionVector(roomId: string): Promise<Record<string, number>> {
    return this.use((s) =>
      // fromEntries defines own properties, so even a sender named "__proto__" is just a key.
      Object.fromEntries(s.versionVector.all(roomId).map((row) => [row.sender, row.top])),
    );
  }
}

/** A SQLite Store for the file at `options.path`; call `open()` before using it. */
export function createSqliteStore(options: SqliteStoreOptions): Store {
  return new SqliteStore(options);
}
