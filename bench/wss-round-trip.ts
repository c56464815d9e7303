/**
 * The network baseline for messages: one request and its answer over an established peer link
 * (mutual TLS 1.3, WebSocket, CBOR frames) between two link managers on loopback, with a body
 * the size of a short message's envelope. Half of it stands for the one-way hop of a push.
 */
import type { Identity } from '../main/core/identity/identity';
import { NodePool, linked, makeIdentities, want } from '../main/core/net/testing/net-test-kit';
import { randomBytes } from '../main/core/crypto/random';
import { tempDirs } from '../main/core/testing/temp-dir';
import { measure, type Measurement } from './measure';

const ECHO = 'bench.echo';
/** About the size of an envelope holding a short text. */
const BODY_BYTES = 400;

export async function wssRoundTrip(count: number): Promise<Measurement> {
  const dirs = tempDirs();
  const pool = new NodePool();
  try {
    const [lower, higher] = (await makeIdentities(dirs, 2)) as [Identity, Identity];
    const client = await pool.start(lower);
    const server = await pool.start(higher);
    server.manager.handle(ECHO, (body) => body);
    want(client, server);
    const [link] = await linked(client, server);
    const body = { bytes: randomBytes(BODY_BYTES) };
    return await measure(
      `peer link request → answer (${BODY_BYTES} B, wss on loopback)`,
      count,
      () => link.request(ECHO, body),
    );
  } finally {
    await pool.closeAll();
    dirs.cleanup();
  }
}
