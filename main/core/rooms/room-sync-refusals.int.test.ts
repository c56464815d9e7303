/**
 * What a node does with room link messages that a linked peer gets wrong, over a real link on
 * 127.0.0.1: every request and push kind with a body that does not fit its schema is counted,
 * logged at debug level only, answered BAD_REQUEST (requests) or dropped (pushes), and changes
 * nothing stored; a push of ops from a peer outside the room is counted and dropped too.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ROOM_LINK_MESSAGES as MSG } from '../../../shared/room-wire';
import { loadOrCreateIdentity, type Identity } from '../identity/identity';
import { plainKeyProtector } from '../identity/key-protector';
import { recordingLogger, type RecordingLogger } from '../log/recording-logger.testing';
import type { Link } from '../net';
import {
  NodePool,
  errorOf,
  linked,
  settle,
  want,
  type TestNode,
} from '../net/testing/net-test-kit';
import { tempDirs } from '../testing/temp-dir';
import { waitFor } from '../testing/wait';
import { LINK_REJECT_REASONS, createRoomSync, type RoomSync } from './room-sync';
import { startLoneRoomService, type LoneRoomService } from './testing/lone-room-service';

const dirs = tempDirs();
const pool = new NodePool();
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await pool.closeAll();
  dirs.cleanup();
});

interface Rig {
  /** The node under test: a room service with one room, answering over its link manager. */
  ann: LoneRoomService & { node: TestNode; sync: RoomSync; log: RecordingLogger };
  roomId: string;
  /** The other end: a bare link manager whose link to Ann sends what the test wants. */
  eve: Link;
  eveIdentity: Identity;
}

async function rig(): Promise<Rig> {
  const log = recordingLogger();
  const lone = await startLoneRoomService(dirs, { logger: log.child('rooms') });
  cleanups.push(() => lone.close());
  const node = await pool.start(lone.identity, { logger: log });
  const sync = createRoomSync({
    identity: lone.identity,
    store: lone.store,
    links: node.manager,
    rooms: lone.rooms,
    logger: log.child('rooms'),
    name: () => 'Ann',
    emitProgress: () => undefined,
  });
  sync.start();
  cleanups.push(() => sync.close());
  const room = await lone.rooms.create({ name: 'Team', visibility: 'public' });
  const eveIdentity = await loadOrCreateIdentity(dirs.make(), plainKeyProtector);
  const eveNode = await pool.start(eveIdentity);
  want(node, eveNode);
  want(eveNode, node);
  const [, eve] = await linked(node, eveNode);
  // From here on, what Ann logs is what Eve made her log.
  log.lines.splice(0);
  return { ann: { ...lone, node, sync, log }, roomId: room.id, eve, eveIdentity };
}

/** Everything Ann keeps about rooms: the rooms, their ops, their messages. */
async function stored(ann: LoneRoomService): Promise<unknown> {
  const rooms = await ann.store.listRooms();
  return Promise.all(
    rooms.map(async (r) => ({
      room: r.id,
      ops: (await ann.store.listControlOps(r.id)).map((op) => op.hash).sort(),
      envelopes: (await ann.store.listEnvelopesAfter(r.id, {}, 1000)).length,
    })),
  );
}

const refusals = (ann: LoneRoomService, reason: string): number =>
  ann.rooms.rejects.snapshot()[reason] ?? 0;

/** For each room request, bodies that its schema refuses (given the room and Eve's identity). */
const BAD_REQUESTS: Array<[type: string, body: (room: string, eve: Identity) => unknown]> = [
  [MSG.syncOps, (room) => ({ room, have: ['not a hash'] })],
  [MSG.syncOps, () => ({ room: 'no such room id', have: [] })],
  [MSG.syncMessages, (room) => ({ room, vv: {}, limit: 0 })],
  [MSG.publicRooms, () => ({ page: 2 })],
  [
    MSG.join,
    (room, eve) => ({
      room,
      name: 'Eve\u001b]0;owned\u0007',
      password: null,
      publicKey: eve.publicKeySpki,
    }),
  ],
  [MSG.join, (room) => ({ room, name: 'Eve', password: null })],
  ['rooms.identity', () => 'who are you'],
];

const BAD_PUSHES: Array<[type: string, body: (room: string) => unknown]> = [
  [MSG.opsPush, (room) => ({ room, ops: 'not a list' })],
  [MSG.messagesPush, (room) => ({ room, envelopes: [42] })],
  ['rooms.heads', () => ({ room: 'no such room id', heads: [] })],
  ['rooms.held', (room) => ({ room, held: -1 })],
];

describe('room link messages a peer gets wrong', () => {
  it('answers each bad request BAD_REQUEST, counts it, logs it at debug only and stores nothing', async () => {
    const { ann, roomId, eve, eveIdentity } = await rig();
    const before = await stored(ann);
    for (const [type, body] of BAD_REQUESTS) {
      const counted = refusals(ann, LINK_REJECT_REASONS.malformed);
      const err = await errorOf(eve.request(type, body(roomId, eveIdentity)));
      expect(err.code, type).toBe('BAD_REQUEST');
      expect(err.message, type).toBe(`The body of "${type}" is not valid.`);
      expect(refusals(ann, LINK_REJECT_REASONS.malformed), type).toBe(counted + 1);
    }
    // The same link still answers good requests.
    const listed = (await eve.request(MSG.publicRooms, {})) as { rooms: Array<{ room: string }> };
    expect(listed.rooms.map((r) => r.room)).toEqual([roomId]);

    expect(await stored(ann)).toEqual(before);
    expect(ann.log.lines.filter((l) => l.level !== 'debug')).toEqual([]);
    const logged = ann.log.at('debug').filter((l) => l.event.endsWith('rooms.rejected'));
    expect(logged.map((l) => [l.fields?.['reason'], l.fields?.['type']])).toEqual(
      BAD_REQUESTS.map(([type]) => [LINK_REJECT_REASONS.malformed, type]),
    );
    expect(logged.every((l) => l.fields?.['peer'] === eveIdentity.deviceId)).toBe(true);
    expect(ann.node.manager.stats().errorAnswersSent).toBe(BAD_REQUESTS.length);
  });

  it('drops each bad push, counts it, logs it at debug only and stores nothing', async () => {
    const { ann, roomId, eve } = await rig();
    const before = await stored(ann);
    for (const [type, body] of BAD_PUSHES) {
      const counted = refusals(ann, LINK_REJECT_REASONS.malformed);
      await eve.push(type, body(roomId));
      await waitFor(
        () => refusals(ann, LINK_REJECT_REASONS.malformed) === counted + 1,
        `the bad ${type} push counted`,
      );
    }
    await settle(100);
    expect(refusals(ann, LINK_REJECT_REASONS.malformed)).toBe(BAD_PUSHES.length);
    expect(await stored(ann)).toEqual(before);
    expect(ann.log.lines.filter((l) => l.level !== 'debug')).toEqual([]);
    expect(
      ann.log
        .at('debug')
        .filter((l) => l.event.endsWith('rooms.rejected'))
        .map((l) => l.fields?.['type']),
    ).toEqual(BAD_PUSHES.map(([type]) => type));
  });

  it('counts and drops a well-formed push of ops or messages from a peer outside the room', async () => {
    const { ann, roomId, eve } = await rig();
    const before = await stored(ann);
    const ops = (await ann.store.listControlOps(roomId)).map((op) => op.bytes);
    await eve.push(MSG.opsPush, { room: roomId, ops });
    await eve.push(MSG.messagesPush, { room: roomId, envelopes: [new Uint8Array(8)] });
    await waitFor(() => refusals(ann, LINK_REJECT_REASONS.notInRoom) === 2, 'both pushes counted');
    expect(refusals(ann, LINK_REJECT_REASONS.malformed)).toBe(0);
    expect(await stored(ann)).toEqual(before);
    expect(ann.log.lines.filter((l) => l.level !== 'debug')).toEqual([]);
  });
});
