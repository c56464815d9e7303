/**
 * The default Store: one SQLite file in the data folder, through better-sqlite3.
 *
 * better-sqlite3 is synchronous; each method does its work in one synchronous call, so no two
 * calls interleave, and wraps it in a Promise only to fit the async Store interface.
 *
 * What must stay true:
 * - Nothing acknowledged is lost, even when the PC is switched off: WAL with synchronous=FULL
 *   syncs the log on every commit, and a write resolves only after its commit. The one
 *   exception is delivery bookkeeping (raiseDeliveries), which may lose its last batches when
 *   the power goes (never when the process dies), as PROTOCOL.md §10.1 allows, and messages
 *   added with `sync: 'later'` (received from peers, PROTOCOL.md §10) until syncWrites: both
 *   are committed without their own sync (`unsynced`), and the next synced commit makes them
 *   durable too.
 * - A batch is one IMMEDIATE transaction. Search never disagrees with the messages, though new
 *   ones enter its index a moment after their commit (migration 6): the commit notes them in
 *   messages_unindexed, and indexPending indexes every noted row in a transaction of its own,
 *   soon after (INDEX_DELAY_MS), before any search, at close, and at open after a crash.
 *   Deletes and edits change the index in their own transaction, by triggers.
 * - A damaged file is found when opening (quick_check), not halfway through a sync, and every
 *   error that leaves this module is a ParleyError naming the file.
 * - Statements are prepared once, after migration, while the database is open.
 * - The reads of one room that a sync, a send or the room list makes (ROOM_READS) are index
 *   lookups whatever the room's size; sqlite-store.test.ts checks their query plans.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ParleyError } from '../../../../shared/errors';
import { silentLogger } from '../../log/logger';
import type { Logger } from '../../log/logger';
import { conflictingKeyError, sameBytes, seenUpTo, toLimit } from '../backend-rules';
import type {
  AddMessagesOptions,
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
import { migrate, readUserVersion, SCHEMA_VERSION } from './migrations';
import {
  BadRowError,
  controlOpFromRow,
  controlOpToRow,
  deliveryFromRow,
  deliveryToRow,
  messageFromRow,
  messageToRow,
  peerFromRow,
  peerToRow,
  roomFromRow,
  roomKeyFromRow,
  roomKeyToRow,
  roomToRow,
} from './rows';
import type { ControlOpRow, DeliveryRow, MessageRow, PeerRow, RoomKeyRow, RoomRow } from './rows';
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

/**
 * How long new messages wait to enter the search index after their commit, in ms: long enough
 * for a burst to share one index transaction (FTS5 writes a segment per statement), short
 * enough that nobody searches in between (and a search indexes first anyway).
 */
export const INDEX_DELAY_MS = 25;

/** The settings row syncWrites writes: internal, never read. */
const SYNC_MARK_KEY = 'store.syncMark';

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

/**
 * The reads of one room that must stay index lookups however large the room grows (100,000
 * messages, hundreds of senders); sqlite-store.test.ts checks their query plans. "The unique
 * index" is the one UNIQUE (room_id, sender, seq) makes; n is the room's message count, k its
 * sender count.
 */
export const ROOM_READS = {
  // A loose index scan: each step jumps to the next sender in the unique index, O(k log n),
  // instead of reading every message to find the distinct senders. Senders come out in BINARY
  // order (their UTF-8 bytes).
  senders: `WITH RECURSIVE senders (sender) AS (
      SELECT min(sender) FROM messages WHERE room_id = @room
      UNION ALL
      SELECT (SELECT min(sender) FROM messages WHERE room_id = @room AND sender > senders.sender)
      FROM senders WHERE senders.sender IS NOT NULL)
    SELECT sender FROM senders WHERE sender IS NOT NULL`,
  // A range of the unique index: O(log n + rows returned).
  senderAfter: `SELECT ${MESSAGE_COLUMNS} FROM messages
    WHERE room_id = ? AND sender = ? AND seq > ? ORDER BY seq LIMIT ?`,
  // The same range, envelopes only.
  senderEnvelopesAfter: `SELECT envelope FROM messages
    WHERE room_id = ? AND sender = ? AND seq > ? ORDER BY seq LIMIT ?`,
  // One descent of the unique index (SQLite's min/max optimisation): O(log n).
  // One descent of the unique index, then the row: O(log n).
  lastOf: `SELECT seq, id FROM messages WHERE room_id = ? AND sender = ?
    ORDER BY seq DESC LIMIT 1`,
  // One descent of messages_by_room_order: O(log n).
  maxLamport: 'SELECT max(lamport) AS n FROM messages WHERE room_id = ?',
  // The unread range of messages_by_room_received, which holds the sender too: O(log n + unread).
  countSince: `SELECT count(*) AS n FROM messages
    WHERE room_id = ? AND received_at > ? AND sender <> ?`,
  // Per sender, from one pass over the room's entries in the unique index (covering, already
  // grouped by sender): when as many seqs are stored as the highest one, 1..highest are all
  // there (seqs are unique and >= 1). Only a sender with a gap is looked at again, walking up
  // from seq 1 with one index probe per seq until the first seq without a successor. A sender
  // without seq 1 is left out. Cost: O(n) index entries read inside SQLite, plus O(g log n)
  // for each sender whose first gap is at seq g; only the k answers leave it. (Less than O(n)
  // is not possible in SQL: knowing that 1..top are all stored means counting them.) Measured
  // on 100,000 messages of 300 senders: about 10 ms, 45 ms when every sender has a gap near
  // its top.
  versionVector: `WITH per_sender AS (
      SELECT sender, count(*) AS stored, min(seq) AS first, max(seq) AS last
      FROM messages WHERE room_id = @room AND seq >= 1 GROUP BY sender)
    SELECT sender, CASE WHEN stored = last THEN last ELSE (
        SELECT seq FROM messages AS below
        WHERE room_id = @room AND sender = per_sender.sender AND seq >= 1
          AND NOT EXISTS (SELECT 1 FROM messages AS above WHERE above.room_id = @room
            AND above.sender = below.sender AND above.seq = below.seq + 1)
        ORDER BY seq LIMIT 1) END AS top
    FROM per_sender WHERE first = 1`,
} as const;

/**
 * Indexes the messages noted in messages_unindexed (migration 6). CROSS JOIN makes SQLite walk
 * the few notes and look each message up by its key; left to choose, it scanned every message
 * and probed the notes, which made indexing cost the size of the database (a catch-up of
 * 100,000 messages: 30 % more CPU per message). sqlite-store.test.ts checks the plan.
 */
export const INDEX_UNINDEXED = `INSERT INTO messages_fts (rowid, text)
  SELECT m.pk, m.text FROM messages_unindexed AS u CROSS JOIN messages AS m ON m.pk = u.pk
  WHERE m.text IS NOT NULL`;

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

    // A room has one key per epoch, a few dozen in its lifetime: the primary key finds them and
    // sorting so few needs no index of its own.
    addRoomKey: db.prepare<RoomKeyRow>(
      `INSERT INTO room_keys (room_id, epoch_id, key, created_at)
       VALUES (@room_id, @epoch_id, @key, @created_at)
       ON CONFLICT DO NOTHING`,
    ),
    getRoomKey: db.prepare<[string, string], RoomKeyRow>(
      'SELECT * FROM room_keys WHERE room_id = ? AND epoch_id = ?',
    ),
    listRoomKeys: db.prepare<[string], RoomKeyRow>(
      'SELECT * FROM room_keys WHERE room_id = ? ORDER BY created_at, epoch_id',
    ),

    // The FTS delete trigger removes each message from the search index in the same statement.
    deleteMessage: db.prepare<[string, string]>(
      'DELETE FROM messages WHERE room_id = ? AND id = ?',
    ),
    deleteRoomMessages: db.prepare<[string]>('DELETE FROM messages WHERE room_id = ?'),
    deleteRoomOps: db.prepare<[string]>('DELETE FROM control_ops WHERE room_id = ?'),
    deleteRoomKeys: db.prepare<[string]>('DELETE FROM room_keys WHERE room_id = ?'),
    deleteRoom: db.prepare<[string]>('DELETE FROM rooms WHERE id = ?'),
    deleteRoomDeliveries: db.prepare<[string]>('DELETE FROM deliveries WHERE room_id = ?'),

    // The WHERE of DO UPDATE keeps a record from ever going down; `changes` is 0 when it did not
    // go up.
    raiseDelivery: db.prepare<DeliveryRow>(
      `INSERT INTO deliveries (room_id, peer, held_up_to) VALUES (@room_id, @peer, @held_up_to)
       ON CONFLICT (room_id, peer) DO UPDATE SET held_up_to = excluded.held_up_to
       WHERE excluded.held_up_to > deliveries.held_up_to`,
    ),
    listDeliveries: db.prepare<[string], DeliveryRow>(
      'SELECT room_id, peer, held_up_to FROM deliveries WHERE room_id = ? ORDER BY peer',
    ),

    // DO NOTHING without a target covers both the id and the (room_id, sender, seq)
    // uniqueness, and unlike INSERT OR IGNORE it does not also swallow NOT NULL violations.
    addMessage: db.prepare<MessageRow>(
      `INSERT INTO messages (${MESSAGE_COLUMNS})
       VALUES (@id, @room_id, @sender, @seq, @lamport, @ts, @envelope, @text, @received_at)
       ON CONFLICT DO NOTHING`,
    ),
    // A new message with text waits here to be indexed (migration 6).
    noteUnindexed: db.prepare<[number]>('INSERT INTO messages_unindexed (pk) VALUES (?)'),
    anyUnindexed: db.prepare<[], { n: number }>(
      'SELECT EXISTS (SELECT 1 FROM messages_unindexed) AS n',
    ),
    // One statement for every row waiting: FTS5 writes one index segment per statement.
    indexUnindexed: db.prepare<[]>(INDEX_UNINDEXED),
    forgetUnindexed: db.prepare<[]>('DELETE FROM messages_unindexed'),
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
    senders: db.prepare<{ room: string }, string>(ROOM_READS.senders).pluck(),
    senderAfter: db.prepare<[string, string, number, number], MessageRow>(ROOM_READS.senderAfter),
    senderEnvelopesAfter: db
      .prepare<[string, string, number, number], Uint8Array>(ROOM_READS.senderEnvelopesAfter)
      .pluck(),
    lastOf: db.prepare<[string, string], { seq: number; id: string }>(ROOM_READS.lastOf),
    maxLamport: db.prepare<[string], number | null>(ROOM_READS.maxLamport).pluck(),
    countSince: db.prepare<[string, number, string], number>(ROOM_READS.countSince).pluck(),
    versionVector: db.prepare<{ room: string }, { sender: string; top: number }>(
      ROOM_READS.versionVector,
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
  };
}

/**
 * The write transactions, made once like the statements: `db.transaction(fn)` builds four
 * wrapper functions every time it is called, which cost about as much CPU as a one-row
 * insert, and a message send and its storing at each member are one such commit each. Each
 * runs with `.immediate(...)`, as before.
 */
function prepareWrites(db: Database.Database, s: ReturnType<typeof prepareStatements>) {
  return {
    addMessagesTx: db.transaction((rows: readonly MessageRow[]): string[] => {
      const added: string[] = [];
      for (const row of rows) {
        const r = s.addMessage.run(row);
        if (r.changes === 0) continue;
        // Indexed for search after this commit, by indexPending (migration 6).
        if (row.text !== null) s.noteUnindexed.run(Number(r.lastInsertRowid));
        added.push(row.id);
      }
      return added;
    }),
    indexPendingTx: db.transaction((): void => {
      s.indexUnindexed.run();
      s.forgetUnindexed.run();
    }),
    addControlOpsTx: db.transaction((rows: readonly ControlOpRow[]): string[] =>
      rows.filter((row) => s.addControlOp.run(row).changes > 0).map((row) => row.hash),
    ),
    putRoomKeyTx: db.transaction((row: RoomKeyRow): boolean => {
      if (s.addRoomKey.run(row).changes > 0) return true;
      const stored = s.getRoomKey.get(row.room_id, row.epoch_id);
      return stored !== undefined && sameBytes(stored.key, row.key);
    }),
    deleteMessagesTx: db.transaction((roomId: string, ids: readonly string[]): number =>
      ids.reduce((deleted, id) => deleted + s.deleteMessage.run(roomId, id).changes, 0),
    ),
    deleteRoomTx: db.transaction((roomId: string): void => {
      s.deleteRoomMessages.run(roomId);
      s.deleteRoomOps.run(roomId);
      s.deleteRoomKeys.run(roomId);
      s.deleteRoomDeliveries.run(roomId);
      s.deleteRoom.run(roomId);
    }),
    raiseDeliveriesTx: db.transaction((records: readonly DeliveryRecord[]): DeliveryRecord[] =>
      records.filter((record) => s.raiseDelivery.run(deliveryToRow(record)).changes > 0),
    ),
  };
}

/** The prepared statements and write transactions of one open database. */
function prepare(db: Database.Database) {
  const statements = prepareStatements(db);
  return { ...statements, ...prepareWrites(db, statements) };
}

type Statements = ReturnType<typeof prepare>;

/**
 * What a peer with version vector `vv` lacks, at most `limit` rows, by sender then seq: one
 * read transaction, so the senders and their rows come from one snapshot. `perSender` picks
 * the columns (whole rows, or envelopes only).
 */
function readAfter<Row>(
  db: Database.Database,
  senders: Database.Statement<{ room: string }, string>,
  perSender: Database.Statement<[string, string, number, number], Row>,
  roomId: string,
  vv: Record<string, number>,
  limit: number,
): Row[] {
  const max = toLimit(limit);
  if (max === 0) return [];
  return db.transaction(() => {
    let found: Row[] = [];
    for (const sender of senders.all({ room: roomId })) {
      // concat, not push(...rows): one sender may have more rows than a call takes arguments.
      found = found.concat(perSender.all(roomId, sender, seenUpTo(vv, sender), max - found.length));
      if (found.length >= max) break;
    }
    return found;
  })();
}

class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private db: Database.Database | undefined;
  private statements: Statements | undefined;
  private readonly path: string;
  private readonly logger: Logger;
  private readonly nativeBinding: string | undefined;
  /** The database is in WAL mode (else in the rollback journal, see initialise). */
  private wal = false;
  /** messages_unindexed may hold rows: new messages wait to enter the search index. */
  private unindexed = false;
  /** Bumped by syncWrites, whose commit must change something to write (and sync) the log. */
  private syncMarks = 0;
  private indexTimer: NodeJS.Timeout | undefined;

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
      // Rows the last run noted but did not index (it stopped within INDEX_DELAY_MS of a
      // commit, or was killed) are indexed now, before anyone can search.
      this.unindexed = statements.anyUnindexed.get()?.n === 1;
      this.indexPending();
    } catch (err) {
      this.db = undefined;
      this.statements = undefined;
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
    this.wal = mode === 'wal';
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
    return prepare(db);
  }

  async close(): Promise<void> {
    if (this.db) {
      try {
        this.indexPending();
      } catch {
        // Logged; the rows stay noted and are indexed at the next open.
      }
    }
    clearTimeout(this.indexTimer);
    this.indexTimer = undefined;
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

  /**
   * Runs one write transaction whose loss on power failure is harmless, without waiting for
   * the disk: synchronous=NORMAL for it alone. In WAL mode it is still atomic and the file
   * stays consistent whatever happens; its frames sit in the log in commit order, so the next
   * synchronous=FULL commit (or checkpoint) syncs them with its own, and a process that dies
   * loses nothing (the operating system has the writes). With the rollback journal, NORMAL
   * could damage the file on power loss, so there it is a synced commit like every other.
   */
  private unsynced<T>(db: Database.Database, write: () => T): T {
    if (!this.wal) return write();
    db.pragma('synchronous = NORMAL');
    try {
      return write();
    } finally {
      db.pragma('synchronous = FULL');
    }
  }

  /**
   * Indexes for search every message noted since the last time, in one transaction that does
   * not wait for the disk: the index can be rebuilt from the messages, and losing this commit
   * to a power cut also loses its removal of the notes, so the rows are indexed again at open.
   */
  private indexPending(): void {
    clearTimeout(this.indexTimer);
    this.indexTimer = undefined;
    if (!this.unindexed) return;
    this.use((s, db) => this.unsynced(db, () => s.indexPendingTx.immediate()));
    this.unindexed = false;
  }

  private indexSoon(): void {
    this.unindexed = true;
    if (this.indexTimer) return;
    this.indexTimer = setTimeout(() => {
      this.indexTimer = undefined;
      try {
        this.indexPending();
      } catch {
        // Logged by use(); the rows stay noted and the next search or close tries again.
      }
    }, INDEX_DELAY_MS);
    // Never what keeps a process alive: rows left noted are indexed at the next open.
    this.indexTimer.unref();
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

  async deleteRoom(roomId: string): Promise<void> {
    this.use((s) => s.deleteRoomTx.immediate(roomId));
  }

  async addControlOps(ops: ControlOpRecord[]): Promise<string[]> {
    if (ops.length === 0) return [];
    const rows = ops.map(controlOpToRow);
    return this.use((s) => s.addControlOpsTx.immediate(rows));
  }

  async listControlOps(roomId: string): Promise<ControlOpRecord[]> {
    return this.use((s) => s.listControlOps.all(roomId).map(controlOpFromRow));
  }

  async putRoomKey(key: RoomKeyRecord): Promise<void> {
    const row = roomKeyToRow(key);
    this.use((s) => {
      if (!s.putRoomKeyTx.immediate(row)) throw conflictingKeyError(key);
    });
  }

  async getRoomKey(roomId: string, epochId: string): Promise<RoomKeyRecord | undefined> {
    return this.use((s) => {
      const row = s.getRoomKey.get(roomId, epochId);
      return row && roomKeyFromRow(row);
    });
  }

  async listRoomKeys(roomId: string): Promise<RoomKeyRecord[]> {
    return this.use((s) => s.listRoomKeys.all(roomId).map(roomKeyFromRow));
  }

  async addMessages(messages: MessageRecord[], options?: AddMessagesOptions): Promise<string[]> {
    if (messages.length === 0) return [];
    const rows = messages.map(messageToRow);
    const added = this.use((s, db) =>
      options?.sync === 'later'
        ? this.unsynced(db, () => s.addMessagesTx.immediate(rows))
        : s.addMessagesTx.immediate(rows),
    );
    if (added.length > 0) this.indexSoon();
    return added;
  }

  async syncWrites(): Promise<void> {
    // Without WAL every commit is synced already. With it, a synchronous=FULL commit syncs the
    // log up to its own frames, so those of every earlier unsynced commit with them (unsynced).
    // A commit that changes nothing writes no frame, so this one bumps a mark of its own.
    this.use((s) => {
      if (this.wal) s.setSetting.run(SYNC_MARK_KEY, String(++this.syncMarks));
    });
  }

  async deleteMessages(roomId: string, ids: string[]): Promise<number> {
    return this.use((s) => (ids.length === 0 ? 0 : s.deleteMessagesTx.immediate(roomId, ids)));
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

  async listMessagesAfter(
    roomId: string,
    vv: Record<string, number>,
    limit: number,
  ): Promise<MessageRecord[]> {
    return this.use((s, db) =>
      readAfter(db, s.senders, s.senderAfter, roomId, vv, limit).map(messageFromRow),
    );
  }

  async listEnvelopesAfter(
    roomId: string,
    vv: Record<string, number>,
    limit: number,
  ): Promise<Uint8Array[]> {
    return this.use((s, db) =>
      readAfter(db, s.senders, s.senderEnvelopesAfter, roomId, vv, limit).map(
        (envelope) => new Uint8Array(envelope),
      ),
    );
  }

  async listMessagesOf(
    roomId: string,
    sender: string,
    afterSeq: number,
    limit: number,
  ): Promise<MessageRecord[]> {
    const max = toLimit(limit);
    return this.use((s) =>
      max === 0 ? [] : s.senderAfter.all(roomId, sender, afterSeq, max).map(messageFromRow),
    );
  }

  async countMessages(roomId: string): Promise<number> {
    return this.use((s) => s.countMessages.get(roomId)?.n ?? 0);
  }

  async countMessagesSince(
    roomId: string,
    afterTs: number,
    excludeSender: string,
  ): Promise<number> {
    return this.use((s) => s.countSince.get(roomId, afterTs, excludeSender) ?? 0);
  }

  async lastMessageOf(
    roomId: string,
    sender: string,
  ): Promise<{ seq: number; id: string } | undefined> {
    return this.use((s) => {
      const row = s.lastOf.get(roomId, sender);
      return row === undefined ? undefined : { seq: row.seq, id: row.id };
    });
  }

  async maxLamport(roomId: string): Promise<number> {
    return this.use((s) => s.maxLamport.get(roomId) ?? 0);
  }

  async searchMessages(query: string, options: SearchOptions): Promise<MessageRecord[]> {
    const match = toFtsQuery(query);
    const limit = toLimit(options.limit);
    if (match !== undefined && limit > 0) this.indexPending();
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
      Object.fromEntries(s.versionVector.all({ room: roomId }).map((row) => [row.sender, row.top])),
    );
  }

  async raiseDeliveries(records: DeliveryRecord[]): Promise<DeliveryRecord[]> {
    if (records.length === 0) return [];
    // Bookkeeping that only under-counts when lost (PROTOCOL.md §10.1): its commit does not
    // wait for the disk, which would hold up the event loop, and so the messages of every
    // room, for a few hundred microseconds every burst.
    return this.use((s, db) => this.unsynced(db, () => s.raiseDeliveriesTx.immediate(records)));
  }

  async listDeliveries(roomId: string): Promise<DeliveryRecord[]> {
    return this.use((s) => s.listDeliveries.all(roomId).map(deliveryFromRow));
  }
}

/** A SQLite Store for the file at `options.path`; call `open()` before using it. */
export function createSqliteStore(options: SqliteStoreOptions): Store {
  return new SqliteStore(options);
}
