import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ParleyError } from '../../../../shared/errors';
import { describeStoreContract } from '../store.contract';
import type { MessageRecord, Store } from '../store';
import { migrate, SCHEMA_VERSION } from './migrations';
import { createSqliteStore, INDEX_DELAY_MS, INDEX_UNINDEXED, ROOM_READS } from './sqlite-store';

function makeTempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'parley-store-'));
}

describeStoreContract('sqlite', async () => {
  const dir = makeTempDir();
  return {
    store: createSqliteStore({ path: path.join(dir, 'parley.db') }),
    cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
});

/** What a failed open rejected with, as a ParleyError. */
async function openError(store: Store): Promise<ParleyError> {
  const err: unknown = await store.open().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ParleyError);
  return err as ParleyError;
}

function message(seq: number, text: string | null): MessageRecord {
  return {
    id: seq.toString(16).padStart(64, '0'),
    roomId: 'room',
    sender: 'ALICE',
    seq,
    lamport: seq,
    ts: 1_700_000_000_000 + seq,
    envelope: Uint8Array.of(seq % 256, 1, 2, 3),
    text,
    receivedAt: 1_700_000_000_000 + seq,
  };
}

/** Writes a closed database with enough messages to span many pages. */
async function writeDatabase(dbPath: string, count: number): Promise<void> {
  const store = createSqliteStore({ path: dbPath });
  await store.open();
  const messages = Array.from({ length: count }, (_, i) =>
    message(i + 1, `message number ${i + 1} ${'padding '.repeat(20)}`),
  );
  await store.addMessages(messages);
  await store.close();
}

describe('SQLite store', () => {
  const dirs: string[] = [];
  const stores: Store[] = [];

  /** A temp dir and a store in it, both removed after the test. */
  function setup(): { dir: string; dbPath: string; store: Store } {
    const dir = makeTempDir();
    dirs.push(dir);
    const dbPath = path.join(dir, 'parley.db');
    const store = createSqliteStore({ path: dbPath });
    stores.push(store);
    return { dir, dbPath, store };
  }

  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    for (const dir of dirs.splice(0)) {
      // The unwritable-folder test takes write permission away; give it back to remove it.
      fs.chmodSync(dir, 0o700);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports its kind', () => {
    expect(setup().store.kind).toBe('sqlite');
  });

  it('uses WAL at the current schema version, and checkpoints on close', async () => {
    const { dbPath, store } = setup();
    await store.open();
    await store.setSetting('k', 'v');
    const peek = new Database(dbPath, { readonly: true });
    try {
      expect(peek.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(peek.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    } finally {
      peek.close();
    }
    await store.close();
    expect(fs.existsSync(`${dbPath}-wal`)).toBe(false);
  });

  it('syncs every commit but the delivery records, even after a delivery write fails', async () => {
    const { store } = setup();
    await store.open();
    // The connection's own setting: another connection would read its own default.
    const connection = (store as unknown as { db: Database.Database }).db;
    const synchronous = (): unknown => connection.pragma('synchronous', { simple: true });
    const FULL = 2;
    expect(synchronous()).toBe(FULL);
    await store.raiseDeliveries([{ roomId: 'room', peer: 'BOB', heldUpTo: 3 }]);
    expect(synchronous()).toBe(FULL);
    // Refused by the table's CHECK: the transaction fails, the setting is still put back.
    await expect(
      store.raiseDeliveries([{ roomId: 'room', peer: 'BOB', heldUpTo: -1 }]),
    ).rejects.toBeInstanceOf(ParleyError);
    expect(synchronous()).toBe(FULL);
    expect(await store.listDeliveries('room')).toEqual([
      { roomId: 'room', peer: 'BOB', heldUpTo: 3 },
    ]);
  });

  it("commits messages added with sync 'later' without waiting for the disk, and syncWrites syncs them", async () => {
    const { store, dbPath } = setup();
    await store.open();
    const connection = (store as unknown as { db: Database.Database }).db;
    const settingsDuring: string[] = [];
    const pragma = connection.pragma.bind(connection);
    connection.pragma = ((source: string, options?: Database.PragmaOptions) => {
      if (source.startsWith('synchronous =')) settingsDuring.push(source);
      return pragma(source, options);
    }) as typeof connection.pragma;

    // Each call is one synchronous unit of work; the search indexing's own unsynced commit
    // runs on a timer, so only what a call itself set is looked at.
    const settingsOf = async (call: () => Promise<unknown>): Promise<string[]> => {
      const from = settingsDuring.length;
      await call();
      return settingsDuring.slice(from);
    };
    expect(await settingsOf(() => store.addMessages([message(1, 'durable now')]))).toEqual([]);
    expect(
      await settingsOf(() => store.addMessages([message(2, 'later')], { sync: 'later' })),
    ).toEqual(['synchronous = NORMAL', 'synchronous = FULL']);
    expect(connection.pragma('synchronous', { simple: true })).toBe(2);

    // The synced commit must write a frame to the log, or there would be nothing to sync.
    const walBefore = fs.statSync(`${dbPath}-wal`).size;
    expect(await settingsOf(() => store.syncWrites())).toEqual([]);
    expect(fs.statSync(`${dbPath}-wal`).size).toBeGreaterThan(walBefore);
  });

  it('creates a missing data folder', async () => {
    const { dir } = setup();
    const dbPath = path.join(dir, 'nested', 'deeper', 'parley.db');
    const store = createSqliteStore({ path: dbPath });
    stores.push(store);
    await store.open();
    expect(fs.existsSync(dbPath)).toBe(true);
  });

  it('keeps data for a new store object on the same file, search index included', async () => {
    const { dbPath, store } = setup();
    await store.open();
    await store.addMessages([message(1, 'remember the quokka'), message(2, null)]);
    await store.setSetting('displayName', 'Alice');
    await store.close();

    const again = createSqliteStore({ path: dbPath });
    stores.push(again);
    await again.open();
    expect(await again.getSetting('displayName')).toBe('Alice');
    expect(await again.countMessages('room')).toBe(2);
    expect((await again.searchMessages('quokka', { limit: 5 })).map((m) => m.seq)).toEqual([1]);
  });

  it('writes nothing of a batch when one record in it is refused', async () => {
    const { dbPath, store } = setup();
    await store.open();
    const broken = { ...message(3, 'broken'), sender: null } as unknown as MessageRecord;
    const err: unknown = await store
      .addMessages([message(1, 'first'), message(2, 'second'), broken])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParleyError);
    expect((err as ParleyError).code).toBe('STORE_FAILED');
    expect(await store.countMessages('room')).toBe(0);
    expect(await store.searchMessages('first', { limit: 5 })).toEqual([]);
    await store.close();

    const db = new Database(dbPath);
    try {
      expect(db.prepare('SELECT count(*) AS n FROM messages_fts').get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });

  it('keeps the search index consistent with the messages', async () => {
    const { dbPath, store } = setup();
    await store.open();
    await store.addMessages(Array.from({ length: 50 }, (_, i) => message(i + 1, `text ${i}`)));
    await store.addMessages([message(1, 'duplicate ignored'), message(60, null)]);
    await store.close();

    const db = new Database(dbPath);
    try {
      // Throws SQLITE_CORRUPT_VTAB when the index and the messages table disagree.
      db.prepare("INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')").run();
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
  });

  describe('new messages enter the search index just after their commit', () => {
    /** Rows still waiting to be indexed, and FTS5's own check, read through a second connection. */
    function inspect(dbPath: string): { waiting: number } {
      const db = new Database(dbPath);
      try {
        // Throws SQLITE_CORRUPT_VTAB when the index and the messages table disagree.
        db.prepare("INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')").run();
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        const row = db.prepare('SELECT count(*) AS n FROM messages_unindexed').get() as {
          n: number;
        };
        return { waiting: row.n };
      } finally {
        db.close();
      }
    }

    it('notes them in the commit and indexes them together a moment later', async () => {
      const { dbPath, store } = setup();
      await store.open();
      await store.addMessages([message(1, 'first quokka'), message(2, null)]);
      await store.addMessages([message(3, 'second quokka')]);
      // Only rows with text wait; the message without text is never indexed.
      expect(inspect(dbPath).waiting).toBe(2);
      await new Promise((resolve) => setTimeout(resolve, INDEX_DELAY_MS * 4));
      expect(inspect(dbPath).waiting).toBe(0);
      const db = new Database(dbPath, { readonly: true });
      try {
        const found = db
          .prepare("SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'quokka'")
          .all();
        expect(found).toHaveLength(2);
      } finally {
        db.close();
      }
    });

    it('indexes before a search, so a message is found right after it is added', async () => {
      const { dbPath, store } = setup();
      await store.open();
      await store.addMessages([message(1, 'a numbat appears')]);
      expect((await store.searchMessages('numbat', { limit: 5 })).map((m) => m.seq)).toEqual([1]);
      expect(inspect(dbPath).waiting).toBe(0);
    });

    it('deletes a message that was never indexed without touching the index', async () => {
      const { dbPath, store } = setup();
      await store.open();
      await store.addMessages([message(1, 'kept wombat'), message(2, 'gone wombat')]);
      expect(await store.deleteMessages('room', [message(2, '').id])).toBe(1);
      expect(inspect(dbPath).waiting).toBe(1);
      expect((await store.searchMessages('wombat', { limit: 5 })).map((m) => m.seq)).toEqual([1]);
      // Deleting an indexed message still takes it out of the index.
      expect(await store.deleteMessages('room', [message(1, '').id])).toBe(1);
      expect(await store.searchMessages('wombat', { limit: 5 })).toEqual([]);
      expect(inspect(dbPath)).toEqual({ waiting: 0 });
    });

    it('indexes at close, and at open what a killed run left waiting', async () => {
      const { dbPath, store } = setup();
      await store.open();
      await store.addMessages([message(1, 'closing bilby')]);
      await store.close();
      expect(inspect(dbPath).waiting).toBe(0);

      // What a run killed within INDEX_DELAY_MS of a commit leaves behind.
      const killed = new Database(dbPath);
      try {
        const pk = killed
          .prepare(
            `INSERT INTO messages (id, room_id, sender, seq, lamport, ts, envelope, text, received_at)
             VALUES ('k', 'room', 'BOB', 1, 1, 1, x'00', 'killed potoroo', 1)`,
          )
          .run().lastInsertRowid;
        killed.prepare('INSERT INTO messages_unindexed (pk) VALUES (?)').run(pk);
      } finally {
        killed.close();
      }
      const again = createSqliteStore({ path: dbPath });
      stores.push(again);
      await again.open();
      expect(inspect(dbPath).waiting).toBe(0);
      const db = new Database(dbPath, { readonly: true });
      try {
        expect(
          db.prepare("SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'potoroo'").all(),
        ).toHaveLength(1);
      } finally {
        db.close();
      }
    });
  });

  it('answers the per-room reads from indexes, never by scanning or sorting messages', () => {
    const db = new Database(':memory:');
    try {
      migrate(db);
      for (const [name, sql] of Object.entries(ROOM_READS)) {
        const explain = db.prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`);
        // The values do not matter to the plan, only that every parameter has one.
        const params = sql.includes('@room')
          ? [{ room: 'r' }]
          : Array.from(sql.matchAll(/\?/g), () => 1);
        const plan = explain.all(...params).map((row) => row.detail);
        // Reading back a CTE or subquery as it is produced (a co-routine) is no table scan.
        const coroutines = new Set(plan.flatMap((d) => /^CO-ROUTINE (.+)$/.exec(d)?.[1] ?? []));
        const tableScans = plan.filter((d) => d.startsWith('SCAN ') && !coroutines.has(d.slice(5)));
        expect(tableScans, name).toEqual([]);
        expect(
          plan.filter((d) => d.includes('TEMP B-TREE')),
          name,
        ).toEqual([]);
        expect(plan.join('\n'), name).toMatch(/SEARCH messages USING (COVERING )?INDEX/);
      }
    } finally {
      db.close();
    }
  });

  it('indexes the noted messages by looking each one up, never by scanning the messages', () => {
    const db = new Database(':memory:');
    try {
      migrate(db);
      const plan = db
        .prepare<[], { detail: string }>(`EXPLAIN QUERY PLAN ${INDEX_UNINDEXED}`)
        .all()
        .map((row) => row.detail);
      expect(plan.filter((d) => d.startsWith('SCAN '))).toEqual(['SCAN u']);
      expect(plan).toContain('SEARCH m USING INTEGER PRIMARY KEY (rowid=?)');
    } finally {
      db.close();
    }
  });

  it('matches words by prefix, so a word still being typed finds messages', async () => {
    const { store } = setup();
    await store.open();
    await store.addMessages([message(1, 'The meeting moved to Thursday'), message(2, 'meat')]);
    const found = await store.searchMessages('meet thu', { limit: 5 });
    expect(found.map((m) => m.seq)).toEqual([1]);
  });

  it('refuses a database from a newer Parley and leaves it untouched', async () => {
    const { dbPath, store } = setup();
    const future = SCHEMA_VERSION + 7;
    const db = new Database(dbPath);
    db.pragma(`user_version = ${future}`);
    db.exec('CREATE TABLE from_the_future (x)');
    db.close();
    const before = fs.readFileSync(dbPath);

    const err = await openError(store);
    expect(err.code).toBe('STORE_TOO_NEW');
    expect(err.message).toContain(dbPath);
    expect(err.message).toContain(String(future));
    expect(fs.readFileSync(dbPath).equals(before)).toBe(true);
  });

  it('reports a file that is not a database as damaged, naming the file', async () => {
    const { dbPath, store } = setup();
    // Fixed "random" bytes, so the test is the same on every run.
    fs.writeFileSync(
      dbPath,
      Uint8Array.from({ length: 8192 }, (_, i) => (i * 131 + 7) % 256),
    );
    const err = await openError(store);
    expect(err.code).toBe('STORE_CORRUPT');
    expect(err.message).toContain(dbPath);
    expect(err.message).toMatch(/move the file aside|backup/i);
  });

  it('reports a truncated database as damaged', async () => {
    const { dbPath, store } = setup();
    await writeDatabase(dbPath, 400);
    const size = fs.statSync(dbPath).size;
    fs.truncateSync(dbPath, Math.floor(size / 2));
    const err = await openError(store);
    expect(err.code).toBe('STORE_CORRUPT');
    expect(err.message).toContain(dbPath);
  });

  it('finds a damaged page inside an otherwise readable database when opening', async () => {
    const { dbPath, store } = setup();
    await writeDatabase(dbPath, 400);
    const pageSize = 4096;
    const pages = fs.statSync(dbPath).size / pageSize;
    // Overwrite a page in the middle (not the header page) with garbage.
    const fd = fs.openSync(dbPath, 'r+');
    try {
      const garbage = Buffer.alloc(pageSize, 0xa5);
      fs.writeSync(fd, garbage, 0, pageSize, Math.floor(pages / 2) * pageSize);
    } finally {
      fs.closeSync(fd);
    }
    const err = await openError(store);
    expect(err.code).toBe('STORE_CORRUPT');
    expect(err.message).toContain(dbPath);
  });

  it('can open again after a failed open, once the file is fixed', async () => {
    const { dbPath, store } = setup();
    fs.writeFileSync(dbPath, 'this is not a database, it is a text file');
    expect((await openError(store)).code).toBe('STORE_CORRUPT');
    fs.rmSync(dbPath);
    await store.open();
    await store.setSetting('k', 'v');
    expect(await store.getSetting('k')).toBe('v');
  });

  it('reports a data folder that cannot exist (a file is in the way)', async () => {
    const { dir } = setup();
    const file = path.join(dir, 'not-a-folder');
    fs.writeFileSync(file, 'x');
    const dbPath = path.join(file, 'parley.db');
    const store = createSqliteStore({ path: dbPath });
    stores.push(store);
    const err = await openError(store);
    expect(err.code).toBe('DATA_DIR_UNWRITABLE');
    expect(err.message).toContain(file);
  });

  it.skipIf(process.getuid?.() === 0)(
    'reports a data folder without write permission (skipped as root, who may write anyway)',
    async () => {
      const { dir, dbPath, store } = setup();
      fs.chmodSync(dir, 0o500);
      const err = await openError(store);
      expect(err.code).toBe('DATA_DIR_UNWRITABLE');
      expect(err.message).toContain(dbPath);
    },
  );
});
