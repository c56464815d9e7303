/** Sample node data for store and view tests: a device, a peer, a room, messages. */
import type {
  IdentityInfo,
  MessageInfo,
  NodeStatus,
  PeerInfo,
  RoomDetails,
  RoomSummary,
  Settings,
} from '../../../../shared/api';

export const ME = 'AAAAAAA-BBBBBBB-CCCCCCC-DDDDDDD-EEEEEEE-FFFFFFF-GGGGGGG-HHHHHHH';
export const BOB = 'BOBBOB2-BBBBBBB-CCCCCCC-DDDDDDD-EEEEEEE-FFFFFFF-GGGGGGG-HHHHHHH';
export const ROOM = '0123456789abcdef0123456789abcdef';
export const OTHER_ROOM = 'fedcba9876543210fedcba9876543210';

export const identity: IdentityInfo = {
  deviceId: ME,
  shortId: 'AAAAAAA',
  fingerprint: '1234 5678 9abc',
  name: 'Alice',
};

export const bob: PeerInfo = {
  deviceId: BOB,
  shortId: 'BOBBOB2',
  fingerprint: '11111 22222 33333 44444 55555 66666',
  name: 'Bob',
  address: '127.0.0.1:4100',
  online: true,
  linked: true,
  lastSeen: 1_700_000_000_000,
  verified: false,
  manual: false,
};

export function summary(change: Partial<RoomSummary> = {}): RoomSummary {
  return {
    id: ROOM,
    name: 'Team',
    topic: 'Daily things',
    kind: 'room',
    visibility: 'private',
    passwordRequired: false,
    capacity: 50,
    historyShared: true,
    memberCount: 2,
    myRole: 'owner',
    departure: null,
    dmPeer: null,
    unread: 0,
    muted: false,
    lastMessageAt: null,
    epoch: 0,
    controlOps: 3,
    ...change,
  };
}

export function details(change: Partial<RoomDetails> = {}): RoomDetails {
  return {
    ...summary(),
    members: [
      { deviceId: ME, name: 'Alice', role: 'owner', online: true, hasCurrentKey: true },
      { deviceId: BOB, name: 'Bob', role: 'member', online: true, hasCurrentKey: true },
    ],
    banned: [],
    epochs: [
      {
        index: 0,
        id: 'e0',
        author: ME,
        authorName: 'Alice',
        at: 1_700_000_000_000,
        reason: 'create',
        holders: [ME, BOB],
      },
    ],
    ...change,
  };
}

let lamport = 0;
export function message(change: Partial<MessageInfo> = {}): MessageInfo {
  lamport += 1;
  return {
    id: `m${String(lamport).padStart(4, '0')}`,
    roomId: ROOM,
    sender: BOB,
    senderName: 'Bob',
    text: 'hello',
    ts: 1_700_000_000_000 + lamport * 1000,
    lamport,
    seq: lamport,
    mine: false,
    receivedAt: 1_700_000_000_000 + lamport * 1000,
    delivery: null,
    ...change,
  };
}

export const settings: Settings = {
  notifications: true,
  discoveryGroup: '239.255.77.77',
  discoveryPort: 21027,
  restartRequired: false,
  rotateAfterMessages: 1000,
  rotateAfterDays: 7,
};

export const status: NodeStatus = {
  version: '0.1.0',
  startedAt: 1_700_000_000_000,
  dataDir: '/home/alice/.config/Parley',
  storage: 'sqlite',
  keyProtection: 'none',
  peerPort: 47778,
  discovery: true,
};
