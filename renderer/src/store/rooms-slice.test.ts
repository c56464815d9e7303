import { afterEach, describe, expect, it } from 'vitest';
import { silentNotifier, type NewMessageNotice, type Notifier } from '../notify/notifier';
import { createAppStore, type AppStore } from './app-store';
import { memoryPrefs } from './prefs';
import { totalUnread } from './rooms-slice';
import { failResult, fakeApi, okResult, type Handlers } from './testing/fake-api';
import { BOB, details, message, OTHER_ROOM, ROOM, settings, summary } from './testing/fixtures';

let store: AppStore | undefined;
afterEach(() => store?.dispose());

function storeWith(handlers: Handlers, env: { notifier?: Notifier; focused?: boolean } = {}) {
  const fake = fakeApi(handlers);
  store = createAppStore(fake.api, {
    notifier: env.notifier ?? silentNotifier,
    prefs: memoryPrefs(),
    focused: env.focused ?? true,
  });
  return { ...fake, store };
}

/** A node whose rooms have unread messages until they are marked read. */
const unread: Record<string, number> = {};
const roomHandlers: Handlers = {
  'rooms.list': () => {
    Object.assign(unread, { [ROOM]: 3, [OTHER_ROOM]: 2 });
    return okResult([summary({ unread: 3 }), summary({ id: OTHER_ROOM, unread: 2 })]);
  },
  'rooms.get': (args) => okResult(details({ id: args.roomId, unread: unread[args.roomId] ?? 0 })),
  'rooms.markRead': (args) => {
    unread[args.roomId] = 0;
    return okResult(summary({ id: args.roomId, unread: 0 }));
  },
  'messages.history': () => okResult([]),
};

describe('rooms slice', () => {
  it('lists rooms and counts unread messages for the title', async () => {
    const { store } = storeWith(roomHandlers);
    await store.getState().loadRooms();
    expect(totalUnread(store.getState().rooms.byId)).toBe(5);
  });

  it('marks the open room read only while the window is focused', async () => {
    const { store, callsOf, emit } = storeWith(roomHandlers, { focused: false });
    await store.getState().loadRooms();
    store.getState().selectRoom(ROOM);
    await new Promise((r) => setTimeout(r, 0));
    expect(callsOf('rooms.markRead')).toEqual([]);

    store.getState().setWindowFocused(true);
    await new Promise((r) => setTimeout(r, 0));
    expect(callsOf('rooms.markRead')).toEqual([{ roomId: ROOM }]);
    expect(store.getState().rooms.byId[ROOM]?.unread).toBe(0);

    // A message arriving in the open, focused room is read at once.
    emit('room.updated', summary({ unread: 1 }));
    expect(callsOf('rooms.markRead')).toHaveLength(2);
    // One in another room is not.
    emit('room.updated', summary({ id: OTHER_ROOM, unread: 3 }));
    expect(callsOf('rooms.markRead')).toHaveLength(2);
  });

  it('keeps why this node was removed, and the room stays without a role', async () => {
    const { store, emit } = storeWith(roomHandlers);
    await store.getState().loadRooms();
    emit('room.removed', { roomId: ROOM, name: 'Team', reason: 'kicked' });
    expect(store.getState().rooms.removed[ROOM]).toEqual({ name: 'Team', reason: 'kicked' });
    expect(store.getState().rooms.byId[ROOM]?.myRole).toBeNull();
    expect(store.getState().rooms.byId[ROOM]).toMatchObject({ departure: 'kicked', unread: 0 });
    // The room's three unread messages no longer count in the title; the other room's do.
    expect(totalUnread(store.getState().rooms.byId)).toBe(2);
  });

  it('explains a refused member action in the node’s words', async () => {
    const { store } = storeWith({
      'rooms.kick': () => failResult('NOT_ALLOWED', 'You are not allowed to do that in this room.'),
    });
    await expect(store.getState().memberAction('kick', ROOM, BOB)).resolves.toEqual({
      ok: false,
      code: 'NOT_ALLOWED',
      error: 'You are not allowed to do that in this room.',
    });
  });

  it('joins a public room with a password and marks it joined', async () => {
    const { store, callsOf } = storeWith({
      'rooms.public': () =>
        okResult([
          {
            id: ROOM,
            name: 'Team',
            topic: '',
            memberCount: 3,
            capacity: 50,
            passwordRequired: true,
            joined: false,
          },
        ]),
      'rooms.join': (args) =>
        args.password === 'right'
          ? okResult(details({ visibility: 'public' }))
          : failResult('WRONG_PASSWORD', 'That password is not right.'),
    });
    await store.getState().loadPublicRooms();
    const wrong = await store.getState().joinRoom(ROOM, 'wrong');
    expect(wrong).toMatchObject({ ok: false, code: 'WRONG_PASSWORD' });
    const right = await store.getState().joinRoom(ROOM, 'right');
    expect(right.ok).toBe(true);
    expect(callsOf('rooms.join')).toEqual([
      { roomId: ROOM, password: 'wrong' },
      { roomId: ROOM, password: 'right' },
    ]);
    expect(store.getState().rooms.publicRooms.list[0]?.joined).toBe(true);
    expect(store.getState().rooms.details[ROOM]?.members).toHaveLength(2);
  });

  it('opens a DM and shows it', async () => {
    const dm = details({ id: OTHER_ROOM, kind: 'dm', dmPeer: BOB, name: 'Bob' });
    const { store } = storeWith({ ...roomHandlers, 'dm.open': () => okResult(dm) });
    await store.getState().openDm(BOB);
    expect(store.getState().ui.view).toEqual({ kind: 'room', roomId: OTHER_ROOM });
    expect(store.getState().rooms.byId[OTHER_ROOM]?.kind).toBe('dm');
  });
});

describe('notifications', () => {
  function notifying(focused: boolean) {
    const shown: NewMessageNotice[] = [];
    const notifier: Notifier = {
      permission: () => 'granted',
      requestPermission: async () => 'granted',
      show: (n) => shown.push(n),
    };
    const fake = storeWith(
      {
        ...roomHandlers,
        'settings.get': () => okResult(settings),
        'node.status': () => failResult('INTERNAL', 'x'),
      },
      { notifier, focused },
    );
    return { ...fake, shown };
  }

  it('notifies about others’ messages in rooms that are not open, and a click opens the room', async () => {
    const { store, emit, shown } = notifying(true);
    await store.getState().loadRooms();
    emit('message.received', message({ text: 'lunch?' }));
    emit('message.received', message({ mine: true, text: 'mine' }));
    expect(shown).toMatchObject([{ title: 'Team', body: 'Bob: lunch?', tag: ROOM }]);

    shown[0]!.onClick();
    expect(store.getState().ui.view).toEqual({ kind: 'room', roomId: ROOM });
    emit('message.received', message({ text: 'seen' }));
    expect(shown).toHaveLength(1);
  });

  it('stays quiet for muted rooms and when notifications are off, not when the window is away', async () => {
    const { store, emit, shown } = notifying(false);
    await store.getState().loadRooms();
    await store.getState().loadSettings();
    store.getState().selectRoom(ROOM);
    emit('message.received', message());
    expect(shown).toHaveLength(1);

    emit('room.updated', summary({ muted: true }));
    emit('message.received', message());
    expect(shown).toHaveLength(1);

    emit('room.updated', summary({ muted: false }));
    emit('settings.updated', { ...settings, notifications: false });
    emit('message.received', message());
    expect(shown).toHaveLength(1);
  });
});

describe('room details on screen', () => {
  it('are refetched when members or keys change, not for every new message', async () => {
    const { store, emit, callsOf } = storeWith(roomHandlers);
    await store.getState().loadRooms();
    await store.getState().loadRoomDetails(OTHER_ROOM);
    const fetched = () => callsOf('rooms.get').length;
    expect(fetched()).toBe(1);
    emit('room.updated', summary({ id: OTHER_ROOM, unread: 4, lastMessageAt: 5 }));
    expect(fetched()).toBe(1);
    emit('room.updated', summary({ id: OTHER_ROOM, unread: 4, lastMessageAt: 5, epoch: 1 }));
    expect(fetched()).toBe(2);
    // A rename changes nothing in the summary but the count of control ops.
    emit(
      'room.updated',
      summary({ id: OTHER_ROOM, unread: 4, lastMessageAt: 5, epoch: 1, controlOps: 4 }),
    );
    expect(fetched()).toBe(3);
  });
});
