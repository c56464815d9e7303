import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS, readUserVersion, SCHEMA_VERSION } from './migrations';
import type { Migration } from './migrations';
import { createSqliteStore } from './sqlite-store';

const open: Database.Database[] = [];

function memoryDb(): Database.Database {
  const db = new Database(':memory:');
  open.push(db);
  return db;
}

afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

function columns(db: Database.Database, table: string): string[] {
  return (db.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name);
}

function objects(db: Database.Database, type: string): string[] {
  return db
    .prepare<[string], { name: string }>(
      "SELECT name FROM sqlite_schema WHERE type = ? AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .all(type)
    .map((row) => row.name);
}

/** The whole schema as SQL text, for comparing two databases. */
function schemaSql(db: Database.Database): string[] {
  return db
    .prepare<[], { sql: string | null }>('SELECT sql FROM sqlite_schema ORDER BY type, name')
    .all()
    .map((row) => row.sql ?? '');
}

describe('migrations', () => {
  it('are numbered 1, 2, 3, ... in order', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(
      Array.from({ length: MIGRATIONS.length }, (_, i) => i + 1),
    );
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
  });

  it('reach the same schema one version at a time as all at once', () => {
    const stepwise = memoryDb();
    for (const migration of MIGRATIONS) {
      expect(migrate(stepwise, migration.version)).toEqual({
        from: migration.version - 1,
        to: migration.version,
      });
      expect(readUserVersion(stepwise)).toBe(migration.version);
    }
    const direct = memoryDb();
    expect(migrate(direct)).toEqual({ from: 0, to: SCHEMA_VERSION });
    expect(schemaSql(stepwise)).toEqual(schemaSql(direct));
  });

  it('do nothing on a database that is up to date', () => {
    const db = memoryDb();
    migrate(db);
    const before = schemaSql(db);
    expect(migrate(db)).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION });
    expect(schemaSql(db)).toEqual(before);
  });

  it('roll a failing migration back completely and keep the previous version', () => {
    const db = memoryDb();
    const broken: Migration = {
      version: SCHEMA_VERSION + 1,
      description: 'fails halfway',
      up: (d) => d.exec('CREATE TABLE half_done (x); SELECT * FROM no_such_table;'),
    };
    expect(() => migrate(db, broken.version, [...MIGRATIONS, broken])).toThrow(/no_such_table/);
    expect(readUserVersion(db)).toBe(SCHEMA_VERSION);
    expect(objects(db, 'table')).not.toContain('half_done');
  });

  describe('1: initial schema', () => {
    it('creates the tables, indexes and search triggers on an empty database', () => {
      const db = memoryDb();
      expect(migrate(db, 1)).toEqual({ from: 0, to: 1 });
      expect(readUserVersion(db)).toBe(1);

      expect(columns(db, 'settings')).toEqual(['key', 'value']);
      expect(columns(db, 'peers')).toEqual([
        'device_id',
        'name',
        'public_key',
        'addresses',
        'verified',
        'manual',
        'first_seen',
        'last_seen',
      ]);
      expect(columns(db, 'rooms')).toEqual([
        'id',
        'name',
        'topic',
        'kind',
        'created_at',
        'muted',
        'last_read_at',
      ]);
      expect(columns(db, 'control_ops')).toEqual([
        'hash',
        'room_id',
        'author',
        'lamport',
        'bytes',
        'received_at',
      ]);
      expect(columns(db, 'room_keys')).toEqual(['room_id', 'epoch', 'key', 'created_at']);
      expect(columns(db, 'messages')).toEqual([
        'pk',
        'id',
        'room_id',
        'sender',
        'seq',
        'lamport',
        'ts',
        'envelope',
        'text',
        'received_at',
      ]);
      expect(columns(db, 'messages_fts')).toEqual(['text']);

      expect(objects(db, 'index')).toEqual([
        'control_ops_by_room',
        'messages_by_room_order',
        'peers_by_name',
      ]);
      expect(objects(db, 'trigger')).toEqual([
        'messages_fts_delete',
        'messages_fts_insert',
        'messages_fts_update',
      ]);
      const uniques = (db.pragma('index_list(messages)') as { name: string; unique: number }[])
        .filter((index) => index.unique === 1)
        .map((index) =>
          (db.pragma(`index_info(${index.name})`) as { name: string }[]).map((c) => c.name).join(),
        );
      expect(uniques.sort()).toEqual(['id', 'room_id,sender,seq']);
    });

    it('keeps the search index in step with inserts, updates and deletes', () => {
      const db = memoryDb();
      migrate(db, 1);
      const insert = db.prepare(
        `INSERT INTO messages (id, room_id, sender, seq, lamport, ts, envelope, text, received_at)
         VALUES (?, 'r', 's', ?, 1, 1, x'00', ?, 1)`,
      );
      const find = (word: string): string[] =>
        db
          .prepare<[string], { id: string }>(
            `SELECT m.id FROM messages_fts JOIN messages AS m ON m.pk = messages_fts.rowid
             WHERE messages_fts MATCH ? ORDER BY m.id`,
          )
          .all(word)
          .map((row) => row.id);

      insert.run('a', 1, 'Crème brûlée');
      insert.run('b', 2, null);
      expect(find('creme')).toEqual(['a']);
      db.prepare("UPDATE messages SET text = 'tarte tatin' WHERE id = 'a'").run();
      db.prepare("UPDATE messages SET text = 'creme again' WHERE id = 'b'").run();
      expect(find('tatin')).toEqual(['a']);
      expect(find('creme')).toEqual(['b']);
      db.prepare("DELETE FROM messages WHERE id = 'b'").run();
      expect(find('creme')).toEqual([]);
      db.prepare("INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')").run();
    });

    it('turns an empty file into a working store', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-store-'));
      try {
        const dbPath = path.join(dir, 'parley.db');
        fs.writeFileSync(dbPath, '');
        const store = createSqliteStore({ path: dbPath });
        await store.open();
        await store.setSetting('k', 'v');
        await store.close();
        const db = new Database(dbPath, { readonly: true });
        try {
          expect(readUserVersion(db)).toBe(SCHEMA_VERSION);
        } finally {
          db.close();
        }
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('2: room keys by epoch ID', () => {
    it('rebuilds room_keys keyed by epoch ID and keeps everything else of a v1 database', () => {
      const db = memoryDb();
      migrate(db, 1);
      db.exec(`
        INSERT INTO settings (key, value) VALUES ('displayName', 'Alice');
        INSERT INTO peers (device_id, name, public_key, addresses, verified, manual, first_seen,
          last_seen) VALUES ('BOB', 'Bob', x'0102', '["10.0.0.2:4433"]', 1, 0, 5, NULL);
        INSERT INTO rooms (id, name, topic, kind, created_at, muted, last_read_at)
          VALUES ('r', 'Room', '', 'room', 1, 0, 0);
        INSERT INTO control_ops (hash, room_id, author, lamport, bytes, received_at)
          VALUES ('h', 'r', 'BOB', 1, x'aa', 2);
        INSERT INTO room_keys (room_id, epoch, key, created_at) VALUES ('r', 1, x'bb', 3);
        INSERT INTO messages (id, room_id, sender, seq, lamport, ts, envelope, text, received_at)
          VALUES ('m', 'r', 'BOB', 1, 1, 1, x'cc', 'the numbat survives', 4);
      `);
      const tables = ['settings', 'peers', 'rooms', 'control_ops', 'messages'];
      const before = tables.map((t) => db.prepare(`SELECT * FROM ${t}`).all());

      expect(migrate(db, 2)).toEqual({ from: 1, to: 2 });

      expect(columns(db, 'room_keys')).toEqual(['room_id', 'epoch_id', 'key', 'created_at']);
      expect(objects(db, 'table')).not.toContain('room_keys_new');
      // A numbered epoch has no epoch ID to become; its key is unsealed again from the log.
      expect(db.prepare('SELECT count(*) AS n FROM room_keys').get()).toEqual({ n: 0 });
      expect(tables.map((t) => db.prepare(`SELECT * FROM ${t}`).all())).toEqual(before);
      const found = db
        .prepare("SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'numbat'")
        .all();
      expect(found).toHaveLength(1);

      const pk = (db.pragma('table_info(room_keys)') as { name: string; pk: number }[])
        .filter((c) => c.pk > 0)
        .map((c) => c.name);
      expect(pk).toEqual(['room_id', 'epoch_id']);
      const put = db.prepare(
        "INSERT INTO room_keys (room_id, epoch_id, key, created_at) VALUES ('r', ?, x'dd', 5)",
      );
      put.run('0123456789abcdef0123456789abcdef');
      expect(() => put.run('0123456789abcdef0123456789abcdef')).toThrow(/UNIQUE/);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    });
  });

  describe('3: index for unread counts', () => {
    it('adds the index on a v2 database with messages, which keeps them', () => {
      const db = memoryDb();
      migrate(db, 2);
      const insert = db.prepare(
        `INSERT INTO messages (id, room_id, sender, seq, lamport, ts, envelope, text, received_at)
         VALUES (?, 'r', ?, ?, 1, 1, x'00', NULL, ?)`,
      );
      insert.run('a', 'ALICE', 1, 10);
      insert.run('b', 'BOB', 1, 20);
      insert.run('c', 'BOB', 2, 30);

      expect(migrate(db, 3)).toEqual({ from: 2, to: 3 });

      expect(objects(db, 'index')).toContain('messages_by_room_received');
      const index = (db.pragma('index_info(messages_by_room_received)') as { name: string }[]).map(
        (c) => c.name,
      );
      expect(index).toEqual(['room_id', 'received_at', 'sender']);
      const unread = db.prepare(
        "SELECT count(*) AS n FROM messages WHERE room_id = 'r' AND received_at > ? AND sender <> ?",
      );
      expect(unread.get(10, 'ALICE')).toEqual({ n: 2 });
      expect(unread.get(20, 'BOB')).toEqual({ n: 0 });
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    });
  });

  describe('4: delivery knowledge', () => {
    it('adds the deliveries table on a v3 database, which keeps its messages', () => {
      const db = memoryDb();
      migrate(db, 3);
      db.exec(`
        INSERT INTO messages (id, room_id, sender, seq, lamport, ts, envelope, text, received_at)
          VALUES ('m', 'r', 'ME', 1, 1, 1, x'cc', 'still here', 4);
      `);
      const before = db.prepare('SELECT * FROM messages').all();

      expect(migrate(db, 4)).toEqual({ from: 3, to: 4 });

      expect(columns(db, 'deliveries')).toEqual(['room_id', 'peer', 'held_up_to']);
      expect(db.prepare('SELECT * FROM messages').all()).toEqual(before);
      expect(db.prepare('SELECT count(*) AS n FROM deliveries').get()).toEqual({ n: 0 });
      const pk = (db.pragma('table_info(deliveries)') as { name: string; pk: number }[])
        .filter((c) => c.pk > 0)
        .map((c) => c.name);
      expect(pk).toEqual(['room_id', 'peer']);
      const put = db.prepare(
        "INSERT INTO deliveries (room_id, peer, held_up_to) VALUES ('r', 'BOB', ?)",
      );
      put.run(2);
      expect(() => put.run(3)).toThrow(/UNIQUE/);
      expect(() => db.prepare("INSERT INTO deliveries VALUES ('r', 'CAT', -1)").run()).toThrow(
        /CHECK/,
      );
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    });
  });

  describe('5: new messages indexed for search by the store, once per batch', () => {
    it('drops only the insert trigger on a v4 database, whose messages stay searchable', () => {
      const db = memoryDb();
      migrate(db, 4);
      const insert = (id: string, seq: number, text: string): void => {
        db.exec(`INSERT INTO messages (id, room_id, sender, seq, lamport, ts, envelope, text, received_at)
                 VALUES ('${id}', 'r', 'ME', ${seq}, 1, 1, x'cc', '${text}', 1)`);
      };
      insert('a', 1, 'quokka');
      insert('b', 2, 'wombat');
      const find = db.prepare<[string], { rowid: number }>(
        'SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?',
      );
      expect(find.all('quokka')).toHaveLength(1);

      expect(migrate(db, 5)).toEqual({ from: 4, to: 5 });

      expect(objects(db, 'trigger')).toEqual(['messages_fts_delete', 'messages_fts_update']);
      expect(find.all('quokka')).toHaveLength(1);
      // A row inserted now is not indexed by SQLite itself: the store's addMessages does it.
      insert('c', 3, 'numbat');
      expect(find.all('numbat')).toHaveLength(0);
      db.prepare("DELETE FROM messages WHERE id = 'b'").run();
      expect(find.all('wombat')).toHaveLength(0);
      db.prepare(
        "INSERT INTO messages_fts (rowid, text) SELECT pk, text FROM messages WHERE id = 'c'",
      ).run();
      expect(find.all('numbat')).toHaveLength(1);
      db.prepare("INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')").run();
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    });
  });

  describe('6: new messages indexed for search just after their commit', () => {
    it('keeps the index sound for rows indexed before and rows still waiting', () => {
      const db = memoryDb();
      migrate(db, 5);
      const insert = (id: string, seq: number, text: string): number => {
        const pk = db
          .prepare(
            `INSERT INTO messages (id, room_id, sender, seq, lamport, ts, envelope, text, received_at)
             VALUES (?, 'r', 'ME', ?, 1, 1, x'cc', ?, 1)`,
          )
          .run(id, seq, text).lastInsertRowid;
        return Number(pk);
      };
      const index = (pk: number): void => {
        db.prepare(
          'INSERT INTO messages_fts (rowid, text) SELECT pk, text FROM messages WHERE pk = ?',
        ).run(pk);
      };
      index(insert('a', 1, 'quokka'));
      index(insert('b', 2, 'wombat'));

      expect(migrate(db, 6)).toEqual({ from: 5, to: 6 });

      const find = (word: string): number =>
        db.prepare('SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?').all(word).length;
      const waiting = (): number =>
        (db.prepare('SELECT count(*) AS n FROM messages_unindexed').get() as { n: number }).n;
      // Rows indexed before the migration: deletes and edits change the index as before.
      db.prepare("UPDATE messages SET text = 'numbat' WHERE id = 'a'").run();
      expect([find('quokka'), find('numbat')]).toEqual([0, 1]);
      db.prepare("DELETE FROM messages WHERE id = 'b'").run();
      expect(find('wombat')).toBe(0);
      // Rows waiting: never in the index, so a delete only forgets the note, and an edit is
      // left to the indexing, which reads the text as it is then.
      const c = insert('c', 3, 'potoroo');
      const d = insert('d', 4, 'bilby');
      db.prepare('INSERT INTO messages_unindexed (pk) VALUES (?), (?)').run(c, d);
      db.prepare("DELETE FROM messages WHERE id = 'c'").run();
      db.prepare("UPDATE messages SET text = 'dunnart' WHERE id = 'd'").run();
      expect(waiting()).toBe(1);
      expect([find('potoroo'), find('bilby'), find('dunnart')]).toEqual([0, 0, 0]);
      db.prepare("INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')").run();
      index(d);
      db.prepare('DELETE FROM messages_unindexed').run();
      expect([find('bilby'), find('dunnart')]).toEqual([0, 1]);
      db.prepare("INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')").run();
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    });
  });
});
