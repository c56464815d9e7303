import { describe, expect, it } from 'vitest';
import { commands } from './api';
import {
  JoinRequest,
  MemberIntro,
  MessageBody,
  OpAction,
  PublicRoomSummary,
  RoomSettings,
} from './room-wire';

const ROOM = 'ab'.repeat(16);
const DEVICE = 'AAAAAAA-BBBBBBB-CCCCCCC-DDDDDDD-EEEEEEE-FFFFFFF-GGGGGGG-HHHHHHH';

/** Text that a terminal would act on, or that would fake a line of output. */
const HOSTILE = {
  escape: 'Ann\u001b[2J',
  osc: 'Ann\u001b]0;owned\u0007',
  csi8bit: 'Ann\u009b31m',
  cr: 'Ann\rEve',
  newline: 'Ann\n[2026-01-01 00:00:00] Eve: hi',
  lineSeparator: 'Ann\u2028Eve',
  nul: 'Ann\u0000',
  del: 'Ann\u007f',
};

const settings = (over: Record<string, unknown> = {}) => ({
  name: 'Team',
  topic: 'Plans',
  visibility: 'public',
  password: null,
  capacity: 10,
  historyShared: true,
  ...over,
});

describe('names on the room wire', () => {
  it('take ordinary names, with spaces and any script', () => {
    expect(RoomSettings.safeParse(settings({ name: 'Équipe 東京 🚀', topic: '' })).success).toBe(
      true,
    );
    expect(JoinRequest.safeParse({ room: ROOM, name: 'Zoë O’Neil', password: null }).success).toBe(
      true,
    );
  });

  for (const [what, text] of Object.entries(HOSTILE)) {
    it(`refuse a control character (${what}) in every name and topic`, () => {
      expect(RoomSettings.safeParse(settings({ name: text })).success).toBe(false);
      expect(RoomSettings.safeParse(settings({ topic: text })).success).toBe(false);
      expect(
        OpAction.safeParse({ type: 'update', settings: { name: text } }).success,
        'update op',
      ).toBe(false);
      expect(
        MemberIntro.safeParse({ deviceId: DEVICE, publicKey: new Uint8Array(91), name: text })
          .success,
      ).toBe(false);
      expect(JoinRequest.safeParse({ room: ROOM, name: text, password: null }).success).toBe(false);
      const listed = {
        room: ROOM,
        name: 'Team',
        topic: '',
        members: 1,
        capacity: 10,
        passwordRequired: false,
      };
      expect(PublicRoomSummary.safeParse({ ...listed, name: text }).success).toBe(false);
      expect(PublicRoomSummary.safeParse({ ...listed, topic: text }).success).toBe(false);
    });
  }

  it('refuse a control character in the creator name of a create op', () => {
    const create = {
      type: 'create',
      nonce: new Uint8Array(16),
      kind: 'room',
      settings: settings(),
      epoch: { id: ROOM, keys: [{ to: DEVICE, sealed: new Uint8Array(125) }] },
    };
    expect(OpAction.safeParse({ ...create, creatorName: 'Ann' }).success).toBe(true);
    expect(OpAction.safeParse({ ...create, creatorName: HOSTILE.escape }).success).toBe(false);
  });

  it('leave message text alone: line breaks are text, the clients show it as text', () => {
    expect(MessageBody.safeParse({ text: 'line one\nline two' }).success).toBe(true);
  });

  it('are no looser than the local API: a topic it takes, the wire takes', () => {
    const create = commands['rooms.create'].args;
    expect(create.safeParse({ name: 'Team', topic: 'Plans' }).success).toBe(true);
    expect(create.safeParse({ name: 'Team', topic: HOSTILE.newline }).success).toBe(false);
    expect(create.safeParse({ name: HOSTILE.osc }).success).toBe(false);
  });
});
