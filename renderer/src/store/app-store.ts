/**
 * The renderer's one store, built from typed slices (one per concern), and fed by the node's
 * events. Components read it and call its actions; only actions talk to the ParleyApi.
 *
 * `createAppStore(api)` takes the API so that tests pass a fake and the web GUI passes its
 * WebSocket client; `dispose()` ends every event subscription the store made. The window's
 * own services (system notifications, what the window remembers) default to the browser's
 * and can be replaced, as tests do.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ParleyApi } from '../../../shared/api';
import { webNotifier, type Notifier } from '../notify/notifier';
import { createConnectionSlice, watchAnswers, type ConnectionSlice } from './connection-slice';
import { createIdentitySlice, subscribeIdentityEvents, type IdentitySlice } from './identity-slice';
import { createMessagesSlice, type MessagesSlice } from './messages-slice';
import { createNotificationsSlice, type NotificationsSlice } from './notifications-slice';
import { createPeersSlice, type PeersSlice } from './peers-slice';
import { browserPrefs, type Prefs } from './prefs';
import { createRoomsSlice, type RoomsSlice } from './rooms-slice';
import { createSecuritySlice, type SecuritySlice } from './security-slice';
import { createSettingsSlice, type SettingsSlice } from './settings-slice';
import { createSyncSlice, type SyncSlice } from './sync-slice';
import { createUiSlice, type UiSlice } from './ui-slice';

export interface StartSlice {
  /** Loads what the window shows from the start: identity, peers, rooms, settings. */
  loadAll(): Promise<void>;
}

export type AppState = IdentitySlice &
  PeersSlice &
  RoomsSlice &
  MessagesSlice &
  SyncSlice &
  SettingsSlice &
  UiSlice &
  NotificationsSlice &
  SecuritySlice &
  ConnectionSlice &
  StartSlice;

export interface AppStore extends StoreApi<AppState> {
  /** Unsubscribes from every API event; the store keeps its last state. Safe to call twice. */
  dispose(): void;
}

export interface AppEnv {
  notifier?: Notifier;
  prefs?: Prefs;
  /** Whether the window has focus as the store starts (default: document.hasFocus()). */
  focused?: boolean;
  /** How often to ask whether the node is back after contact was lost, in ms. Default 3000. */
  reconnectProbeMs?: number;
}

const RECONNECT_PROBE_MS = 3000;

export function createAppStore(hostApi: ParleyApi, env: AppEnv = {}): AppStore {
  const focused = env.focused ?? (typeof document !== 'undefined' ? document.hasFocus() : true);
  // Every slice talks through this wrapper, so any command tells whether the node is there.
  const api = watchAnswers(hostApi, (answered) => store.getState().nodeAnswered(answered));
  const store = createStore<AppState>()((...a) => ({
    ...createIdentitySlice(api)(...a),
    ...createPeersSlice(api)(...a),
    ...createRoomsSlice(api)(...a),
    ...createMessagesSlice(api)(...a),
    ...createSyncSlice(...a),
    ...createSettingsSlice(api)(...a),
    ...createUiSlice(env.prefs ?? browserPrefs(), focused)(...a),
    ...createNotificationsSlice(env.notifier ?? webNotifier())(...a),
    ...createSecuritySlice(api)(...a),
    ...createConnectionSlice(...a),
    async loadAll() {
      const s = a[1]();
      // Asked at start only while undecided; a user who answered is not asked again.
      if (s.notifications.permission === 'default') void s.requestNotificationPermission();
      await Promise.all([
        s.loadIdentity(),
        s.loadPeers(),
        s.loadRooms(),
        s.loadSettings(),
        s.loadAlerts(),
      ]);
    },
  }));
  const subscriptions = [
    subscribeIdentityEvents(api, store.getState),
    subscribeNodeEvents(api, store.getState),
  ].flat();
  subscriptions.push(probeWhileLost(store, api, env.reconnectProbeMs ?? RECONNECT_PROBE_MS));
  const dispose = (): void => {
    for (const unsubscribe of subscriptions.splice(0)) unsubscribe();
  };
  return Object.assign(store, { dispose });
}

/**
 * While contact with the node is lost, asks `node.status` every `intervalMs`; when the node
 * answers again, reloads everything (events sent meanwhile were missed). Returns the stop.
 */
function probeWhileLost(store: StoreApi<AppState>, api: ParleyApi, intervalMs: number) {
  let timer: ReturnType<typeof setInterval> | undefined;
  const stopProbing = (): void => {
    clearInterval(timer);
    timer = undefined;
  };
  const unsubscribe = store.subscribe((s, before) => {
    if (s.connection.lost && !timer) {
      timer = setInterval(() => void api.invoke('node.status', {}), intervalMs);
    } else if (!s.connection.lost && before.connection.lost) {
      stopProbing();
      void s.loadAll();
    }
  });
  return () => {
    unsubscribe();
    stopProbing();
  };
}

/** Feeds every node event (but identity's) into the store's actions. */
function subscribeNodeEvents(api: ParleyApi, state: () => AppState): Array<() => void> {
  return [
    api.on('peer.discovered', (p) => state().peerChanged(p)),
    api.on('peer.updated', (p) => state().peerChanged(p)),
    api.on('peer.lost', (p) => state().peerChanged(p)),
    api.on('security.alert', (alert) => state().alertRaised(alert)),
    api.on('room.updated', (room) => state().roomUpdated(room)),
    api.on('room.removed', (event) => state().roomRemoved(event)),
    api.on('message.received', (m) => state().messageReceived(m)),
    api.on('message.delivery', (e) => state().deliveryUpdated(e.roomId, e.updates)),
    api.on('sync.progress', (p) => state().syncProgressed(p)),
    api.on('settings.updated', (s) => state().settingsUpdated(s)),
  ];
}
