// What the views show for a given store state, rendered to HTML in Node (no DOM needed): the
// words and states a user would notice.
import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, describe, expect, it } from 'vitest';
import { silentNotifier } from '../notify/notifier';
import { createAppStore, type AppStore } from '../store/app-store';
import { memoryPrefs } from '../store/prefs';
import { StoreProvider } from '../store/store-context';
import { fakeApi, okResult } from '../store/testing/fake-api';
import {
  bob,
  details,
  identity,
  message,
  ROOM,
  settings,
  status,
  summary,
} from '../store/testing/fixtures';
import { ConnectionBanner } from './ConnectionBanner';
import { KeyRenewalSettings } from './KeyRenewalSettings';
import { RoomView } from './RoomView';
import { SecurityBanner } from './SecurityBanner';
import { Sidebar } from './Sidebar';

let store: AppStore | undefined;
afterEach(() => store?.dispose());

async function roomStore(rooms = [summary({ unread: 2 })]) {
  const fake = fakeApi({
    'identity.get': () => okResult(identity),
    'rooms.list': () => okResult(rooms),
    'peers.list': () => okResult([bob]),
    'rooms.get': () => okResult(details()),
    'rooms.markRead': () => okResult(summary()),
    'messages.history': () =>
      okResult([
        message({ text: 'hi Alice' }),
        message({
          mine: true,
          sender: identity.deviceId,
          senderName: 'Alice',
          text: 'hi Bob',
          delivery: { delivered: 1, of: 1 },
        }),
      ]),
  });
  store = createAppStore(fake.api, {
    notifier: silentNotifier,
    prefs: memoryPrefs(identity.deviceId),
    focused: false,
  });
  await Promise.all([
    store.getState().loadIdentity(),
    store.getState().loadRooms(),
    store.getState().loadPeers(),
  ]);
  return { ...fake, store };
}

/** Server rendering reads a store's *initial* state (zustand's server snapshot): show the current. */
function render(s: AppStore, node: React.ReactNode): string {
  const current = Object.assign(Object.create(s) as AppStore, { getInitialState: s.getState });
  return renderToStaticMarkup(<StoreProvider store={current}>{node}</StoreProvider>);
}

describe('room view', () => {
  it('shows the messages with the delivery of one’s own, and a composer', async () => {
    const { store } = await roomStore();
    store.getState().selectRoom(ROOM);
    await store.getState().loadMessages(ROOM);
    const html = render(store, <RoomView roomId={ROOM} />);
    expect(html).toContain('hi Alice');
    expect(html).toContain('hi Bob');
    expect(html).toContain('Delivered');
    expect(html).toMatch(/<textarea[^>]*data-testid="composer-input"/);
    expect(html).not.toMatch(/<textarea[^>]*disabled/);
  });

  it('says this node was removed and does not let it send', async () => {
    const { store, emit } = await roomStore();
    store.getState().selectRoom(ROOM);
    emit('room.removed', { roomId: ROOM, name: 'Team', reason: 'kicked' });
    const html = render(store, <RoomView roomId={ROOM} />);
    expect(html).toContain('You were removed from this room');
    expect(html).toMatch(/<textarea[^>]*disabled/);
  });

  it('says this node left a room it finds left when it starts (no event this session)', async () => {
    const { store } = await roomStore([summary({ myRole: null, departure: 'left' })]);
    store.getState().selectRoom(ROOM);
    const html = render(store, <RoomView roomId={ROOM} />);
    expect(html).toContain('You left this room.');
    expect(html).toMatch(/<textarea[^>]*disabled/);
  });

  it('shows that the room is catching up while a sync runs', async () => {
    const { store, emit } = await roomStore();
    emit('sync.progress', { roomId: ROOM, peer: bob.deviceId, received: 40, done: false });
    expect(render(store, <RoomView roomId={ROOM} />)).toContain('Catching up… 40 messages');
    emit('sync.progress', { roomId: ROOM, peer: bob.deviceId, received: 60, done: true });
    expect(render(store, <RoomView roomId={ROOM} />)).not.toContain('Catching up');
  });
});

describe('sidebar', () => {
  it('lists rooms with their unread count and peers with presence', async () => {
    const { store } = await roomStore();
    const html = render(store, <Sidebar />);
    expect(html).toMatch(/data-testid="unread-badge"[^>]*>.*2.*, 2 unread/);
    expect(html).toContain('Bob');
    expect(html).toContain(', online');
  });

  it('tags an open room this node left as left, with no unread badge', async () => {
    const { store, emit } = await roomStore();
    store.getState().selectRoom(ROOM);
    emit('room.removed', { roomId: ROOM, name: 'Team', reason: 'left' });
    let html = render(store, <Sidebar />);
    expect(html).toMatch(/data-testid="departure-tag"><span[^>]*>, <\/span>left</);
    expect(html).not.toContain('unread');
    // The node's own summary of the room, which follows the event, says the same.
    emit('room.updated', summary({ myRole: null, departure: 'left', unread: 0 }));
    html = render(store, <Sidebar />);
    expect(html).toMatch(/data-testid="departure-tag"><span[^>]*>, <\/span>left</);
    expect(html).not.toContain('unread');
  });

  it('tags an open room this node was kicked or banned from as removed', async () => {
    for (const departure of ['kicked', 'banned'] as const) {
      const { store } = await roomStore([summary({ myRole: null, departure })]);
      store.getState().selectRoom(ROOM);
      expect(render(store, <Sidebar />)).toMatch(
        /data-testid="departure-tag"><span[^>]*>, <\/span>removed</,
      );
      store.dispose();
    }
  });
});

describe('security alerts', () => {
  it('warn loudly about a changed key until dismissed', async () => {
    const { store, emit } = await roomStore();
    emit('security.alert', {
      id: 'a1',
      kind: 'key-mismatch',
      expected: bob.deviceId,
      presented: 'ZZZZZZZ',
      address: '127.0.0.1:4100',
      message: 'The device at 127.0.0.1:4100 presented a different key.',
      at: 1,
    });
    const html = render(store, <SecurityBanner />);
    expect(html).toContain('role="alert"');
    expect(html).toContain('a peer’s key changed');
    expect(html).toContain('Dismiss warning');
    store.getState().dismissAlert(store.getState().alerts[0]!.key);
    expect(render(store, <SecurityBanner />)).toBe('');
  });
});

describe('connection banner', () => {
  it('says so when the node stops answering, and is gone once it answers', async () => {
    const { store } = await roomStore();
    expect(render(store, <ConnectionBanner />)).toBe('');
    store.getState().nodeAnswered(false);
    expect(render(store, <ConnectionBanner />)).toContain('lost contact with its node');
    store.getState().nodeAnswered(true);
    expect(render(store, <ConnectionBanner />)).toBe('');
  });
});

describe('key renewal settings', () => {
  it('show the policy in words, and follow a change made elsewhere (settings.updated)', async () => {
    const fake = fakeApi({
      'settings.get': () => okResult(settings),
      'node.status': () => okResult(status),
    });
    store = createAppStore(fake.api, {
      notifier: silentNotifier,
      prefs: memoryPrefs(identity.deviceId),
      focused: false,
    });
    await store.getState().loadSettings();
    const before = render(store, <KeyRenewalSettings />);
    expect(before).toContain('Renew each room’s key after this many messages');
    expect(before).toContain('Or after this many days');
    expect(before).toMatch(/data-testid="rotate-after-messages-input"[^>]*value="1000"/);
    expect(before).toMatch(/data-testid="rotate-after-days-input"[^>]*value="7"/);

    fake.emit('settings.updated', { ...settings, rotateAfterMessages: 250, rotateAfterDays: 0 });
    const after = render(store, <KeyRenewalSettings />);
    expect(after).toMatch(/data-testid="rotate-after-messages-input"[^>]*value="250"/);
    expect(after).toMatch(/data-testid="rotate-after-days-input"[^>]*value="0"/);
  });
});
