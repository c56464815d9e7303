/**
 * The peers slice: every device this node knows (from LAN discovery, links, manual addresses),
 * with online state, and the manual addresses the user added by hand.
 *
 * The node's peer events (discovered, updated, lost) replace a peer's entry whole, so the list
 * always shows the node's latest word about each peer.
 */
import type { StateCreator } from 'zustand';
import type { ManualPeerInfo, ParleyApi, PeerInfo } from '../../../shared/api';
import type { AppState } from './app-store';
import { done, request, type Outcome } from './outcome';

export interface PeersState {
  byId: Record<string, PeerInfo>;
  loaded: boolean;
  loadError: string | null;
  /** Addresses added by hand (peers.manual). */
  manual: ManualPeerInfo[];
}

export interface PeersSlice {
  peers: PeersState;
  loadPeers(): Promise<void>;
  loadManualPeers(): Promise<void>;
  /** Adds a peer by `host:port`; the node dials it and keeps redialling it. */
  addPeer(address: string): Promise<Outcome>;
  removeManualPeer(address: string): Promise<Outcome>;
  setPeerVerified(deviceId: string, verified: boolean): Promise<Outcome>;
  /** The node reported a peer (peer.discovered / peer.updated / peer.lost). */
  peerChanged(peer: PeerInfo): void;
}

export const initialPeersState: PeersState = {
  byId: {},
  loaded: false,
  loadError: null,
  manual: [],
};

export const createPeersSlice =
  (api: ParleyApi): StateCreator<AppState, [], [], PeersSlice> =>
  (set, get) => {
    const patch = (change: Partial<PeersState>): void =>
      set((s) => ({ peers: { ...s.peers, ...change } }));

    return {
      peers: initialPeersState,

      async loadPeers() {
        const result = await request(api, 'peers.list', {});
        if (!result.ok) return patch({ loadError: result.error });
        patch({
          byId: Object.fromEntries(result.value.map((p) => [p.deviceId, p])),
          loaded: true,
          loadError: null,
        });
      },

      async loadManualPeers() {
        const result = await request(api, 'peers.manual', {});
        if (result.ok) patch({ manual: result.value });
      },

      async addPeer(address) {
        const result = await request(api, 'peers.add', { address });
        if (result.ok) {
          const others = get().peers.manual.filter((m) => m.address !== result.value.address);
          patch({ manual: [...others, result.value] });
        }
        return done(result);
      },

      async removeManualPeer(address) {
        const result = await request(api, 'peers.remove', { address });
        if (result.ok) await get().loadManualPeers();
        return done(result);
      },

      async setPeerVerified(deviceId, verified) {
        const result = await request(api, 'peers.setVerified', { deviceId, verified });
        if (result.ok) get().peerChanged(result.value);
        return done(result);
      },

      peerChanged(peer) {
        set((s) => ({ peers: { ...s.peers, byId: { ...s.peers.byId, [peer.deviceId]: peer } } }));
      },
    };
  };

/** Peers for a list: online first, then by name. */
export function sortedPeers(byId: Record<string, PeerInfo>): PeerInfo[] {
  return Object.values(byId).sort(
    (a, b) => Number(b.online) - Number(a.online) || a.name.localeCompare(b.name),
  );
}
