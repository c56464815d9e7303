/**
 * The messages slice: for each room, the messages loaded so far (oldest first, no duplicates),
 * whether older ones remain, the sends still waiting for the node, and message search.
 *
 * Messages are ordered as the node orders them (Lamport time, then ID), so a message that
 * arrives late from a catch-up lands where it belongs. A message is kept once, whether it came
 * from history, from messages.send's answer or from message.received.
 */
import type { StateCreator } from 'zustand';
import type { MessageInfo, ParleyApi } from '../../../shared/api';
import type { AppState } from './app-store';
import { request, type Outcome } from './outcome';

/** How many messages a page of history holds (the first page and each older one). */
export const PAGE_SIZE = 50;

export interface RoomMessages {
  items: MessageInfo[];
  loaded: boolean;
  /** The node may hold older messages than the first loaded one. */
  hasOlder: boolean;
  loadingOlder: boolean;
  error: string | null;
}

export interface PendingSend {
  key: string;
  text: string;
  status: 'sending' | 'failed';
  error: string | null;
}

export interface SearchState {
  query: string;
  roomId: string | null;
  status: 'idle' | 'searching' | 'done' | 'failed';
  results: MessageInfo[];
  error: string | null;
}

export interface Delivery {
  delivered: number;
  of: number;
}

/** One update of the contract's `message.delivery` event. */
export interface DeliveryUpdate extends Delivery {
  id: string;
}

export interface MessagesSlice {
  messages: {
    byRoom: Record<string, RoomMessages>;
    pending: Record<string, PendingSend[]>;
    search: SearchState;
    /** A message the user asked to see (from search): the room view scrolls to it. */
    revealed: { roomId: string; id: string } | null;
  };
  /** Loads the newest page of a room once; later messages arrive by event. */
  loadMessages(roomId: string): Promise<void>;
  loadOlderMessages(roomId: string): Promise<void>;
  /** Sends a message; resolves true once the node stored it. */
  sendMessage(roomId: string, text: string): Promise<boolean>;
  retrySend(roomId: string, key: string): Promise<boolean>;
  discardSend(roomId: string, key: string): void;
  messageReceived(message: MessageInfo): void;
  deliveryUpdated(roomId: string, updates: DeliveryUpdate[]): void;
  searchMessages(query: string, roomId: string | null): Promise<void>;
  /**
   * Opens the message's room and loads older pages until the message is among them, then marks
   * it revealed; resolves false when the node no longer has it.
   */
  revealMessage(message: MessageInfo): Promise<boolean>;
  clearSearch(): void;
}

const emptyRoom: RoomMessages = {
  items: [],
  loaded: false,
  hasOlder: true,
  loadingOlder: false,
  error: null,
};

const idleSearch: SearchState = {
  query: '',
  roomId: null,
  status: 'idle',
  results: [],
  error: null,
};

const before = (a: MessageInfo, b: MessageInfo): number =>
  a.lamport - b.lamport || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Merges messages into a sorted list without duplicates (a newer copy replaces an older). */
export function mergeMessages(list: MessageInfo[], incoming: MessageInfo[]): MessageInfo[] {
  const byId = new Map(list.map((m) => [m.id, m]));
  for (const m of incoming) byId.set(m.id, m);
  return [...byId.values()].sort(before);
}

let pendingCounter = 0;

export const createMessagesSlice =
  (api: ParleyApi): StateCreator<AppState, [], [], MessagesSlice> =>
  (set, get) => {
    const roomOf = (roomId: string): RoomMessages => get().messages.byRoom[roomId] ?? emptyRoom;
    const patchRoom = (roomId: string, change: (room: RoomMessages) => Partial<RoomMessages>) =>
      set((s) => {
        const room = s.messages.byRoom[roomId] ?? emptyRoom;
        const byRoom = { ...s.messages.byRoom, [roomId]: { ...room, ...change(room) } };
        return { messages: { ...s.messages, byRoom } };
      });
    const setPending = (roomId: string, change: (list: PendingSend[]) => PendingSend[]) =>
      set((s) => {
        const pending = {
          ...s.messages.pending,
          [roomId]: change(s.messages.pending[roomId] ?? []),
        };
        return { messages: { ...s.messages, pending } };
      });

    /** First-page loads in flight, by room. */
    const firstLoads = new Map<string, Promise<void>>();

    const loadPage = async (roomId: string, older: boolean): Promise<void> => {
      const first = roomOf(roomId).items[0];
      const args =
        older && first
          ? { roomId, limit: PAGE_SIZE, before: { lamport: first.lamport, id: first.id } }
          : { roomId, limit: PAGE_SIZE };
      patchRoom(roomId, () => ({ loadingOlder: older, error: null }));
      const result = await request(api, 'messages.history', args);
      if (!result.ok)
        return patchRoom(roomId, () => ({ loadingOlder: false, error: result.error }));
      patchRoom(roomId, (room) => ({
        items: mergeMessages(room.items, result.value),
        loaded: true,
        hasOlder: result.value.length >= PAGE_SIZE,
        loadingOlder: false,
      }));
    };

    const deliver = async (roomId: string, key: string, text: string): Promise<boolean> => {
      const result: Outcome<MessageInfo> = await request(api, 'messages.send', { roomId, text });
      if (!result.ok) {
        setPending(roomId, (list) =>
          list.map((p) => (p.key === key ? { ...p, status: 'failed', error: result.error } : p)),
        );
        return false;
      }
      // One update: the message appears and its "Sending…" placeholder goes at the same time.
      set((s) => {
        const room = s.messages.byRoom[roomId] ?? emptyRoom;
        const byRoom = {
          ...s.messages.byRoom,
          [roomId]: { ...room, items: mergeMessages(room.items, [result.value]) },
        };
        const list = (s.messages.pending[roomId] ?? []).filter((p) => p.key !== key);
        return {
          messages: { ...s.messages, byRoom, pending: { ...s.messages.pending, [roomId]: list } },
        };
      });
      return true;
    };

    return {
      messages: { byRoom: {}, pending: {}, search: idleSearch, revealed: null },

      async loadMessages(roomId) {
        if (roomOf(roomId).loaded) return;
        // Opening a room and revealing a message in it both ask: one request serves both.
        let loading = firstLoads.get(roomId);
        if (!loading) {
          loading = loadPage(roomId, false).finally(() => firstLoads.delete(roomId));
          firstLoads.set(roomId, loading);
        }
        await loading;
      },

      async loadOlderMessages(roomId) {
        const room = roomOf(roomId);
        if (!room.loaded || !room.hasOlder || room.loadingOlder) return;
        await loadPage(roomId, true);
      },

      async sendMessage(roomId, text) {
        const key = `pending-${++pendingCounter}`;
        setPending(roomId, (list) => [...list, { key, text, status: 'sending', error: null }]);
        const stored = await deliver(roomId, key, text);
        // Until the node has it, the text also stays the room's saved draft: a window closed
        // mid-send shows it again in the composer.
        if (stored) get().draftSent(roomId, text);
        return stored;
      },

      async retrySend(roomId, key) {
        const entry = get().messages.pending[roomId]?.find((p) => p.key === key);
        if (!entry || entry.status !== 'failed') return false;
        setPending(roomId, (list) =>
          list.map((p) => (p.key === key ? { ...p, status: 'sending', error: null } : p)),
        );
        return deliver(roomId, key, entry.text);
      },

      discardSend(roomId, key) {
        setPending(roomId, (list) => list.filter((p) => p.key !== key));
      },

      messageReceived(message) {
        // Rooms never opened load their history when opened; keeping a lone message would
        // make them look loaded with one message.
        if (roomOf(message.roomId).loaded) {
          patchRoom(message.roomId, (room) => ({ items: mergeMessages(room.items, [message]) }));
        }
        get().notifyIfWanted(message);
      },

      deliveryUpdated(roomId, updates) {
        const room = get().messages.byRoom[roomId];
        if (!room) return;
        const byId = new Map(updates.map((u) => [u.id, { delivered: u.delivered, of: u.of }]));
        patchRoom(roomId, (r) => ({
          items: r.items.map((m) => {
            const delivery = byId.get(m.id);
            return delivery ? { ...m, delivery } : m;
          }),
        }));
      },

      async searchMessages(query, roomId) {
        const trimmed = query.trim();
        if (!trimmed) return get().clearSearch();
        const patchSearch = (change: Partial<SearchState>) =>
          set((s) => ({
            messages: { ...s.messages, search: { ...s.messages.search, ...change } },
          }));
        patchSearch({ query: trimmed, roomId, status: 'searching', error: null });
        const args = roomId ? { query: trimmed, roomId } : { query: trimmed };
        const result = await request(api, 'messages.search', args);
        // A newer search may have started while this one ran; only the latest one shows.
        const now = get().messages.search;
        if (now.query !== trimmed || now.roomId !== roomId) return;
        if (result.ok) patchSearch({ status: 'done', results: result.value });
        else patchSearch({ status: 'failed', results: [], error: result.error });
      },

      async revealMessage(message) {
        const { roomId, id } = message;
        const { view } = get().ui;
        if (view.kind !== 'room' || view.roomId !== roomId) get().selectRoom(roomId);
        await get().loadMessages(roomId);
        const has = (): boolean => roomOf(roomId).items.some((m) => m.id === id);
        // Each page is older than the last; once the first loaded message sorts before the
        // wanted one, more pages cannot bring it.
        const passed = (): boolean => {
          const first = roomOf(roomId).items[0];
          return first !== undefined && first.lamport < message.lamport;
        };
        while (!has() && !passed() && roomOf(roomId).hasOlder && !roomOf(roomId).error) {
          const before = roomOf(roomId).items.length;
          await loadPage(roomId, true);
          if (roomOf(roomId).items.length === before) break;
        }
        const found = has();
        set((s) => ({ messages: { ...s.messages, revealed: found ? { roomId, id } : null } }));
        return found;
      },

      clearSearch() {
        set((s) => ({ messages: { ...s.messages, search: idleSearch } }));
      },
    };
  };
