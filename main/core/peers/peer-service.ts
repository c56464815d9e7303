/**
 * The peer directory: one view of every other node this one knows, merged from LAN discovery,
 * the peer links, the manual peers and the store, with online / offline / last seen.
 *
 * What must stay true:
 * - A peer is online while discovery hears it or a link to it is up; it is reported lost only
 *   when both are gone.
 * - Everything learnt about a peer is kept in the store, so that a peer on another subnet that
 *   was reached once is dialled again after a restart.
 * - Addresses learnt from other peers (gossip) are only hints: we dial them by device ID, and
 *   mutual TLS proves who answers, so a lying peer can at worst make us dial a wrong address.
 * - Manual peers (host:port) are probed to learn their device ID (trust on first use), then
 *   dialled by ID like any other; unreachable ones are retried with backoff, forever.
 */
import { z } from 'zod';
import type { EventName, ManualPeerInfo, PeerInfo, SecurityAlert } from '../../../shared/api';
import { ParleyError } from '../../../shared/errors';
import {
  formatPeerAddress,
  parsePeerAddress,
  type PeerAddress,
} from '../../../shared/peer-address';
import type { Discovery, DiscoveredPeer } from '../discovery';
import type { Identity } from '../identity/identity';
import { fingerprintOf } from '../identity/device-id';
import type { Logger } from '../log/logger';
import { CLOSE_CODES, type Link, type LinkManager, type SecurityEvent } from '../net';
import { backoffDelayMs } from '../net/backoff';
import type { PeerRecord, Store } from '../store/store';
import { probePeer } from './probe';
import { createSecurityAlertBook } from './security-alerts';
import { parseStoredJson } from './stored-json';

/** Settings key of the manual peer list (JSON). */
const MANUAL_PEERS_SETTING = 'peers.manual';
/** Push type of the address gossip sent on every new link. */
export const GOSSIP_PUSH = 'peers.known';
/** Most addresses sent or accepted in one gossip push. */
export const MAX_GOSSIP_PEERS = 64;
/**
 * Request a node answers to show it is alive. Sent when discovery stops hearing a peer whose
 * link is still up: a cut cable leaves a TCP link looking fine until heartbeats run out, and
 * the user should see the peer go offline within three announce intervals, not half a minute.
 */
export const LIVENESS_REQUEST = 'peer.ping';
/** How long a peer that went quiet on the LAN has to answer the liveness request, in ms. */
export const LIVENESS_TIMEOUT_MS = 3_000;
/** Manual peers that cannot be reached are probed again after this backoff, in ms. */
const MANUAL_RETRY = { baseMs: 1_000, maxMs: 60_000 };

const ManualList = z.array(z.object({ address: z.string(), deviceId: z.string().nullable() }));
const GossipBody = z
  .object({
    peers: z
      .array(
        z.object({
          id: z.string().max(64),
          host: z.string().max(255),
          port: z.number().int().min(1).max(65535),
        }),
      )
      .max(MAX_GOSSIP_PEERS),
  })
  .strict();

interface PeerState {
  deviceId: string;
  name: string;
  publicKeySpki: Uint8Array;
  address: PeerAddress | null;
  heard: boolean;
  linked: boolean;
  lastSeen: number | null;
  firstSeen: number;
  verified: boolean;
}

export type PeerEventName = Extract<EventName, 'peer.discovered' | 'peer.updated' | 'peer.lost'>;

export interface PeerServiceOptions {
  identity: Identity;
  store: Store;
  links: LinkManager;
  discovery: Discovery | undefined;
  logger: Logger;
  emitPeer: (event: PeerEventName, peer: PeerInfo) => void;
  emitAlert: (alert: SecurityAlert) => void;
  now?: () => number;
}

export interface PeerService {
  start(): Promise<void>;
  close(): Promise<void>;
  list(): PeerInfo[];
  addManual(address: string): Promise<ManualPeerInfo>;
  removeManual(address: string): Promise<void>;
  manual(): ManualPeerInfo[];
  setVerified(deviceId: string, verified: boolean): Promise<PeerInfo>;
  /** The peer's identity key (SPKI DER) when it is known, for sealing room keys to it. */
  publicKeyOf(deviceId: string): Uint8Array | undefined;
  /** Security alerts not dismissed yet, oldest first. */
  alerts(): SecurityAlert[];
  dismissAlert(id: string): Promise<void>;
}

export function createPeerService(options: PeerServiceOptions): PeerService {
  const { identity, store, links, discovery, logger: log, emitPeer, emitAlert } = options;
  const now = options.now ?? Date.now;
  const peers = new Map<string, PeerState>();
  const alertBook = createSecurityAlertBook(store, log);
  let manualList: ManualPeerInfo[] = [];
  const manualRetries = new Map<string, { attempt: number; timer: NodeJS.Timeout | undefined }>();
  const offs: Array<() => void> = [];
  let closed = false;

  const isOnline = (p: PeerState): boolean => p.heard || p.linked;
  const isManual = (deviceId: string): boolean => manualList.some((m) => m.deviceId === deviceId);

  const toInfo = (p: PeerState): PeerInfo => ({
    deviceId: p.deviceId,
    shortId: p.deviceId.slice(0, 7),
    fingerprint: p.publicKeySpki.length > 0 ? fingerprintOf(p.publicKeySpki) : null,
    name: p.name,
    address: p.address ? formatPeerAddress(p.address) : null,
    online: isOnline(p),
    linked: p.linked,
    lastSeen: p.lastSeen,
    verified: p.verified,
    manual: isManual(p.deviceId),
  });

  const persist = (p: PeerState): void => {
    const record: PeerRecord = {
      deviceId: p.deviceId,
      name: p.name,
      publicKey: p.publicKeySpki,
      addresses: p.address ? [formatPeerAddress(p.address)] : [],
      verified: p.verified,
      manual: isManual(p.deviceId),
      firstSeen: p.firstSeen,
      lastSeen: p.lastSeen,
    };
    store.upsertPeer(record).catch((err: unknown) => log.error('peer_persist_failed', { err }));
  };

  /** Applies a change to a peer, persists it and tells the API which event it was. */
  const change = (
    deviceId: string,
    name: string | undefined,
    apply: (p: PeerState) => void,
  ): void => {
    let p = peers.get(deviceId);
    const wasOnline = p ? isOnline(p) : false;
    if (!p) {
      p = {
        deviceId,
        name: name ?? deviceId.slice(0, 7),
        publicKeySpki: new Uint8Array(0),
        address: null,
        heard: false,
        linked: false,
        lastSeen: null,
        firstSeen: now(),
        verified: false,
      };
      peers.set(deviceId, p);
    }
    if (name !== undefined) p.name = name;
    apply(p);
    persist(p);
    const online = isOnline(p);
    emitPeer(
      online && !wasOnline
        ? 'peer.discovered'
        : !online && wasOnline
          ? 'peer.lost'
          : 'peer.updated',
      toInfo(p),
    );
  };

  const want = (deviceId: string, address: PeerAddress): void => {
    if (deviceId === identity.deviceId || closed) return;
    links.want({ deviceId, address: address.host, port: address.port });
  };

  const onDiscovered = (d: DiscoveredPeer): void => {
    change(d.deviceId, d.name, (p) => {
      p.heard = d.online;
      p.publicKeySpki = d.publicKeySpki;
      if (d.port > 0) p.address = { host: d.address, port: d.port };
      p.lastSeen = d.lastSeen;
    });
    if (d.online && d.port > 0) want(d.deviceId, { host: d.address, port: d.port });
  };

  const onLost = (d: DiscoveredPeer): void => {
    change(d.deviceId, undefined, (p) => {
      p.heard = false;
      p.lastSeen = Math.max(p.lastSeen ?? 0, d.lastSeen);
    });
    const link = links.link(d.deviceId);
    if (!link) return;
    // Any answer, even "unknown request" from another version, proves the peer is there.
    link.request(LIVENESS_REQUEST, {}, { timeoutMs: LIVENESS_TIMEOUT_MS }).catch((err: unknown) => {
      if (closed || !(err instanceof ParleyError) || err.code !== 'PEER_TIMEOUT') return;
      log.info('peer_silent', { deviceId: d.deviceId });
      link.close(CLOSE_CODES.goingAway, 'not heard on the LAN and not answering');
    });
  };

  const onLinkUp = (link: Link): void => {
    const peer = link.peer;
    change(peer.deviceId, peer.name, (p) => {
      p.linked = true;
      if (peer.publicKeySpki) p.publicKeySpki = peer.publicKeySpki;
      p.address = { host: link.address, port: peer.port };
      p.lastSeen = now();
    });
    sendGossip(link);
  };

  const onLinkDown = ({
    deviceId,
    link,
    reason,
  }: {
    deviceId: string;
    link: Link;
    reason: string;
  }): void => {
    // A link replaced by a newer one to the same peer is not the peer going away.
    if (reason === 'replaced' || links.link(deviceId) !== undefined) return;
    void link;
    change(deviceId, undefined, (p) => {
      p.linked = false;
      p.lastSeen = now();
    });
  };

  const onSecurity = (event: SecurityEvent): void => {
    if (event.kind === 'hello-mismatch') {
      log.warn('peer_hello_mismatch', { deviceId: event.deviceId, claimed: event.claimed });
      return;
    }
    const address = formatPeerAddress({ host: event.address, port: event.port });
    const presented = event.kind === 'key-mismatch' ? event.presented : null;
    const name = peers.get(event.expected)?.name ?? event.expected.slice(0, 7);
    const raised = alertBook.raise({
      kind: 'key-mismatch',
      expected: event.expected,
      presented,
      address,
      at: now(),
      message:
        presented === null
          ? `The computer at ${address} claimed to be "${name}" but could not prove it. Parley did not connect.`
          : `The computer at ${address} is not "${name}": it proved a different key (device ${presented.slice(0, 7)}). Parley did not connect. If ${name} was reinstalled, remove it and add it again after comparing fingerprints.`,
    });
    emitAlert(raised.alert);
    raised.saved.catch((err: unknown) => log.error('security_alert_not_kept', { err }));
  };

  /** Tells a new link's peer the addresses of the peers we know, so it can find them too. */
  const sendGossip = (link: Link): void => {
    const known = [...peers.values()]
      .filter((p) => p.address && p.deviceId !== link.peer.deviceId && isOnline(p))
      .slice(0, MAX_GOSSIP_PEERS)
      .map((p) => ({ id: p.deviceId, host: p.address!.host, port: p.address!.port }));
    if (known.length === 0) return;
    link.push(GOSSIP_PUSH, { peers: known }).catch(() => {});
  };

  const onGossip = (body: unknown, link: Link): void => {
    const parsed = GossipBody.safeParse(body);
    if (!parsed.success) {
      log.warn('peer_gossip_invalid', { from: link.peer.deviceId });
      return;
    }
    for (const hint of parsed.data.peers) {
      if (hint.id === identity.deviceId || links.link(hint.id)) continue;
      const address = parsePeerAddress(formatPeerAddress({ host: hint.host, port: hint.port }));
      if ('error' in address) continue;
      // Known peers keep their own address; unknown ones are dialled and listed once linked.
      const p = peers.get(hint.id);
      if (p && isOnline(p)) continue;
      want(hint.id, address);
    }
  };

  // --- Manual peers -----------------------------------------------------------------------

  const saveManual = async (): Promise<void> => {
    await store.setSetting(MANUAL_PEERS_SETTING, JSON.stringify(manualList));
  };

  /** Probes a manual address until it answers, then dials it by device ID. */
  const resolveManual = (address: string): void => {
    const entry = manualList.find((m) => m.address === address);
    if (!entry || closed) return;
    const target = parsePeerAddress(address);
    if ('error' in target) return;
    if (entry.deviceId) {
      want(entry.deviceId, target);
      return;
    }
    const retry = manualRetries.get(address) ?? { attempt: 0, timer: undefined };
    manualRetries.set(address, retry);
    probePeer(identity, target).then(
      async ({ deviceId }) => {
        if (closed || !manualList.includes(entry)) return;
        entry.deviceId = deviceId;
        manualRetries.delete(address);
        await saveManual();
        want(deviceId, target);
      },
      (err: unknown) => {
        if (closed || !manualList.includes(entry)) return;
        const delay = backoffDelayMs(retry.attempt++, MANUAL_RETRY);
        log.info('manual_peer_unreachable', {
          address,
          retryInMs: delay,
          reason: (err as Error).message,
        });
        retry.timer = setTimeout(() => resolveManual(address), delay);
      },
    );
  };

  return {
    async start() {
      await alertBook.load();
      for (const record of await store.listPeers()) {
        const address = record.addresses[0] ? parsePeerAddress(record.addresses[0]) : null;
        peers.set(record.deviceId, {
          deviceId: record.deviceId,
          name: record.name,
          publicKeySpki: record.publicKey,
          address: address && !('error' in address) ? address : null,
          heard: false,
          linked: false,
          lastSeen: record.lastSeen,
          firstSeen: record.firstSeen,
          verified: record.verified,
        });
      }
      const saved = await store.getSetting(MANUAL_PEERS_SETTING);
      const parsedManual = ManualList.safeParse(saved ? parseStoredJson(saved) : []);
      manualList = parsedManual.success ? parsedManual.data : [];
      if (!parsedManual.success) log.warn('manual_peers_unreadable', {});

      offs.push(
        links.on('link-up', onLinkUp),
        links.on('link-down', onLinkDown),
        links.on('security', onSecurity),
        links.onPush(GOSSIP_PUSH, onGossip),
        links.handle(LIVENESS_REQUEST, () => ({})),
      );
      if (discovery) {
        offs.push(
          discovery.on('discovered', onDiscovered),
          discovery.on('updated', onDiscovered),
          discovery.on('lost', onLost),
        );
      }
      // Peers reached before (on another subnet, say) are dialled again at their last address.
      for (const p of peers.values()) if (p.address) want(p.deviceId, p.address);
      for (const m of manualList) resolveManual(m.address);
    },

    async close() {
      closed = true;
      for (const off of offs.splice(0)) off();
      for (const retry of manualRetries.values()) clearTimeout(retry.timer);
      manualRetries.clear();
    },

    publicKeyOf(deviceId) {
      const key = peers.get(deviceId)?.publicKeySpki;
      return key && key.length > 0 ? key : undefined;
    },

    alerts: () => alertBook.list(),
    dismissAlert: (id) => alertBook.dismiss(id),

    list() {
      return [...peers.values()]
        .map(toInfo)
        .sort(
          (a, b) =>
            Number(b.online) - Number(a.online) ||
            a.name.localeCompare(b.name) ||
            a.deviceId.localeCompare(b.deviceId),
        );
    },

    async addManual(address) {
      const target = parsePeerAddress(address);
      if ('error' in target) throw new ParleyError('BAD_REQUEST', target.error);
      const normalised = formatPeerAddress(target);
      let entry = manualList.find((m) => m.address === normalised);
      if (!entry) {
        entry = { address: normalised, deviceId: null };
        manualList.push(entry);
        await saveManual();
      }
      if (!entry.deviceId) {
        // One quick try so that the person who typed it gets an answer now; later tries go on
        // in the background.
        try {
          entry.deviceId = (await probePeer(identity, target)).deviceId;
          await saveManual();
        } catch (err) {
          log.info('manual_peer_unreachable', {
            address: normalised,
            reason: (err as Error).message,
          });
        }
      }
      resolveManual(normalised);
      if (entry.deviceId) {
        const p = peers.get(entry.deviceId);
        if (p) persist(p);
      }
      return { ...entry };
    },

    async removeManual(address) {
      const target = parsePeerAddress(address);
      if ('error' in target) throw new ParleyError('BAD_REQUEST', target.error);
      const normalised = formatPeerAddress(target);
      const entry = manualList.find((m) => m.address === normalised);
      if (!entry) throw new ParleyError('PEER_UNKNOWN', `${normalised} is not a manual peer.`);
      manualList = manualList.filter((m) => m !== entry);
      clearTimeout(manualRetries.get(normalised)?.timer);
      manualRetries.delete(normalised);
      await saveManual();
      if (entry.deviceId) {
        const p = peers.get(entry.deviceId);
        if (p) persist(p);
      }
    },

    manual() {
      return manualList.map((m) => ({ ...m }));
    },

    async setVerified(deviceId, verified) {
      if (!peers.has(deviceId))
        throw new ParleyError('PEER_UNKNOWN', `Parley does not know the device ${deviceId}.`);
      change(deviceId, undefined, (p) => {
        p.verified = verified;
      });
      return toInfo(peers.get(deviceId)!);
    },
  };
}
