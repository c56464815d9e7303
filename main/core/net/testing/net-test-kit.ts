/**
 * Helpers for the peer-link tests: identities in temporary folders (sorted by device ID, so a
 * test can say who dials), managers on 127.0.0.1 with short timers, an event recorder, polling
 * waits (no timing assertions: the machine is shared), and a raw WebSocket client that speaks
 * the wire by hand to misbehave on purpose.
 */
import { once } from 'node:events';
import { expect } from 'vitest';
import WebSocket from 'ws';
import { ParleyError } from '../../../../shared/errors';
import { selfSignedCertificate } from '../../identity/certificate';
import { ecPrivateKey } from '../../identity/certificate.testing';
import type { Identity } from '../../identity/identity';
import { loadOrCreateIdentity } from '../../identity/identity';
import { plainKeyProtector } from '../../identity/key-protector';
import { silentLogger } from '../../log/logger';
import type { TempDirs } from '../../testing/temp-dir';
import { waitFor } from '../../testing/wait';
import { LINK_PATH } from '../endpoints';
import { MAX_FRAME_BYTES, PROTOCOL_VERSION, encodeFrame } from '../frames';
import type { Link } from '../link';
import {
  createLinkManager,
  newInstanceId,
  type LinkDownEvent,
  type LinkManager,
  type LinkManagerOptions,
  type SecurityEvent,
} from '../link-manager';
import { tlsClientOptions } from '../tls-options';

export { waitFor };

export const LOOPBACK = '127.0.0.1';

/** Short timers so that reconnects and heartbeats happen within a test. */
export const FAST: Partial<LinkManagerOptions> = {
  heartbeatIntervalMs: 1_000,
  backoff: { baseMs: 20, maxMs: 250 },
  dialTimeoutMs: 5_000,
};

/** Waits a little, for checks that something does NOT happen. */
export function settle(ms = 300): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The ParleyError a promise rejects with; fails the test when it resolves or throws another. */
export async function errorOf(promise: Promise<unknown>): Promise<ParleyError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ParleyError);
  return err as ParleyError;
}

/** `n` fresh identities, sorted by device ID (ascending: [0] dials everyone). */
export async function makeIdentities(dirs: TempDirs, n: number): Promise<Identity[]> {
  const ids = await Promise.all(
    Array.from({ length: n }, () => loadOrCreateIdentity(dirs.make(), plainKeyProtector)),
  );
  return ids.sort((a, b) => (a.deviceId < b.deviceId ? -1 : 1));
}

export interface Recorder {
  up: Link[];
  down: LinkDownEvent[];
  security: SecurityEvent[];
}

export function record(manager: LinkManager): Recorder {
  const r: Recorder = { up: [], down: [], security: [] };
  manager.on('link-up', (link) => r.up.push(link));
  manager.on('link-down', (event) => r.down.push(event));
  manager.on('security', (event) => r.security.push(event));
  return r;
}

export interface TestNode {
  identity: Identity;
  manager: LinkManager;
  events: Recorder;
  port: number;
}

/** Keeps every manager a test starts, to close them all afterwards. */
export class NodePool {
  private readonly started: LinkManager[] = [];

  async start(identity: Identity, options: Partial<LinkManagerOptions> = {}): Promise<TestNode> {
    const manager = createLinkManager({
      identity,
      instanceId: newInstanceId(),
      name: () => `node ${identity.shortId}`,
      host: LOOPBACK,
      logger: silentLogger,
      ...FAST,
      ...options,
    });
    this.started.push(manager);
    const events = record(manager);
    const { port } = await manager.start();
    return { identity, manager, events, port };
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.started.splice(0).map((m) => m.close()));
  }
}

/** Makes `a` want `b` at its loopback address. */
export function want(a: TestNode, b: TestNode): void {
  a.manager.want({ deviceId: b.identity.deviceId, address: LOOPBACK, port: b.port });
}

/** Resolves once `a` and `b` each hold an up link to the other. */
export function linked(a: TestNode, b: TestNode): Promise<[Link, Link]> {
  return waitFor(() => {
    const ab = a.manager.link(b.identity.deviceId);
    const ba = b.manager.link(a.identity.deviceId);
    return ab && ba && !ab.closed && !ba.closed ? ([ab, ba] as [Link, Link]) : undefined;
  }, `a link between ${a.identity.shortId} and ${b.identity.shortId}`);
}

export interface RawClient {
  ws: WebSocket;
  /** Resolves with the close code and reason once the socket has closed. */
  closed: Promise<{ code: number; reason: string }>;
  /** Frames received, decoded later by the test. */
  received: Buffer[];
}

/**
 * Opens a link WebSocket to `port` by hand, presenting `identity`'s certificate (or none).
 * Rejects if the upgrade is refused.
 */
export async function rawClient(
  identity: Identity | undefined,
  port: number,
  options: { autoPong?: boolean } = {},
): Promise<RawClient> {
  const tls = identity ? tlsClientOptions(identity) : { rejectUnauthorized: false };
  const ws = new WebSocket(`wss://${LOOPBACK}:${port}${LINK_PATH}`, {
    ...tls,
    // Larger than the node's limit, so that the test can send what the node must refuse.
    maxPayload: 2 * MAX_FRAME_BYTES,
    perMessageDeflate: false,
    autoPong: options.autoPong ?? true,
  });
  const received: Buffer[] = [];
  ws.on('message', (data) => received.push(data as Buffer));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  ws.on('error', () => {});
  await Promise.race([
    once(ws, 'open'),
    closed.then(() => {
      throw new Error('the upgrade was refused');
    }),
  ]);
  return { ws, closed, received };
}

/** A hello as `identity` would send it, claiming `claimedId` (default: its own). */
export function helloBytes(identity: Identity, claimedId = identity.deviceId): Uint8Array {
  return encodeFrame({
    t: 'hello',
    v: PROTOCOL_VERSION,
    id: claimedId,
    inst: 'raw-client',
    name: 'raw client',
    port: 9,
  });
}

/**
 * A self-signed certificate for a P-384 key: fine for TLS, but not a key Parley accepts, so
 * whoever presents it has no device ID. (A promise, as the tests await it.)
 */
export function foreignCertificate(): Promise<{ key: string; cert: string }> {
  const privateKey = ecPrivateKey('P-384');
  const cert = selfSignedCertificate({
    privateKey,
    commonName: 'not parley',
    notBefore: new Date(Date.now() - 86_400_000),
    notAfter: new Date(Date.now() + 86_400_000),
  });
  return Promise.resolve({
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    cert,
  });
}
