import { afterEach, describe, expect, it } from 'vitest';
import type { MessageInfo } from '../../../shared/api';
import { createAppStore, type AppStore } from './app-store';
import { PAGE_SIZE } from './messages-slice';
import { memoryPrefs } from './prefs';
import { failResult, fakeApi, okResult } from './testing/fake-api';
import { details, message, ROOM, summary } from './testing/fixtures';
import { silentNotifier } from '../notify/notifier';

let store: AppStore | undefined;
afterEach(() => store?.dispose());

const page = (n: number): MessageInfo[] => Array.from({ length: n }, () => message());

function storeWith(handlers: Parameters<typeof fakeApi>[0]) {
  const fake = fakeApi(handlers);
  store = createAppStore(fake.api, { notifier: silentNotifier, prefs: memoryPrefs() });
  return { ...fake, store };
}

describe('messages slice', () => {
  it('loads the newest page once, then older pages before the first message', async () => {
    const older = page(3);
    const newest = page(PAGE_SIZE);
    const { store, callsOf } = storeWith({
      'messages.history': (args) => okResult(args.before ? older : newest),
    });
    await store.getState().loadMessages(ROOM);
    await store.getState().loadMessages(ROOM);
    expect(callsOf('messages.history')).toHaveLength(1);
    expect(store.getState().messages.byRoom[ROOM]?.hasOlder).toBe(true);

    await store.getState().loadOlderMessages(ROOM);
    const room = store.getState().messages.byRoom[ROOM]!;
    expect(callsOf('messages.history')[1]).toEqual({
      roomId: ROOM,
      limit: PAGE_SIZE,
      before: { lamport: newest[0]!.lamport, id: newest[0]!.id },
    });
    expect(room.items.map((m) => m.id)).toEqual([...older, ...newest].map((m) => m.id));
    expect(room.hasOlder).toBe(false);
  });

  it('shows a message once, in Lamport order, however it arrives', async () => {
    const [a, b, c] = page(3) as [MessageInfo, MessageInfo, MessageInfo];
    const { store, emit } = storeWith({ 'messages.history': () => okResult([a, c]) });
    await store.getState().loadMessages(ROOM);
    emit('message.received', b);
    emit('message.received', c);
    expect(store.getState().messages.byRoom[ROOM]!.items).toEqual([a, b, c]);
  });

  it('keeps a send pending until the node answers, then shows the stored message', async () => {
    const sent = message({ mine: true, text: 'hi', delivery: { delivered: 0, of: 2 } });
    let answer: ((value: unknown) => void) | undefined;
    const fake = fakeApi({ 'messages.history': () => okResult([]) });
    fake.api.invoke = (async (name: string) => {
      if (name === 'messages.history') return okResult([]);
      await new Promise((resolve) => (answer = resolve));
      return okResult(sent);
    }) as typeof fake.api.invoke;
    store = createAppStore(fake.api, { notifier: silentNotifier, prefs: memoryPrefs() });
    await store.getState().loadMessages(ROOM);

    const sending = store.getState().sendMessage(ROOM, 'hi');
    expect(store.getState().messages.pending[ROOM]).toMatchObject([
      { text: 'hi', status: 'sending' },
    ]);
    answer!(undefined);
    await expect(sending).resolves.toBe(true);
    expect(store.getState().messages.pending[ROOM]).toEqual([]);
    expect(store.getState().messages.byRoom[ROOM]!.items).toEqual([sent]);
  });

  it('keeps a refused send with the reason, and sends it again on retry', async () => {
    let refuse = true;
    const { store, callsOf } = storeWith({
      'messages.send': (args) =>
        refuse
          ? failResult('NO_ROOM_KEY', 'This device does not hold the room key yet.')
          : okResult(message({ mine: true, text: args.text })),
    });
    await expect(store.getState().sendMessage(ROOM, 'later')).resolves.toBe(false);
    const [failed] = store.getState().messages.pending[ROOM]!;
    expect(failed).toMatchObject({
      status: 'failed',
      error: 'This device does not hold the room key yet.',
    });

    refuse = false;
    await expect(store.getState().retrySend(ROOM, failed!.key)).resolves.toBe(true);
    expect(callsOf('messages.send')).toEqual([
      { roomId: ROOM, text: 'later' },
      { roomId: ROOM, text: 'later' },
    ]);
    expect(store.getState().messages.pending[ROOM]).toEqual([]);
  });

  it('updates delivery from message.delivery', async () => {
    const mine = message({ mine: true, delivery: { delivered: 0, of: 3 } });
    const { store, emit } = storeWith({ 'messages.history': () => okResult([mine]) });
    await store.getState().loadMessages(ROOM);
    emit('message.delivery', { roomId: ROOM, updates: [{ id: mine.id, delivered: 2, of: 3 }] });
    expect(store.getState().messages.byRoom[ROOM]!.items[0]!.delivery).toEqual({
      delivered: 2,
      of: 3,
    });
  });

  it('searches, and explains a failed search', async () => {
    const hit = message({ text: 'lunch at noon' });
    let fail = false;
    const { store, callsOf } = storeWith({
      'messages.search': () => (fail ? failResult('INTERNAL', 'Search broke.') : okResult([hit])),
    });
    await store.getState().searchMessages(' lunch ', ROOM);
    expect(callsOf('messages.search')).toEqual([{ query: 'lunch', roomId: ROOM }]);
    expect(store.getState().messages.search).toMatchObject({ status: 'done', results: [hit] });

    fail = true;
    await store.getState().searchMessages('noon', null);
    expect(store.getState().messages.search).toMatchObject({
      status: 'failed',
      error: 'Search broke.',
    });
    store.getState().clearSearch();
    expect(store.getState().messages.search.status).toBe('idle');
  });
});

describe('revealing a message from search', () => {
  it('opens its room and loads older pages until the message is there', async () => {
    const oldest = page(PAGE_SIZE);
    const middle = page(PAGE_SIZE);
    const newest = page(PAGE_SIZE);
    const pages = [newest, middle, oldest];
    const { store, callsOf } = storeWith({
      'messages.history': () => okResult(pages.shift() ?? []),
      'rooms.get': () => okResult(details()),
      'rooms.markRead': () => okResult(summary()),
    });
    const wanted = oldest[3]!;
    await expect(store.getState().revealMessage(wanted)).resolves.toBe(true);
    expect(store.getState().ui.view).toEqual({ kind: 'room', roomId: ROOM });
    expect(callsOf('messages.history')).toHaveLength(3);
    expect(store.getState().messages.revealed).toEqual({ roomId: ROOM, id: wanted.id });
  });

  it('stops once the pages are older than the message, and says it is gone', async () => {
    const gone = message();
    const newer = page(PAGE_SIZE);
    const { store, callsOf } = storeWith({
      'messages.history': (args) => okResult(args.before ? [] : newer),
      'rooms.get': () => okResult(details()),
      'rooms.markRead': () => okResult(summary()),
    });
    // The node's first page already reaches past it (its Lamport time is older than all).
    const older = { ...gone, lamport: newer[0]!.lamport - 1, id: 'deleted' };
    await expect(store.getState().revealMessage(older)).resolves.toBe(false);
    // The newest page, then one older page that brings nothing.
    expect(callsOf('messages.history')).toHaveLength(2);
    expect(store.getState().messages.revealed).toBeNull();
  });
});

describe('drafts', () => {
  it('keep what was typed until the node has stored it, across a closed window', async () => {
    const prefs = memoryPrefs();
    let up = false;
    const fake = fakeApi({
      'messages.send': (args) =>
        up ? okResult(message({ text: args.text, mine: true })) : failResult('NOT_RUNNING', 'down'),
    });
    store = createAppStore(fake.api, { notifier: silentNotifier, prefs });
    store.getState().saveDraft(ROOM, 'see you at ten');
    // The node is down: the send fails, and the text is still the room's draft.
    await expect(store.getState().sendMessage(ROOM, 'see you at ten')).resolves.toBe(false);
    store.dispose();

    // A new window (same saved prefs) shows the draft again.
    store = createAppStore(fake.api, { notifier: silentNotifier, prefs });
    expect(store.getState().draftOf(ROOM)).toBe('see you at ten');
    up = true;
    await expect(store.getState().sendMessage(ROOM, 'see you at ten')).resolves.toBe(true);
    expect(store.getState().draftOf(ROOM)).toBe('');
  });

  it('keep new typing when an earlier send is answered', async () => {
    const { store } = storeWith({
      'messages.send': (args) => okResult(message({ text: args.text, mine: true })),
    });
    store.getState().saveDraft(ROOM, 'first');
    const sending = store.getState().sendMessage(ROOM, 'first');
    store.getState().saveDraft(ROOM, 'second, still typing');
    await sending;
    expect(store.getState().draftOf(ROOM)).toBe('second, still typing');
  });
});
