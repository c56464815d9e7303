import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentNotifier } from '../notify/notifier';
import { createAppStore, type AppStore } from './app-store';
import { sortedPeers } from './peers-slice';
import { memoryPrefs, type Prefs } from './prefs';
import { catchingUp } from './sync-slice';
import { failResult, fakeApi, okResult, type Handlers } from './testing/fake-api';
import { bob, identity, ROOM, settings, status } from './testing/fixtures';

let store: AppStore | undefined;
afterEach(() => store?.dispose());

function storeWith(handlers: Handlers, prefs: Prefs = memoryPrefs()) {
  const fake = fakeApi(handlers);
  store = createAppStore(fake.api, { notifier: silentNotifier, prefs, focused: true });
  return { ...fake, store };
}

describe('peers slice', () => {
  it('lists peers online first and follows presence events', async () => {
    const carol = { ...bob, deviceId: 'C'.repeat(7), name: 'Carol', online: false };
    const { store, emit } = storeWith({ 'peers.list': () => okResult([carol, bob]) });
    await store.getState().loadPeers();
    expect(sortedPeers(store.getState().peers.byId).map((p) => p.name)).toEqual(['Bob', 'Carol']);

    emit('peer.lost', { ...bob, online: false, linked: false });
    emit('peer.discovered', { ...carol, online: true });
    expect(sortedPeers(store.getState().peers.byId).map((p) => p.name)).toEqual(['Carol', 'Bob']);
  });

  it('marks a peer verified with the node’s answer, and explains a bad address', async () => {
    const { store, callsOf } = storeWith({
      'peers.setVerified': (args) => okResult({ ...bob, verified: args.verified }),
      'peers.add': () => failResult('BAD_REQUEST', 'address: That is not host:port.'),
    });
    await store.getState().setPeerVerified(bob.deviceId, true);
    expect(callsOf('peers.setVerified')).toEqual([{ deviceId: bob.deviceId, verified: true }]);
    expect(store.getState().peers.byId[bob.deviceId]?.verified).toBe(true);

    await expect(store.getState().addPeer('nonsense')).resolves.toMatchObject({
      ok: false,
      error: 'address: That is not host:port.',
    });
    expect(store.getState().peers.manual).toEqual([]);
  });
});

describe('security alerts', () => {
  const alert = {
    id: 'a1',
    kind: 'key-mismatch' as const,
    expected: bob.deviceId,
    presented: 'X'.repeat(7),
    address: '127.0.0.1:4100',
    message: 'Bob presented a different key.',
    at: 1,
  };

  it('shows the alerts the node kept and new ones, once per mismatch, until dismissed', async () => {
    const { store, emit, callsOf } = storeWith({
      'security.alerts': () => okResult([{ ...alert, id: 'earlier', at: 0 }]),
      'security.dismiss': () => okResult({}),
    });
    // One raised before this window opened, kept by the node.
    await store.getState().loadAlerts();
    expect(store.getState().alerts.map((a) => a.key)).toEqual(['earlier']);
    emit('security.alert', alert);
    emit('security.alert', { ...alert, at: 2 });
    expect(store.getState().alerts.map((a) => a.key)).toEqual(['earlier', 'a1']);
    store.getState().dismissAlert('a1');
    expect(store.getState().alerts.map((a) => a.key)).toEqual(['earlier']);
    expect(callsOf('security.dismiss')).toEqual([{ id: 'a1' }]);
  });
});

describe('sync progress', () => {
  it('says a room is catching up until every sync of it is done', () => {
    const { store, emit } = storeWith({});
    emit('sync.progress', { roomId: ROOM, peer: 'A', received: 100, done: false });
    emit('sync.progress', { roomId: ROOM, peer: 'B', received: 20, done: false });
    expect(catchingUp(store.getState().syncing, ROOM)).toBe(120);
    emit('sync.progress', { roomId: ROOM, peer: 'A', received: 150, done: true });
    expect(catchingUp(store.getState().syncing, ROOM)).toBe(20);
    emit('sync.progress', { roomId: ROOM, peer: 'B', received: 30, done: true });
    expect(catchingUp(store.getState().syncing, ROOM)).toBeNull();
  });
});

describe('settings slice', () => {
  it('loads settings and status, saves a change, and explains a refused one', async () => {
    const { store, callsOf } = storeWith({
      'settings.get': () => okResult(settings),
      'node.status': () =>
        okResult({
          version: '0.1.0',
          startedAt: 1,
          dataDir: '/data/parley',
          storage: 'sqlite',
          keyProtection: 'none',
          peerPort: 47778,
          discovery: true,
        }),
      'settings.update': (args) =>
        args.discoveryPort === 80
          ? failResult('BAD_REQUEST', 'The discovery port must be from 1024 to 65535.')
          : okResult({ ...settings, ...args, restartRequired: true }),
    });
    await store.getState().loadSettings();
    expect(store.getState().settings.status?.dataDir).toBe('/data/parley');

    await store.getState().updateSettings({ discoveryPort: 40000 });
    expect(store.getState().settings.settings).toMatchObject({
      discoveryPort: 40000,
      restartRequired: true,
    });
    const refused = await store.getState().updateSettings({ discoveryPort: 80 });
    expect(refused).toMatchObject({
      ok: false,
      error: 'The discovery port must be from 1024 to 65535.',
    });
    expect(store.getState().settings.settings?.discoveryPort).toBe(40000);
    expect(callsOf('settings.update')).toHaveLength(2);
  });
});

describe('onboarding', () => {
  it('is needed once per device, and remembered', async () => {
    const prefs = memoryPrefs();
    const { store } = storeWith({ 'identity.get': () => okResult(identity) }, prefs);
    await store.getState().loadIdentity();
    expect(store.getState().ui.onboardedDevice).toBeNull();
    store.getState().completeOnboarding();
    expect(store.getState().ui.onboardedDevice).toBe(identity.deviceId);
    expect(prefs.onboardedDevice()).toBe(identity.deviceId);
  });
});

describe('dispose', () => {
  it('ends every event subscription', () => {
    const { store, listenerCount } = storeWith({});
    const events = [
      'room.updated',
      'message.received',
      'peer.updated',
      'settings.updated',
    ] as const;
    for (const e of events) expect(listenerCount(e)).toBe(1);
    store.dispose();
    for (const e of events) expect(listenerCount(e)).toBe(0);
  });
});

describe('connection slice', () => {
  it('notices a node that stops answering, asks until it is back, then reloads', async () => {
    vi.useFakeTimers();
    try {
      let up = true;
      const answer = <T>(value: T) =>
        up ? okResult(value) : failResult('NOT_RUNNING', 'The Parley node is not answering.');
      const fake = fakeApi({
        'identity.get': () => answer(identity),
        'peers.list': () => answer([bob]),
        'rooms.list': () => answer([]),
        'settings.get': () => answer(settings),
        'node.status': () => answer(status),
      });
      store = createAppStore(fake.api, {
        notifier: silentNotifier,
        prefs: memoryPrefs(),
        focused: true,
        reconnectProbeMs: 1000,
      });
      await store.getState().loadAll();
      expect(store.getState().connection.lost).toBe(false);

      const probesBefore = fake.callsOf('node.status').length;
      up = false;
      await store.getState().loadPeers();
      expect(store.getState().connection.lost).toBe(true);
      await vi.advanceTimersByTimeAsync(2500);
      expect(fake.callsOf('node.status')).toHaveLength(probesBefore + 2);

      up = true;
      const peerLoads = fake.callsOf('peers.list').length;
      await vi.advanceTimersByTimeAsync(1000);
      expect(store.getState().connection.lost).toBe(false);
      // Back: everything is reloaded, and the probing stops.
      expect(fake.callsOf('peers.list').length).toBe(peerLoads + 1);
      const callsWhenBack = fake.callsOf('node.status').length;
      await vi.advanceTimersByTimeAsync(5000);
      expect(fake.callsOf('node.status')).toHaveLength(callsWhenBack);
    } finally {
      vi.useRealTimers();
    }
  });

  it('counts an error answer as the node being there', async () => {
    const { store } = storeWith({
      'peers.add': () => failResult('BAD_REQUEST', 'address: That is not host:port.'),
    });
    await store.getState().addPeer('nonsense');
    expect(store.getState().connection.lost).toBe(false);
  });
});
