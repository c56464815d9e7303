/**
 * Who may link: clients without a certificate, servers with the wrong key, hellos that lie,
 * and peers that break the "lower device ID dials" rule are all refused.
 */
import { once } from 'node:events';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { Identity } from '../identity/identity';
import { tempDirs } from '../testing/temp-dir';
import { connectVerified, postLinkRequest } from './dial';
import { LINK_PATH } from './endpoints';
import {
  LOOPBACK,
  NodePool,
  foreignCertificate,
  helloBytes,
  makeIdentities,
  rawClient,
  settle,
  waitFor,
  want,
} from './testing/net-test-kit';
import { tlsClientOptions, tlsServerOptions } from './tls-options';

const dirs = tempDirs();
const pool = new NodePool();
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await pool.closeAll();
  dirs.cleanup();
});

/** Sends one raw HTTP request over TLS and returns everything the server said. */
async function rawHttps(port: number, request: string, identity?: Identity): Promise<string> {
  const socket = tlsConnect({
    host: LOOPBACK,
    port,
    ...(identity ? tlsClientOptions(identity) : { rejectUnauthorized: false }),
  });
  socket.on('error', () => {});
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  await once(socket, 'secureConnect');
  socket.write(request);
  await once(socket, 'close');
  return Buffer.concat(chunks).toString('latin1');
}

const UPGRADE =
  `GET ${LINK_PATH} HTTP/1.1\r\nHost: peer\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';

describe('the server', () => {
  it('refuses a TLS client without a certificate before any HTTP', async () => {
    const [id] = await makeIdentities(dirs, 1);
    const node = await pool.start(id!);
    const answer = await rawHttps(node.port, UPGRADE);
    expect(answer).toBe('');
    await expect(rawClient(undefined, node.port)).rejects.toThrow();
    expect(node.manager.stats().incomingRefused).toBeGreaterThanOrEqual(2);
    expect(node.events.up).toHaveLength(0);
  });

  it('refuses a client whose certificate is not a P-256 key', async () => {
    const [id] = await makeIdentities(dirs, 1);
    const node = await pool.start(id!);
    const foreign = await foreignCertificate();
    const socket = tlsConnect({
      host: LOOPBACK,
      port: node.port,
      ...foreign,
      rejectUnauthorized: false,
    });
    socket.on('error', () => {});
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    await once(socket, 'secureConnect');
    socket.write(UPGRADE);
    await once(socket, 'close');
    expect(Buffer.concat(chunks).length).toBe(0);
    expect(node.manager.stats().incomingRefused).toBe(1);
  });

  it('refuses a client that presents the server’s own certificate', async () => {
    const [id] = await makeIdentities(dirs, 1);
    const node = await pool.start(id!);
    expect(await rawHttps(node.port, UPGRADE, id)).toBe('');
    expect(node.manager.stats().incomingRefused).toBe(1);
  });

  it('answers 404 to any other path, and 409 to a higher device ID that dials', async () => {
    const [low, high] = await makeIdentities(dirs, 2);
    const node = await pool.start(low!);
    const other = await rawHttps(node.port, 'GET / HTTP/1.1\r\nHost: peer\r\n\r\n', high);
    expect(other).toMatch(/^HTTP\/1\.1 404/);
    const upgrade = await rawHttps(node.port, UPGRADE, high);
    expect(upgrade).toMatch(/^HTTP\/1\.1 409/);
    await expect(rawClient(high!, node.port)).rejects.toThrow(/409/);
    expect(node.events.up).toHaveLength(0);
  });

  it('answers 409 to a link request from a lower device ID (it should dial)', async () => {
    const [low, high] = await makeIdentities(dirs, 2);
    const node = await pool.start(high!);
    const target = { deviceId: high!.deviceId, address: LOOPBACK, port: node.port };
    const { socket } = await connectVerified(target, tlsClientOptions(low!));
    expect(await postLinkRequest(socket, target, { port: 9, inst: 'x' })).toBe(409);
    await settle();
    expect(node.manager.stats().dialsStarted).toBe(0);
  });

  it('closes a link whose hello claims another device ID, and reports it', async () => {
    const [low, other, high] = await makeIdentities(dirs, 3);
    const node = await pool.start(high!);
    const client = await rawClient(low!, node.port);
    client.ws.send(helloBytes(low!, other!.deviceId));
    expect((await client.closed).code).toBe(1008);
    await waitFor(() => node.events.security.length === 1, 'a security event');
    expect(node.events.security[0]).toEqual({
      kind: 'hello-mismatch',
      deviceId: low!.deviceId,
      claimed: other!.deviceId,
      address: LOOPBACK,
    });
    expect(node.events.up).toHaveLength(0);
  });
});

describe('the dialling side', () => {
  it('does not link when the server at the address presents another key', async () => {
    // A (lowest) dials; it expects B but C answers at that address.
    const [a, c, b] = await makeIdentities(dirs, 3);
    const nodeA = await pool.start(a!);
    const nodeC = await pool.start(c!);
    nodeA.manager.want({ deviceId: b!.deviceId, address: LOOPBACK, port: nodeC.port });
    await waitFor(() => nodeA.events.security.length === 1, 'a security event');
    expect(nodeA.events.security[0]).toEqual({
      kind: 'key-mismatch',
      expected: b!.deviceId,
      presented: c!.deviceId,
      address: LOOPBACK,
      port: nodeC.port,
    });
    // It keeps trying (the right device may come back there) but reports once, never links.
    await waitFor(() => nodeA.manager.stats().dialsFailed >= 3, 'more dial attempts');
    expect(nodeA.events.security).toHaveLength(1);
    expect(nodeA.manager.links()).toHaveLength(0);
    expect(nodeC.manager.links()).toHaveLength(0);
    expect(nodeC.manager.stats().incomingAccepted).toBe(0);
  });

  it('does not send a link request to a server that presents another key', async () => {
    // A (highest) asks B to dial; C answers at that address.
    const [b, c, a] = await makeIdentities(dirs, 3);
    const nodeA = await pool.start(a!);
    const nodeC = await pool.start(c!);
    nodeA.manager.want({ deviceId: b!.deviceId, address: LOOPBACK, port: nodeC.port });
    await waitFor(() => nodeA.events.security.length === 1, 'a security event');
    expect(nodeA.events.security[0]).toMatchObject({
      kind: 'key-mismatch',
      expected: b!.deviceId,
      presented: c!.deviceId,
    });
    await settle();
    expect(nodeC.manager.stats().linkRequestsReceived).toBe(0);
    expect(nodeA.manager.stats().linkRequestsSent).toBe(0);
  });

  it('closes a link whose server hello claims another device ID', async () => {
    // A dials B; the server really holds B's key but its hello claims to be C.
    const [a, b, c] = await makeIdentities(dirs, 3);
    const server = createServer(tlsServerOptions(b!));
    const wss = new WebSocketServer({ server });
    wss.on('connection', (ws) => ws.send(helloBytes(b!, c!.deviceId)));
    server.listen(0, LOOPBACK);
    await once(server, 'listening');
    cleanups.push(async () => {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.close();
      server.closeAllConnections();
    });
    const port = (server.address() as AddressInfo).port;
    const nodeA = await pool.start(a!);
    nodeA.manager.want({ deviceId: b!.deviceId, address: LOOPBACK, port });
    await waitFor(() => nodeA.events.security.length >= 1, 'a security event');
    expect(nodeA.events.security[0]).toEqual({
      kind: 'hello-mismatch',
      deviceId: b!.deviceId,
      claimed: c!.deviceId,
      address: LOOPBACK,
    });
    // It retries, but reports the same lie once.
    await waitFor(() => nodeA.manager.stats().handshakesFailed >= 3, 'more attempts');
    expect(nodeA.events.security).toHaveLength(1);
    expect(nodeA.events.up).toHaveLength(0);
  });

  it('does not link when the server’s certificate is not a P-256 key', async () => {
    const [a, b] = await makeIdentities(dirs, 2);
    const server = createServer({ ...(await foreignCertificate()), minVersion: 'TLSv1.3' });
    server.listen(0, LOOPBACK);
    await once(server, 'listening');
    cleanups.push(() => {
      server.close();
      server.closeAllConnections();
    });
    const port = (server.address() as AddressInfo).port;
    const nodeA = await pool.start(a!);
    nodeA.manager.want({ deviceId: b!.deviceId, address: LOOPBACK, port });
    await waitFor(() => nodeA.events.security.length === 1, 'a security event');
    expect(nodeA.events.security[0]).toEqual({
      kind: 'bad-certificate',
      expected: b!.deviceId,
      address: LOOPBACK,
      port,
    });
    expect(nodeA.events.up).toHaveLength(0);
  });

  it('links normally once the right device answers at the address', async () => {
    const [a, b] = await makeIdentities(dirs, 2);
    const nodeA = await pool.start(a!);
    const nodeB = await pool.start(b!);
    want(nodeA, nodeB);
    await waitFor(() => nodeA.manager.link(b!.deviceId), 'the link');
    expect(nodeA.events.security).toHaveLength(0);
  });
});
