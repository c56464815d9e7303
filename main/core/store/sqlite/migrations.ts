/**
 * The SQLite schema as an ordered list of migrations. `PRAGMA user_version` holds the number
 * of migrations applied; opening a database applies the missing ones in order, each in its own
 * transaction together with the user_version bump, so a crash leaves the database at one
 * version or the next, never in between.
 *
 * What must stay true:
 * - A migration that has shipped is never edited; change the schema by appending one.
 * - Each migration has a test in migrations.test.ts.
 * - The FTS index changes in the same transaction as the messages: deletes and edits by
 *   triggers, inserts by the store's addMessages (migration 5 says why).
 */
import type Database from 'better-sqlite3';

export interface Migration {
  /** 1-based; equals its position in MIGRATIONS and the user_version it leaves behind. */
  version: number;
  description: string;
  up(db: Database.Database): void;
}

// Design notes on migration 1:
// - messages has an explicit INTEGER PRIMARY KEY (`pk`) because the external-content FTS table
//   points at rows by rowid, and an implicit rowid may be renumbered by VACUUM.
// - No foreign keys from messages, ops and keys to rooms: sync delivers them in any order (an
//   op can arrive before this node has a room record), and the MongoDB backend could not
//   enforce them anyway, so the contract must not depend on them.
// - Lists (peer addresses) are JSON text; they are read and written whole.
const SCHEMA_1 = `
CREATE TABLE settings (
  key   TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE peers (
  device_id  TEXT PRIMARY KEY NOT NULL,
  name       TEXT NOT NULL,
  public_key BLOB NOT NULL,
  addresses  TEXT NOT NULL CHECK (json_valid(addresses) AND json_type(addresses) = 'array'),
  verified   INTEGER NOT NULL CHECK (verified IN (0, 1)),
  manual     INTEGER NOT NULL CHECK (manual IN (0, 1)),
  first_seen INTEGER NOT NULL,
  last_seen  INTEGER
);
CREATE INDEX peers_by_name ON peers (name, device_id);

CREATE TABLE rooms (
  id           TEXT PRIMARY KEY NOT NULL,
  name         TEXT NOT NULL,
  topic        TEXT NOT NULL,
  kind         TEXT NOT NULL CHECK (kind IN ('room', 'dm')),
  created_at   INTEGER NOT NULL,
  muted        INTEGER NOT NULL CHECK (muted IN (0, 1)),
  last_read_at INTEGER NOT NULL
);

CREATE TABLE control_ops (
  hash        TEXT PRIMARY KEY NOT NULL,
  room_id     TEXT NOT NULL,
  author      TEXT NOT NULL,
  lamport     INTEGER NOT NULL,
  bytes       BLOB NOT NULL,
  received_at INTEGER NOT NULL
);
CREATE INDEX control_ops_by_room ON control_ops (room_id, lamport, hash);

CREATE TABLE room_keys (
  room_id    TEXT NOT NULL,
  epoch      INTEGER NOT NULL,
  key        BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (room_id, epoch)
) WITHOUT ROWID;

CREATE TABLE messages (
  pk          INTEGER PRIMARY KEY,
  id          TEXT NOT NULL UNIQUE,
  room_id     TEXT NOT NULL,
  sender      TEXT NOT NULL,
  seq         INTEGER NOT NULL,
  lamport     INTEGER NOT NULL,
  ts          INTEGER NOT NULL,
  envelope    BLOB NOT NULL,
  text        TEXT,
  received_at INTEGER NOT NULL,
  UNIQUE (room_id, sender, seq)
);
CREATE INDEX messages_by_room_order ON messages (room_id, lamport, id);

-- Words fold case and diacritics ("Café" is found by "cafe").
CREATE VIRTUAL TABLE messages_fts USING fts5 (
  text,
  content = 'messages',
  content_rowid = 'pk',
  tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages WHEN new.text IS NOT NULL BEGIN
  INSERT INTO messages_fts (rowid, text) VALUES (new.pk, new.text);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages WHEN old.text IS NOT NULL BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.pk, old.text);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, text)
    SELECT 'delete', old.pk, old.text WHERE old.text IS NOT NULL;
  INSERT INTO messages_fts (rowid, text)
    SELECT new.pk, new.text WHERE new.text IS NOT NULL;
END;
`;

// Migration 2: epochs are identified by a random 128-bit ID (PROTOCOL.md §8.3), not by a
// number, so room_keys is keyed by (room_id, epoch_id TEXT). SQLite cannot change a primary key
// in place; the table is rebuilt the documented way (create the new table, drop the old one,
// rename the new one). No rows are carried over, on purpose: no release ever wrote room_keys
// (the rooms layer came later), so only development builds can hold rows, and an epoch number
// cannot be turned into the epoch's random ID anyway. Nothing is lost even there: every key is
// still sealed to this device inside the control ops that are kept, and is unsealed again when
// the log is folded.
const SCHEMA_2 = `
CREATE TABLE room_keys_new (
  room_id    TEXT NOT NULL,
  epoch_id   TEXT NOT NULL,
  key        BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (room_id, epoch_id)
) WITHOUT ROWID;
DROP TABLE room_keys;
ALTER TABLE room_keys_new RENAME TO room_keys;
`;

// Migration 3: the unread count (countMessagesSince) reads only the messages received after the
// last read: a range of this index, which also holds the sender it filters on, so no message
// row is read at all.
const SCHEMA_3 = `
CREATE INDEX messages_by_room_received ON messages (room_id, received_at, sender);
`;

// Migration 4: delivery knowledge (PROTOCOL.md §10.1), per room and peer the highest contiguous
// seq of this node's own messages the peer is known to hold. One small row per (room, peer),
// read whole per room; the primary key is the only index it needs. Nothing to carry over: an
// older database simply knows of no deliveries yet, and they are learnt again at the next sync.
const SCHEMA_4 = `
CREATE TABLE deliveries (
  room_id    TEXT NOT NULL,
  peer       TEXT NOT NULL,
  held_up_to INTEGER NOT NULL CHECK (held_up_to >= 0),
  PRIMARY KEY (room_id, peer)
) WITHOUT ROWID;
`;

// Migration 5: new messages enter the search index from addMessages, in one statement per batch
// after the batch's inserts and in the same transaction, instead of from a trigger per row.
// FTS5 flushes its pending terms at every statement's savepoint, so the trigger wrote one index
// segment per message and merged them again: two thirds of a message insert (about 30 µs of
// 48). Rows already indexed stay indexed; the delete and update triggers stay as they are.
const SCHEMA_5 = `
DROP TRIGGER messages_fts_insert;
`;

// Migration 6: a new message enters the search index a moment after its commit, not inside it
// (sqlite-store.ts, indexPending). The commit only notes the row in messages_unindexed; the
// index follows in a later transaction of its own for every row noted since, and before any
// search. That takes the index's pages (about 40 % of a one-message commit's CPU and a third
// of its pages) off every send and every push received. The triggers learn the difference: a
// row still waiting was never in the index, so deleting it only forgets the note (telling FTS5
// to delete what it never held would damage the index), and changing its text needs nothing,
// since the index will read the text as it is then.
const SCHEMA_6 = `
CREATE TABLE messages_unindexed (pk INTEGER PRIMARY KEY);
DROP TRIGGER messages_fts_delete;
DROP TRIGGER messages_fts_update;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, text)
    SELECT 'delete', old.pk, old.text
    WHERE old.text IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM messages_unindexed WHERE pk = old.pk);
  DELETE FROM messages_unindexed WHERE pk = old.pk;
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages
  WHEN NOT EXISTS (SELECT 1 FROM messages_unindexed WHERE pk = new.pk) BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, text)
    SELECT 'delete', old.pk, old.text WHERE old.text IS NOT NULL;
  INSERT INTO messages_fts (rowid, text)
    SELECT new.pk, new.text WHERE new.text IS NOT NULL;
END;
`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'settings, peers, rooms, control log, room keys, messages with full-text search',
    up: (db) => db.exec(SCHEMA_1),
  },
  {
    version: 2,
    description: 'room keys by random epoch ID instead of an epoch number',
    up: (db) => db.exec(SCHEMA_2),
  },
  {
    version: 3,
    description: 'index for unread counts: messages by room and time received',
    up: (db) => db.exec(SCHEMA_3),
  },
  {
    version: 4,
    description: 'delivery knowledge: what each peer holds of our own messages, per room',
    up: (db) => db.exec(SCHEMA_4),
  },
  {
    version: 5,
    description: 'new messages indexed for search once per batch instead of by a trigger per row',
    up: (db) => db.exec(SCHEMA_5),
  },
  {
    version: 6,
    description: 'new messages indexed for search just after their commit, not inside it',
    up: (db) => db.exec(SCHEMA_6),
  },
];

/** The user_version this code writes and understands. */
export const SCHEMA_VERSION = MIGRATIONS.length;

export function readUserVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Applies migrations from the database's user_version up to `target` (default: all), each in
 * its own transaction. Returns the version found and the version reached. The caller checks
 * for a database newer than SCHEMA_VERSION first. `migrations` is replaced only by tests.
 */
export function migrate(
  db: Database.Database,
  target: number = SCHEMA_VERSION,
  migrations: readonly Migration[] = MIGRATIONS,
): { from: number; to: number } {
  const from = readUserVersion(db);
  for (const migration of migrations) {
    if (migration.version > target) break;
    // IMMEDIATE takes the write lock first, and the version is read again under it, so two
    // processes opening one file at once cannot both apply the same migration.
    db.transaction(() => {
      if (readUserVersion(db) !== migration.version - 1) return;
      migration.up(db);
      // PRAGMA takes no bound parameters; the version is a number from the list above.
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
  return { from, to: readUserVersion(db) };
}
