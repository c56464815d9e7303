/**
 * The behaviour every Store backend must show, as a Vitest suite written against the Store
 * interface alone. A backend's test file calls `describeStoreContract(name, factory)`; the
 * SQLite store and the MongoDB store run exactly this suite.
 *
 * What must stay true: nothing here may depend on a backend (no SQL, no file paths, no
 * timing), so a test that fails names a broken promise of the interface, not an implementation
 * detail.
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ParleyError } from '../../../shared/errors';
import type {
  ControlOpRecord,
  MessageRecord,
  PeerRecord,
  RoomKeyRecord,
  RoomRecord,
  Store,
} from './store';

/** Makes a fresh, empty store (opened or not) and a function that removes what it made. */
export type StoreFactory = () => Promise<{ store: Store; cleanup: () => Promise<void> }>;

/** A plausible clock value (ms); times in the fixtures count up from here. */
const BASE_TIME_MS = 1_700_000_000_000;

const ROOM_A = 'room-a';
const ROOM_B = 'room-b';
const ALICE = 'ALICE-DEVICE';
const BOB = 'BOB-DEVICE';

/** A stable 64-hex "hash" for a fixture label. */
function hex(label: string): string {
  return createHash('sha256').update(label).digest('hex');
}

/** Every byte value, starting at `shift`, so distinct fixtures hold distinct bytes. */
function allBytes(shift = 0): Uint8Array {
  return Uint8Array.from({ length: 256 }, (_, i) => (i + shift) % 256);
}

function peer(deviceId: string, name: string, extra: Partial<PeerRecord> = {}): PeerRecord {
  return {
    deviceId,
    name,
    publicKey: allBytes(deviceId.length),
    addresses: ['192.168.1.20:4433', '[fe80::1]:4433'],
    verified: false,
    manual: false,
    firstSeen: BASE_TIME_MS,
    lastSeen: null,
    ...extra,
  };
}

function room(id: string, extra: Partial<RoomRecord> = {}): RoomRecord {
  return {
    id,
    name: `Room ${id}`,
    topic: '',
    kind: 'room',
    createdAt: BASE_TIME_MS,
    muted: false,
    lastReadAt: 0,
    ...extra,
  };
}

function op(roomId: string, label: string, lamport: number): ControlOpRecord {
  return {
    hash: hex(`op/${roomId}/${label}`),
    roomId,
    author: ALICE,
    lamport,
    bytes: new TextEncoder().encode(`signed op ${label}`),
    receivedAt: BASE_TIME_MS + lamport,
  };
}

/** A stable epoch ID (32 lower-case hex, like a random one) for a fixture label. */
function epochId(label: string): string {
  return hex(`epoch/${label}`).slice(0, 32);
}

/** The key of the epoch labelled `epoch`; `fill` makes a different key for the same epoch. */
function roomKey(
  roomId: string,
  epoch: string,
  fill = 0x42,
  createdAt = BASE_TIME_MS,
): RoomKeyRecord {
  return { roomId, epochId: epochId(epoch), key: new Uint8Array(32).fill(fill), createdAt };
}

interface MessageFixture {
  roomId?: string;
  sender?: string;
  seq: number;
  lamport?: number;
  text?: string | null;
  /** Makes a different envelope (and so a different ID) for the same room, sender and seq. */
  variant?: string;
  /** Default: one ms after the sender's clock. */
  receivedAt?: number;
}

function message(f: MessageFixture): MessageRecord {
  const roomId = f.roomId ?? ROOM_A;
  const sender = f.sender ?? ALICE;
  const label = `msg/${roomId}/${sender}/${f.seq}/${f.variant ?? ''}`;
  return {
    id: hex(label),
    roomId,
    sender,
    seq: f.seq,
    lamport: f.lamport ?? f.seq,
    ts: BASE_TIME_MS + f.seq,
    envelope: new TextEncoder().encode(label),
    text: f.text === undefined ? `message ${f.seq} from ${sender}` : f.text,
    receivedAt: f.receivedAt ?? BASE_TIME_MS + f.seq + 1,
  };
}

/** Sorts like the Store's message order: (lamport, id). */
function byLamportThenId(a: MessageRecord, b: MessageRecord): number {
  return a.lamport - b.lamport || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function expectBytes(actual: unknown, expected: Uint8Array): void {
  expect(actual).toBeInstanceOf(Uint8Array);
  expect(Array.from(actual as Uint8Array)).toEqual(Array.from(expected));
}

/** Compares records field by field, with byte fields compared as bytes. */
function expectRecord<T extends object>(actual: T | undefined, expected: T): void {
  expect(actual).toBeDefined();
  for (const [key, value] of Object.entries(expected)) {
    const got = (actual as Record<string, unknown>)[key];
    if (value instanceof Uint8Array) expectBytes(got, value);
    else expect(got, key).toEqual(value);
  }
}

async function expectParleyError(promise: Promise<unknown>, code: string): Promise<void> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ParleyError);
  expect((err as ParleyError).code).toBe(code);
}

/** Text a user might paste into a search box that means something to a query language. */
const NASTY_QUERIES = [
  '"',
  '"unbalanced',
  'unbalanced"',
  '""',
  '"""',
  "'",
  'AND',
  'OR',
  'NOT',
  'AND OR NOT',
  'rock AND',
  'NEAR(rock roll)',
  'NEAR(',
  '*',
  'ro*',
  '**',
  '(',
  ')',
  '(rock',
  '()',
  '{text}: rock',
  'text:rock',
  'col:',
  '^rock',
  '-rock',
  '+rock',
  'rock - roll',
  '%',
  '_',
  '\\',
  '[rock]',
  '$where',
  '{"$gt": ""}',
  'hello\u0000world',
  '🙂',
  '🙂 rock',
  '\t\n',
  'rock'.repeat(2_000),
  Array.from({ length: 200 }, (_, i) => `w${i}`).join(' '),
];

export function describeStoreContract(name: string, factory: StoreFactory): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ store, cleanup } = await factory());
      await store.open();
    });

    afterEach(async () => {
      await store.close();
      await cleanup();
    });

    describe('lifecycle', () => {
      it('can be opened twice', async () => {
        await store.open();
        await store.setSetting('k', 'v');
        expect(await store.getSetting('k')).toBe('v');
      });

      it('can be closed twice, and closed before it was ever opened', async () => {
        await store.close();
        await store.close();
        const fresh = await factory();
        try {
          await fresh.store.close();
          await fresh.store.close();
        } finally {
          await fresh.cleanup();
        }
      });

      it('refuses calls after close with a coded error', async () => {
        await store.close();
        await expectParleyError(store.getSetting('k'), 'STORE_FAILED');
        await expectParleyError(store.addMessages([message({ seq: 1 })]), 'STORE_FAILED');
        await expectParleyError(store.deleteMessages(ROOM_A, [hex('x')]), 'STORE_FAILED');
        await expectParleyError(store.deleteRoom(ROOM_A), 'STORE_FAILED');
        await expectParleyError(store.listMessagesAfter(ROOM_A, {}, 10), 'STORE_FAILED');
        await expectParleyError(store.listEnvelopesAfter(ROOM_A, {}, 10), 'STORE_FAILED');
        await expectParleyError(store.lastMessageOf(ROOM_A, ALICE), 'STORE_FAILED');
      });

      it('keeps everything across close and open', async () => {
        await store.setSetting('name', 'Alice');
        await store.upsertPeer(peer(BOB, 'Bob'));
        await store.putRoom(room(ROOM_A));
        await store.addControlOps([op(ROOM_A, 'create', 1)]);
        await store.putRoomKey(roomKey(ROOM_A, 'first'));
        await store.addMessages([message({ seq: 1, text: 'survives a restart' })]);

        await store.close();
        await store.open();

        expect(await store.getSetting('name')).toBe('Alice');
        expectRecord(await store.getPeer(BOB), peer(BOB, 'Bob'));
        expect(await store.getRoom(ROOM_A)).toEqual(room(ROOM_A));
        expect(await store.listControlOps(ROOM_A)).toHaveLength(1);
        expectRecord(await store.getRoomKey(ROOM_A, epochId('first')), roomKey(ROOM_A, 'first'));
        expect((await store.searchMessages('restart', { limit: 10 })).map((m) => m.seq)).toEqual([
          1,
        ]);
      });
    });

    describe('settings', () => {
      it('answers undefined for a key never set', async () => {
        expect(await store.getSetting('missing')).toBeUndefined();
      });

      it('stores, overwrites and keeps empty and unicode values', async () => {
        await store.setSetting('displayName', 'Zoë 🦊');
        expect(await store.getSetting('displayName')).toBe('Zoë 🦊');
        await store.setSetting('displayName', '');
        expect(await store.getSetting('displayName')).toBe('');
        await store.setSetting('other', 'x');
        expect(await store.getSetting('displayName')).toBe('');
      });
    });

    describe('peers', () => {
      it('round-trips every field, bytes exactly', async () => {
        const p = peer(BOB, 'Bob', { verified: true, manual: true, lastSeen: BASE_TIME_MS + 5 });
        await store.upsertPeer(p);
        const got = await store.getPeer(BOB);
        expectRecord(got, p);
        expect(got?.addresses).toEqual(['192.168.1.20:4433', '[fe80::1]:4433']);
      });

      it('keeps an empty address list and a peer never seen online', async () => {
        await store.upsertPeer(peer(BOB, 'Bob', { addresses: [], lastSeen: null }));
        const got = await store.getPeer(BOB);
        expect(got?.addresses).toEqual([]);
        expect(got?.lastSeen).toBeNull();
      });

      it('replaces a peer on a second upsert', async () => {
        await store.upsertPeer(peer(BOB, 'Bob'));
        const updated = peer(BOB, 'Robert', {
          publicKey: allBytes(99),
          addresses: ['10.0.0.9:5000'],
          verified: true,
          lastSeen: BASE_TIME_MS + 60_000,
        });
        await store.upsertPeer(updated);
        expectRecord(await store.getPeer(BOB), updated);
        expect(await store.listPeers()).toHaveLength(1);
      });

      it('lists by name, then device ID', async () => {
        await store.upsertPeer(peer('D3', 'carol'));
        await store.upsertPeer(peer('D2', 'alice'));
        await store.upsertPeer(peer('D1', 'bob'));
        await store.upsertPeer(peer('D0', 'alice'));
        const list = await store.listPeers();
        expect(list.map((p) => [p.name, p.deviceId])).toEqual([
          ['alice', 'D0'],
          ['alice', 'D2'],
          ['bob', 'D1'],
          ['carol', 'D3'],
        ]);
      });

      it('deletes a peer, and deleting an unknown peer does nothing', async () => {
        await store.upsertPeer(peer(ALICE, 'Alice'));
        await store.upsertPeer(peer(BOB, 'Bob'));
        await store.deletePeer(BOB);
        await store.deletePeer('NOBODY');
        expect(await store.getPeer(BOB)).toBeUndefined();
        expect((await store.listPeers()).map((p) => p.deviceId)).toEqual([ALICE]);
      });
    });

    describe('rooms', () => {
      it('round-trips every field', async () => {
        const r = room(ROOM_A, {
          name: 'Café ☕',
          topic: 'Lunch plans',
          kind: 'dm',
          muted: true,
          lastReadAt: BASE_TIME_MS + 9,
        });
        await store.putRoom(r);
        expect(await store.getRoom(ROOM_A)).toEqual(r);
        expect(await store.getRoom('missing')).toBeUndefined();
      });

      it('replaces a room on a second put', async () => {
        await store.putRoom(room(ROOM_A));
        const renamed = room(ROOM_A, { name: 'Renamed', muted: true, lastReadAt: 42 });
        await store.putRoom(renamed);
        expect(await store.listRooms()).toEqual([renamed]);
      });

      it('lists by creation time, then ID', async () => {
        await store.putRoom(room('r3', { createdAt: BASE_TIME_MS + 1 }));
        await store.putRoom(room('r2', { createdAt: BASE_TIME_MS + 2 }));
        await store.putRoom(room('r1', { createdAt: BASE_TIME_MS + 1 }));
        expect((await store.listRooms()).map((r) => r.id)).toEqual(['r1', 'r3', 'r2']);
      });
    });

    describe('control ops', () => {
      it('reports which ops were new, in input order, and ignores duplicates', async () => {
        const [a, b, c] = [op(ROOM_A, 'a', 1), op(ROOM_A, 'b', 2), op(ROOM_A, 'c', 3)];
        expect(await store.addControlOps([b, a])).toEqual([b.hash, a.hash]);
        expect(await store.addControlOps([a, b])).toEqual([]);
        expect(await store.addControlOps([c, a, c])).toEqual([c.hash]);
        expect(await store.addControlOps([])).toEqual([]);
        expect(await store.listControlOps(ROOM_A)).toHaveLength(3);
      });

      it('lists in fold order: lamport, then hash', async () => {
        const ops = [
          op(ROOM_A, 'x', 5),
          op(ROOM_A, 'y', 2),
          op(ROOM_A, 'z', 2),
          op(ROOM_A, 'w', 2),
          op(ROOM_A, 'v', 1),
        ];
        await store.addControlOps(ops);
        const expected = [...ops].sort(
          (p, q) => p.lamport - q.lamport || (p.hash < q.hash ? -1 : 1),
        );
        expect((await store.listControlOps(ROOM_A)).map((o) => o.hash)).toEqual(
          expected.map((o) => o.hash),
        );
      });

      it('round-trips every field, bytes exactly', async () => {
        const o = { ...op(ROOM_A, 'bytes', 7), bytes: allBytes(3) };
        await store.addControlOps([o]);
        const [got] = await store.listControlOps(ROOM_A);
        expectRecord(got, o);
      });

      it("never lists another room's ops", async () => {
        await store.addControlOps([op(ROOM_A, 'a', 1), op(ROOM_B, 'b', 1), op(ROOM_B, 'c', 2)]);
        expect((await store.listControlOps(ROOM_A)).map((o) => o.roomId)).toEqual([ROOM_A]);
        expect(await store.listControlOps(ROOM_B)).toHaveLength(2);
        expect(await store.listControlOps('room-unknown')).toEqual([]);
      });
    });

    describe('room keys', () => {
      it('round-trips a key by room and epoch ID, bytes exactly', async () => {
        const k = { ...roomKey(ROOM_A, 'e1'), key: allBytes(200).slice(0, 32) };
        await store.putRoomKey(k);
        expectRecord(await store.getRoomKey(ROOM_A, epochId('e1')), k);
        expect(await store.getRoomKey(ROOM_A, epochId('e2'))).toBeUndefined();
        expect(await store.getRoomKey(ROOM_B, epochId('e1'))).toBeUndefined();
      });

      it('accepts the same key twice', async () => {
        await store.putRoomKey(roomKey(ROOM_A, 'e1'));
        await store.putRoomKey(roomKey(ROOM_A, 'e1'));
        expect(await store.listRoomKeys(ROOM_A)).toHaveLength(1);
      });

      it('refuses a different key for a stored epoch and keeps the first', async () => {
        await store.putRoomKey(roomKey(ROOM_A, 'e1', 0xaa));
        await expectParleyError(store.putRoomKey(roomKey(ROOM_A, 'e1', 0xbb)), 'STORE_FAILED');
        expectRecord(await store.getRoomKey(ROOM_A, epochId('e1')), roomKey(ROOM_A, 'e1', 0xaa));
      });

      it('keeps the same epoch ID apart in different rooms', async () => {
        await store.putRoomKey(roomKey(ROOM_A, 'e1', 0xaa));
        await store.putRoomKey(roomKey(ROOM_B, 'e1', 0xbb));
        expectRecord(await store.getRoomKey(ROOM_B, epochId('e1')), roomKey(ROOM_B, 'e1', 0xbb));
      });

      it('lists by createdAt, then epoch ID, one room only', async () => {
        const keys = [
          roomKey(ROOM_A, 'late', 1, BASE_TIME_MS + 9),
          roomKey(ROOM_A, 'early', 2, BASE_TIME_MS),
          roomKey(ROOM_A, 'tie-1', 3, BASE_TIME_MS + 5),
          roomKey(ROOM_A, 'tie-2', 4, BASE_TIME_MS + 5),
          roomKey(ROOM_A, 'tie-3', 5, BASE_TIME_MS + 5),
        ];
        for (const k of keys) await store.putRoomKey(k);
        await store.putRoomKey(roomKey(ROOM_B, 'other'));
        const ties = keys.slice(2).map((k) => k.epochId);
        expect((await store.listRoomKeys(ROOM_A)).map((k) => k.epochId)).toEqual([
          epochId('early'),
          ...ties.sort(),
          epochId('late'),
        ]);
        expect((await store.listRoomKeys(ROOM_B)).map((k) => k.epochId)).toEqual([
          epochId('other'),
        ]);
        expect(await store.listRoomKeys('room-unknown')).toEqual([]);
      });
    });

    describe('messages', () => {
      it('reports which messages were new, in input order, and reads them back', async () => {
        const [m1, m2, m3] = [message({ seq: 1 }), message({ seq: 2 }), message({ seq: 3 })];
        expect(await store.addMessages([m2, m1])).toEqual([m2.id, m1.id]);
        expect(await store.addMessages([m1, m3, m3])).toEqual([m3.id]);
        expect(await store.addMessages([])).toEqual([]);
        expectRecord(await store.getMessage(m2.id), m2);
        expect(await store.getMessage(hex('missing'))).toBeUndefined();
        expect(await store.countMessages(ROOM_A)).toBe(3);
      });

      it("stores messages added with sync 'later' like any others, durable after syncWrites", async () => {
        const [m1, m2] = [message({ seq: 1, text: 'relayed later' }), message({ seq: 2 })];
        expect(await store.addMessages([m1], { sync: 'later' })).toEqual([m1.id]);
        expect(await store.addMessages([m1, m2], { sync: 'later' })).toEqual([m2.id]);
        await store.syncWrites();
        await store.syncWrites();
        expectRecord(await store.getMessage(m1.id), m1);
        expect(await store.versionVector(ROOM_A)).toEqual({ [m1.sender]: 2 });

        await store.close();
        await expectParleyError(store.syncWrites(), 'STORE_FAILED');
        await store.open();
        expect(await store.countMessages(ROOM_A)).toBe(2);
        expect((await store.searchMessages('relayed', { limit: 10 })).map((m) => m.id)).toEqual([
          m1.id,
        ]);
      });

      it('ignores a second message with a taken (room, sender, seq) and keeps the first', async () => {
        const first = message({ seq: 1, text: 'first' });
        const rival = message({ seq: 1, text: 'rival', variant: 'rival' });
        expect(first.id).not.toBe(rival.id);
        await store.addMessages([first]);
        expect(await store.addMessages([rival])).toEqual([]);
        expect(await store.getMessage(rival.id)).toBeUndefined();
        expect((await store.getMessage(first.id))?.text).toBe('first');
        expect(await store.searchMessages('rival', { limit: 10 })).toEqual([]);
      });

      it('ignores a taken (room, sender, seq) inside one batch too', async () => {
        const first = message({ seq: 1 });
        const rival = message({ seq: 1, variant: 'rival' });
        expect(await store.addMessages([first, rival])).toEqual([first.id]);
      });

      it('keeps the same sender and seq apart in different rooms', async () => {
        const a = message({ roomId: ROOM_A, seq: 1 });
        const b = message({ roomId: ROOM_B, seq: 1 });
        expect(await store.addMessages([a, b])).toEqual([a.id, b.id]);
      });

      it('round-trips every field: bytes exactly, unicode text, null text, large numbers', async () => {
        const texts = [
          'Grüße aus Köln — “quoted” ‘single’',
          'مرحبا بالعالم',
          '你好，世界',
          '👩‍👩‍👧‍👦 🏳️‍🌈 🇩🇪 𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
          'e\u0301 (decomposed) and é (composed)',
          'line one\nline two\ttabbed',
          '',
          null,
        ];
        const messages = texts.map((text, i) => ({
          ...message({ seq: i + 1, text }),
          envelope: allBytes(i),
          lamport: 2 ** 40 + i,
          ts: BASE_TIME_MS * 2,
        }));
        await store.addMessages(messages);
        for (const m of messages) expectRecord(await store.getMessage(m.id), m);
        const listed = await store.listMessages(ROOM_A, { limit: 100 });
        expect(listed.map((m) => m.text)).toEqual(texts);
        listed.forEach((m, i) => expectBytes(m.envelope, allBytes(i)));
      });

      it('round-trips a large envelope exactly', async () => {
        const envelope = Uint8Array.from({ length: 64 * 1024 }, (_, i) => (i * 7919) % 256);
        const m = { ...message({ seq: 1 }), envelope };
        await store.addMessages([m]);
        expectBytes((await store.getMessage(m.id))?.envelope, envelope);
      });

      it('counts per room', async () => {
        await store.addMessages([
          message({ roomId: ROOM_A, seq: 1 }),
          message({ roomId: ROOM_A, seq: 2 }),
          message({ roomId: ROOM_B, seq: 1 }),
        ]);
        expect(await store.countMessages(ROOM_A)).toBe(2);
        expect(await store.countMessages(ROOM_B)).toBe(1);
        expect(await store.countMessages('room-unknown')).toBe(0);
      });
    });

    describe('listing messages', () => {
      it('orders by lamport, then ID, whatever the order of arrival', async () => {
        const messages = [
          message({ seq: 1, lamport: 4 }),
          message({ seq: 2, lamport: 2 }),
          message({ sender: BOB, seq: 1, lamport: 2 }),
          message({ sender: BOB, seq: 2, lamport: 9 }),
          message({ seq: 3, lamport: 2 }),
          message({ sender: BOB, seq: 3, lamport: 1 }),
        ];
        for (const m of messages) await store.addMessages([m]);
        const listed = await store.listMessages(ROOM_A, { limit: 10 });
        expect(listed.map((m) => m.id)).toEqual(
          [...messages].sort(byLamportThenId).map((m) => m.id),
        );
      });

      it('returns the newest page, oldest first, and walks back page by page', async () => {
        const all = Array.from({ length: 25 }, (_, i) =>
          message({ sender: i % 2 ? ALICE : BOB, seq: i + 1, lamport: Math.floor(i / 3) }),
        );
        await store.addMessages([...all].reverse());
        const expected = [...all].sort(byLamportThenId).map((m) => m.id);

        const first = await store.listMessages(ROOM_A, { limit: 10 });
        expect(first.map((m) => m.id)).toEqual(expected.slice(15));

        const seen: string[] = [];
        let page = first;
        const pageSizes: number[] = [];
        while (page.length > 0) {
          pageSizes.push(page.length);
          seen.unshift(...page.map((m) => m.id));
          const oldest = page[0];
          if (!oldest) break;
          page = await store.listMessages(ROOM_A, {
            before: { lamport: oldest.lamport, id: oldest.id },
            limit: 10,
          });
        }
        expect(pageSizes).toEqual([10, 10, 5]);
        expect(seen).toEqual(expected);
      });

      it('is strictly before the cursor, which need not be a stored message', async () => {
        const messages = [1, 2, 3, 4].map((seq) => message({ seq, lamport: seq > 2 ? 5 : seq }));
        await store.addMessages(messages);
        const sorted = [...messages].sort(byLamportThenId);
        const cursor = sorted[3];
        if (!cursor) throw new Error('fixture');

        const before = await store.listMessages(ROOM_A, {
          before: { lamport: cursor.lamport, id: cursor.id },
          limit: 10,
        });
        expect(before.map((m) => m.id)).toEqual(sorted.slice(0, 3).map((m) => m.id));

        const all = await store.listMessages(ROOM_A, {
          before: { lamport: 5, id: 'f'.repeat(64) },
          limit: 10,
        });
        expect(all).toHaveLength(4);
        const none = await store.listMessages(ROOM_A, {
          before: { lamport: 1, id: '' },
          limit: 10,
        });
        expect(none).toEqual([]);
      });

      it('handles a limit above the count and a limit of 0', async () => {
        await store.addMessages([message({ seq: 1 }), message({ seq: 2 })]);
        expect(await store.listMessages(ROOM_A, { limit: 1_000 })).toHaveLength(2);
        expect(await store.listMessages(ROOM_A, { limit: 0 })).toEqual([]);
      });

      it("never lists another room's messages", async () => {
        await store.addMessages([
          message({ roomId: ROOM_A, seq: 1, lamport: 1 }),
          message({ roomId: ROOM_B, seq: 1, lamport: 2 }),
          message({ roomId: ROOM_B, seq: 2, lamport: 0 }),
        ]);
        const listed = await store.listMessages(ROOM_A, { limit: 10 });
        expect(listed.map((m) => m.roomId)).toEqual([ROOM_A]);
        const paged = await store.listMessages(ROOM_A, {
          before: { lamport: 3, id: '' },
          limit: 10,
        });
        expect(paged.map((m) => m.roomId)).toEqual([ROOM_A]);
        expect(await store.listMessages('room-unknown', { limit: 10 })).toEqual([]);
      });
    });

    describe('version vector', () => {
      it('is empty for a room without messages', async () => {
        expect(await store.versionVector(ROOM_A)).toEqual({});
      });

      it('gives the top of the run from seq 1, per sender, and rises when a gap is filled', async () => {
        await store.addMessages(
          [1, 2, 3, 5, 6]
            .map((seq) => message({ sender: ALICE, seq }))
            .concat(
              [1].map((seq) => message({ sender: BOB, seq })),
              [2, 3].map((seq) => message({ sender: 'CAROL-DEVICE', seq })),
            ),
        );
        expect(await store.versionVector(ROOM_A)).toEqual({ [ALICE]: 3, [BOB]: 1 });

        await store.addMessages([message({ sender: ALICE, seq: 4 })]);
        await store.addMessages([message({ sender: 'CAROL-DEVICE', seq: 1 })]);
        expect(await store.versionVector(ROOM_A)).toEqual({
          [ALICE]: 6,
          [BOB]: 1,
          'CAROL-DEVICE': 3,
        });
      });

      it('agrees with counting by hand over many senders with gaps in different places', async () => {
        // Sender i skips the seqs where a fixed formula hits 0; every fifth sender lacks seq 1.
        const stored = Array.from({ length: 25 }, (_, i) => ({
          sender: `SENDER-${String(i).padStart(2, '0')}`,
          seqs: Array.from({ length: 60 }, (_, j) => j + 1).filter(
            (seq) => (seq * 7 + i * 13) % 29 !== 0 && !(seq === 1 && i % 5 === 0),
          ),
        }));
        await store.addMessages(
          stored.flatMap(({ sender, seqs }) => seqs.map((seq) => message({ sender, seq }))),
        );
        const expected: Record<string, number> = {};
        for (const { sender, seqs } of stored) {
          let top = 0;
          while (seqs.includes(top + 1)) top++;
          if (top > 0) expected[sender] = top;
        }
        const vv = await store.versionVector(ROOM_A);
        expect(vv).toEqual(expected);

        // And a peer holding exactly that vector is sent everything above it, in order.
        const lacking = stored.flatMap(({ sender, seqs }) =>
          seqs.filter((seq) => seq > (vv[sender] ?? 0)).map((seq) => `${sender}#${seq}`),
        );
        const found = await store.listMessagesAfter(ROOM_A, vv, 10_000);
        expect(found.map((m) => `${m.sender}#${m.seq}`)).toEqual(lacking);
      });

      it('counts only the room asked about', async () => {
        await store.addMessages([
          message({ roomId: ROOM_A, sender: ALICE, seq: 1 }),
          message({ roomId: ROOM_B, sender: ALICE, seq: 2 }),
          message({ roomId: ROOM_B, sender: BOB, seq: 1 }),
        ]);
        expect(await store.versionVector(ROOM_A)).toEqual({ [ALICE]: 1 });
        expect(await store.versionVector(ROOM_B)).toEqual({ [BOB]: 1 });
      });
    });

    describe('deleting messages', () => {
      it("deletes the room's messages with those IDs and reports how many", async () => {
        const [m1, m2, m3] = [1, 2, 3].map((seq) => message({ seq, text: `note${seq} here` }));
        const other = message({ roomId: ROOM_B, seq: 1, text: 'note1 elsewhere' });
        if (!m1 || !m2 || !m3) throw new Error('fixture');
        await store.addMessages([m1, m2, m3, other]);

        const ids = [m1.id, m3.id, m3.id, hex('never stored'), other.id];
        expect(await store.deleteMessages(ROOM_A, ids)).toBe(2);
        expect(await store.getMessage(m1.id)).toBeUndefined();
        expect(await store.getMessage(m3.id)).toBeUndefined();
        expectRecord(await store.getMessage(m2.id), m2);
        expectRecord(await store.getMessage(other.id), other);
        expect((await store.listMessages(ROOM_A, { limit: 10 })).map((m) => m.id)).toEqual([m2.id]);
        expect(await store.countMessages(ROOM_A)).toBe(1);
        expect(await store.deleteMessages(ROOM_A, [m1.id])).toBe(0);
        expect(await store.deleteMessages(ROOM_A, [])).toBe(0);
      });

      it('is never found by search again', async () => {
        const m = message({ seq: 1, text: 'the revoked platypus' });
        await store.addMessages([m, message({ seq: 2, text: 'a kept platypus' })]);
        await store.deleteMessages(ROOM_A, [m.id]);
        expect((await store.searchMessages('platypus', { limit: 10 })).map((f) => f.seq)).toEqual([
          2,
        ]);
        expect(await store.searchMessages('revoked', { limit: 10 })).toEqual([]);
      });

      it('shows in the version vector and the tops, and the message can be stored again', async () => {
        const messages = [1, 2, 3].map((seq) => message({ seq, lamport: seq * 10 }));
        await store.addMessages(messages);
        const [, second, third] = messages;
        if (!second || !third) throw new Error('fixture');
        await store.deleteMessages(ROOM_A, [second.id]);
        expect(await store.versionVector(ROOM_A)).toEqual({ [ALICE]: 1 });
        expect((await store.lastMessageOf(ROOM_A, ALICE))?.seq ?? 0).toBe(3);
        await store.deleteMessages(ROOM_A, [third.id]);
        expect((await store.lastMessageOf(ROOM_A, ALICE))?.seq ?? 0).toBe(1);
        expect(await store.maxLamport(ROOM_A)).toBe(10);
        expect(await store.addMessages([second])).toEqual([second.id]);
        expect(await store.versionVector(ROOM_A)).toEqual({ [ALICE]: 2 });
      });
    });

    describe('what a peer lacks (listMessagesAfter)', () => {
      const CAROL = 'CAROL-DEVICE';
      /** A sender named like a property every object inherits. */
      const INHERITED = 'constructor';
      const seed = async (): Promise<void> => {
        const messages = [
          ...[1, 2, 3, 4, 5].map((seq) => message({ sender: ALICE, seq })),
          ...[1, 2, 3].map((seq) => message({ sender: BOB, seq })),
          ...[2, 4].map((seq) => message({ sender: CAROL, seq })),
          message({ sender: INHERITED, seq: 1 }),
          message({ roomId: ROOM_B, sender: ALICE, seq: 9 }),
        ];
        // Arrival order says nothing about the order returned.
        await store.addMessages([...messages].reverse());
      };
      const keys = (found: MessageRecord[]): string[] => found.map((m) => `${m.sender}#${m.seq}`);

      it('returns what is above each sender in the vector, by sender, then seq', async () => {
        await seed();
        const vv = { [ALICE]: 3, [BOB]: 3, 'DAVE-DEVICE': 7 };
        expect(keys(await store.listMessagesAfter(ROOM_A, vv, 100))).toEqual([
          `${ALICE}#4`,
          `${ALICE}#5`,
          `${CAROL}#2`,
          `${CAROL}#4`,
          `${INHERITED}#1`,
        ]);
      });

      it('returns every message of the room for an empty vector, as whole records', async () => {
        await seed();
        const found = await store.listMessagesAfter(ROOM_A, {}, 100);
        expect(keys(found)).toEqual([
          ...[1, 2, 3, 4, 5].map((seq) => `${ALICE}#${seq}`),
          ...[1, 2, 3].map((seq) => `${BOB}#${seq}`),
          `${CAROL}#2`,
          `${CAROL}#4`,
          `${INHERITED}#1`,
        ]);
        expectRecord(found[0], message({ sender: ALICE, seq: 1 }));
      });

      it('returns nothing to a peer that has everything', async () => {
        await seed();
        const vv = { [ALICE]: 5, [BOB]: 3, [CAROL]: 4, [INHERITED]: 1 };
        expect(await store.listMessagesAfter(ROOM_A, vv, 100)).toEqual([]);
        expect(await store.listMessagesAfter('room-unknown', {}, 100)).toEqual([]);
      });

      it('keeps to the limit, and pages when what was returned is added to the vector', async () => {
        await seed();
        const all = keys(await store.listMessagesAfter(ROOM_A, {}, 100));
        const vv: Record<string, number> = { [BOB]: 1 };
        const seen: string[] = [];
        for (let page = 0; page < 10; page++) {
          const found = await store.listMessagesAfter(ROOM_A, vv, 3);
          expect(found.length).toBeLessThanOrEqual(3);
          if (found.length === 0) break;
          seen.push(...keys(found));
          for (const m of found) vv[m.sender] = m.seq;
        }
        expect(seen).toEqual(all.filter((k) => k !== `${BOB}#1`));
        expect(await store.listMessagesAfter(ROOM_A, {}, 0)).toEqual([]);
        expect(await store.listMessagesAfter(ROOM_A, {}, -1)).toEqual([]);
      });

      it('gives the envelopes of exactly those messages, in the same order (listEnvelopesAfter)', async () => {
        await seed();
        const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex');
        for (const [vv, limit] of [
          [{}, 100],
          [{ [ALICE]: 3, [BOB]: 3, 'DAVE-DEVICE': 7 }, 100],
          [{ [BOB]: 1 }, 3],
          [{ [ALICE]: 5, [BOB]: 3, [CAROL]: 4, [INHERITED]: 1 }, 100],
          [{}, 0],
        ] as const) {
          const records = await store.listMessagesAfter(ROOM_A, vv, limit);
          const envelopes = await store.listEnvelopesAfter(ROOM_A, vv, limit);
          expect(envelopes.every((e) => e instanceof Uint8Array)).toBe(true);
          expect(envelopes.map(hexOf)).toEqual(records.map((m) => hexOf(m.envelope)));
        }
        expect(await store.listEnvelopesAfter('room-unknown', {}, 100)).toEqual([]);
      });
    });

    describe("one sender's messages (listMessagesOf)", () => {
      it('gives the messages after a seq of one sender in one room, by seq, up to the limit', async () => {
        await store.addMessages([
          ...[4, 1, 3, 6].map((seq) => message({ sender: ALICE, seq })),
          message({ sender: BOB, seq: 2 }),
          message({ roomId: ROOM_B, sender: ALICE, seq: 5 }),
        ]);
        const seqs = async (after: number, limit: number): Promise<number[]> =>
          (await store.listMessagesOf(ROOM_A, ALICE, after, limit)).map((m) => m.seq);
        expect(await seqs(0, 10)).toEqual([1, 3, 4, 6]);
        expect(await seqs(3, 10)).toEqual([4, 6]);
        expect(await seqs(0, 2)).toEqual([1, 3]);
        expect(await seqs(6, 10)).toEqual([]);
        expect(await seqs(0, 0)).toEqual([]);
        expect(await seqs(0, -1)).toEqual([]);
        const [first] = await store.listMessagesOf(ROOM_A, ALICE, 0, 1);
        expect(first).toEqual(await store.getMessage(first!.id));
        expect(await store.listMessagesOf(ROOM_B, BOB, 0, 10)).toEqual([]);
        expect(await store.listMessagesOf('room-unknown', ALICE, 0, 10)).toEqual([]);
      });
    });

    describe('tops of seq and lamport', () => {
      it("gives the seq and ID of a sender's highest seq in a room, gaps or not, undefined when none", async () => {
        const top = message({ sender: ALICE, seq: 5 });
        await store.addMessages([
          ...[1, 2].map((seq) => message({ sender: ALICE, seq })),
          top,
          message({ sender: BOB, seq: 7 }),
          message({ roomId: ROOM_B, sender: ALICE, seq: 9 }),
        ]);
        expect(await store.lastMessageOf(ROOM_A, ALICE)).toEqual({ seq: 5, id: top.id });
        expect((await store.lastMessageOf(ROOM_A, BOB))?.seq).toBe(7);
        expect((await store.lastMessageOf(ROOM_B, ALICE))?.seq).toBe(9);
        expect(await store.lastMessageOf(ROOM_B, BOB)).toBeUndefined();
        expect(await store.lastMessageOf('room-unknown', ALICE)).toBeUndefined();
      });

      it('gives the highest lamport in a room, 0 when it has no messages', async () => {
        expect(await store.maxLamport(ROOM_A)).toBe(0);
        await store.addMessages([
          message({ seq: 1, lamport: 2 ** 40 }),
          message({ seq: 2, lamport: 3 }),
          message({ sender: BOB, seq: 1, lamport: 2 ** 40 + 1 }),
          message({ roomId: ROOM_B, seq: 1, lamport: 2 ** 41 }),
        ]);
        expect(await store.maxLamport(ROOM_A)).toBe(2 ** 40 + 1);
        expect(await store.maxLamport(ROOM_B)).toBe(2 ** 41);
      });
    });

    describe('unread counts (countMessagesSince)', () => {
      it('counts messages received strictly after the time, not sent by me, in one room', async () => {
        const at = (receivedAt: number) => BASE_TIME_MS + receivedAt;
        await store.addMessages([
          message({ sender: ALICE, seq: 1, receivedAt: at(10) }),
          message({ sender: ALICE, seq: 2, receivedAt: at(20) }),
          message({ sender: BOB, seq: 1, receivedAt: at(20) }),
          message({ sender: BOB, seq: 2, receivedAt: at(30) }),
          message({ sender: 'CAROL-DEVICE', seq: 1, receivedAt: at(40) }),
          message({ roomId: ROOM_B, sender: BOB, seq: 1, receivedAt: at(50) }),
        ]);
        expect(await store.countMessagesSince(ROOM_A, 0, ALICE)).toBe(3);
        expect(await store.countMessagesSince(ROOM_A, at(10), ALICE)).toBe(3);
        expect(await store.countMessagesSince(ROOM_A, at(20), ALICE)).toBe(2);
        expect(await store.countMessagesSince(ROOM_A, at(10), BOB)).toBe(2);
        expect(await store.countMessagesSince(ROOM_A, at(40), ALICE)).toBe(0);
        expect(await store.countMessagesSince(ROOM_B, 0, ALICE)).toBe(1);
        expect(await store.countMessagesSince('room-unknown', 0, ALICE)).toBe(0);
      });
    });

    describe('deleting a room', () => {
      const seedRoom = async (roomId: string): Promise<void> => {
        await store.putRoom(room(roomId));
        await store.addControlOps([op(roomId, 'create', 1), op(roomId, 'add', 2)]);
        await store.putRoomKey(roomKey(roomId, 'e1'));
        await store.addMessages([
          message({ roomId, seq: 1, text: `wombat in ${roomId}` }),
          message({ roomId, sender: BOB, seq: 1 }),
        ]);
        await store.raiseDeliveries([{ roomId, peer: BOB, heldUpTo: 1 }]);
      };

      it('removes the room, its ops, keys, messages and deliveries, and nothing of other rooms', async () => {
        await seedRoom(ROOM_A);
        await seedRoom(ROOM_B);
        await store.deleteRoom(ROOM_A);

        expect(await store.getRoom(ROOM_A)).toBeUndefined();
        expect(await store.listControlOps(ROOM_A)).toEqual([]);
        expect(await store.listRoomKeys(ROOM_A)).toEqual([]);
        expect(await store.countMessages(ROOM_A)).toBe(0);
        expect(await store.versionVector(ROOM_A)).toEqual({});
        expect(await store.maxLamport(ROOM_A)).toBe(0);
        expect(await store.listDeliveries(ROOM_A)).toEqual([]);
        const found = await store.searchMessages('wombat', { limit: 10 });
        expect(found.map((m) => m.roomId)).toEqual([ROOM_B]);

        expect((await store.listRooms()).map((r) => r.id)).toEqual([ROOM_B]);
        expect(await store.listControlOps(ROOM_B)).toHaveLength(2);
        expect(await store.listRoomKeys(ROOM_B)).toHaveLength(1);
        expect(await store.countMessages(ROOM_B)).toBe(2);
        expect(await store.listDeliveries(ROOM_B)).toEqual([
          { roomId: ROOM_B, peer: BOB, heldUpTo: 1 },
        ]);
      });

      it('forgets for good: the same ops, key and messages are new again', async () => {
        await seedRoom(ROOM_A);
        await store.deleteRoom(ROOM_A);
        const create = op(ROOM_A, 'create', 1);
        expect(await store.addControlOps([create])).toEqual([create.hash]);
        await store.putRoomKey(roomKey(ROOM_A, 'e1', 0x77));
        expectRecord(await store.getRoomKey(ROOM_A, epochId('e1')), roomKey(ROOM_A, 'e1', 0x77));
        const first = message({ seq: 1, variant: 'after' });
        expect(await store.addMessages([first])).toEqual([first.id]);
      });

      it('does nothing for a room it knows nothing of, and clears one it has no record for', async () => {
        await store.deleteRoom('room-unknown');
        await store.addMessages([message({ seq: 1 })]);
        await store.deleteRoom(ROOM_A);
        expect(await store.countMessages(ROOM_A)).toBe(0);
      });
    });

    describe('delivery records', () => {
      const CAROL = 'CAROL-DEVICE';
      const held = (peer: string, heldUpTo: number, roomId = ROOM_A) => ({
        roomId,
        peer,
        heldUpTo,
      });

      it('knows of no deliveries in a new room', async () => {
        expect(await store.listDeliveries(ROOM_A)).toEqual([]);
        expect(await store.raiseDeliveries([])).toEqual([]);
      });

      it('stores a record per room and peer, listed by peer, and nothing in other rooms', async () => {
        const raised = await store.raiseDeliveries([
          held(CAROL, 2),
          held(BOB, 5),
          held(BOB, 9, ROOM_B),
        ]);
        expect(raised).toEqual([held(CAROL, 2), held(BOB, 5), held(BOB, 9, ROOM_B)]);
        expect(await store.listDeliveries(ROOM_A)).toEqual([held(BOB, 5), held(CAROL, 2)]);
        expect(await store.listDeliveries(ROOM_B)).toEqual([held(BOB, 9, ROOM_B)]);
      });

      it('only ever raises a record, and reports only what went up', async () => {
        await store.raiseDeliveries([held(BOB, 5)]);
        const raised = await store.raiseDeliveries([
          held(BOB, 3),
          held(BOB, 5),
          held(BOB, 7),
          held(BOB, 6),
          held(CAROL, 0),
        ]);
        expect(raised).toEqual([held(BOB, 7), held(CAROL, 0)]);
        expect(await store.listDeliveries(ROOM_A)).toEqual([held(BOB, 7), held(CAROL, 0)]);
      });

      it('keeps what it was told after a close and an open', async () => {
        await store.raiseDeliveries([held(BOB, 4)]);
        await store.close();
        await store.open();
        expect(await store.listDeliveries(ROOM_A)).toEqual([held(BOB, 4)]);
      });
    });

    describe('search', () => {
      const seed = async (): Promise<MessageRecord[]> => {
        const messages = [
          message({ seq: 1, text: 'Shall we meet for lunch tomorrow?' }),
          message({ seq: 2, text: 'rock and roll' }),
          message({ seq: 3, text: 'alpha only here' }),
          message({ seq: 4, text: 'alpha and beta together' }),
          message({ seq: 5, text: 'Привет, мир' }),
          message({ seq: 6, text: 'Viele Grüße aus Köln' }),
          message({ seq: 7, text: null }),
          message({ roomId: ROOM_B, seq: 1, text: 'lunch in the other room' }),
        ];
        await store.addMessages(messages);
        return messages;
      };
      const seqs = (found: MessageRecord[]): string[] => found.map((m) => `${m.roomId}#${m.seq}`);

      it('finds a word, ignoring case, and returns whole records', async () => {
        const messages = await seed();
        const found = await store.searchMessages('LUNCH', { roomId: ROOM_A, limit: 10 });
        expect(seqs(found)).toEqual([`${ROOM_A}#1`]);
        expectRecord(found[0], messages[0] as MessageRecord);
      });

      it('searches every room without a roomId', async () => {
        await seed();
        const found = await store.searchMessages('lunch', { limit: 10 });
        expect(seqs(found).sort()).toEqual([`${ROOM_A}#1`, `${ROOM_B}#1`]);
      });

      it('needs every word of the query', async () => {
        await seed();
        expect(seqs(await store.searchMessages('beta alpha', { limit: 10 }))).toEqual([
          `${ROOM_A}#4`,
        ]);
      });

      it('finds words in other scripts and with accented letters, ignoring case', async () => {
        await seed();
        expect(seqs(await store.searchMessages('привет', { limit: 10 }))).toEqual([`${ROOM_A}#5`]);
        expect(seqs(await store.searchMessages('grüße', { limit: 10 }))).toEqual([`${ROOM_A}#6`]);
      });

      it('treats query syntax as plain words', async () => {
        await seed();
        const and = await store.searchMessages('AND', { roomId: ROOM_A, limit: 10 });
        expect(seqs(and).sort()).toEqual([`${ROOM_A}#2`, `${ROOM_A}#4`]);
        for (const q of ['"rock"', '"rock', '(rock)', 'rock"', 'roll!']) {
          expect(seqs(await store.searchMessages(q, { limit: 10 })), q).toEqual([`${ROOM_A}#2`]);
        }
      });

      it('never fails on text that means something to a query language', async () => {
        await seed();
        for (const q of NASTY_QUERIES) {
          const found = await store.searchMessages(q, { limit: 5 });
          expect(Array.isArray(found), JSON.stringify(q)).toBe(true);
          const inRoom = await store.searchMessages(q, { roomId: ROOM_A, limit: 5 });
          expect(inRoom.every((m) => m.roomId === ROOM_A)).toBe(true);
        }
      });

      it('returns nothing for an empty or blank query', async () => {
        await seed();
        expect(await store.searchMessages('', { limit: 10 })).toEqual([]);
        expect(await store.searchMessages('  \t\n ', { limit: 10 })).toEqual([]);
        expect(await store.searchMessages('nothing-matches-this', { limit: 10 })).toEqual([]);
      });

      it('finds a word in an old message under many newer ones', async () => {
        const messages = Array.from({ length: 300 }, (_, i) =>
          message({ seq: i + 1, text: i === 0 ? 'the xylophone is in the attic' : `chat ${i}` }),
        );
        await store.addMessages(messages);
        const found = await store.searchMessages('xylophone', { roomId: ROOM_A, limit: 10 });
        expect(found.map((m) => m.seq)).toEqual([1]);
      });

      it('keeps to the room and the limit', async () => {
        await store.addMessages(
          Array.from({ length: 20 }, (_, i) =>
            message({ roomId: i % 2 ? ROOM_A : ROOM_B, seq: i + 1, text: `report ${i}` }),
          ),
        );
        const found = await store.searchMessages('report', { roomId: ROOM_B, limit: 4 });
        expect(found).toHaveLength(4);
        expect(found.every((m) => m.roomId === ROOM_B)).toBe(true);
        expect(await store.searchMessages('report', { limit: 0 })).toEqual([]);
      });

      it('puts the best match first', async () => {
        const filler = Array.from({ length: 40 }, (_, i) => `filler${i}`).join(' ');
        await store.addMessages([
          message({ seq: 1, text: `${filler} zebra ${filler}` }),
          message({ seq: 2, text: 'zebra zebra' }),
        ]);
        const found = await store.searchMessages('zebra', { limit: 10 });
        expect(found.map((m) => m.seq)).toEqual([2, 1]);
      });
    });
  });
}
