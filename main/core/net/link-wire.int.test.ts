/**
 * A peer that misbehaves on the wire, played by a raw WebSocket client with a valid lower
 * device ID: oversized frames, garbage, a missing or wrong hello, no pongs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { tempDirs } from '../testing/temp-dir';
import { encodeCbor } from './cbor';
import { MAX_FRAME_BYTES, decodeFrame, encodeFrame } from './frames';
import { CLOSE_CODES, MAX_BAD_FRAMES } from './link';
import {
  NodePool,
  helloBytes,
  makeIdentities,
  rawClient,
  waitFor,
  type RawClient,
  type TestNode,
} from './testing/net-test-kit';

const dirs = tempDirs();
const pool = new NodePool();
afterEach(async () => {
  await pool.closeAll();
  dirs.cleanup();
});

/** A node, and a raw client with a lower device ID that has sent its hello and is linked. */
async function linkedRawClient(
  options: Parameters<NodePool['start']>[1] = {},
  clientOptions: { autoPong?: boolean } = {},
): Promise<{ node: TestNode; client: RawClient }> {
  const [low, high] = await makeIdentities(dirs, 2);
  const node = await pool.start(high!, options);
  const client = await rawClient(low!, node.port, clientOptions);
  client.ws.send(helloBytes(low!));
  await waitFor(() => node.events.up.length === 1, 'the link at the node');
  return { node, client };
}

describe('a misbehaving peer', () => {
  it('is cut off (1009) when it sends a frame larger than MAX_FRAME_BYTES', async () => {
    const { node, client } = await linkedRawClient();
    client.ws.send(Buffer.alloc(MAX_FRAME_BYTES + 1));
    expect((await client.closed).code).toBe(CLOSE_CODES.tooBig);
    await waitFor(() => node.events.down.length === 1, 'link-down');
    expect(node.events.down[0]!.reason).toMatch(/1009/);
  });

  it('has garbage frames counted and dropped, and is closed (1008) after too many', async () => {
    const { node, client } = await linkedRawClient();
    node.manager.handle('echo', (body) => body);
    client.ws.send(Buffer.from('not cbor at all'));
    client.ws.send(encodeCbor({ t: 'req', id: 'one', type: 'echo' }));
    client.ws.send('a text message');
    client.ws.send(encodeFrame({ t: 'req', id: 1, type: 'echo', body: 'still here' }));
    const answer = await waitFor(
      () =>
        client.received.map((bytes) => decodeFrame(bytes)).find((r) => r.ok && r.frame.t === 'res'),
      'the answer',
    );
    expect(answer).toEqual({ ok: true, frame: { t: 'res', id: 1, ok: true, body: 'still here' } });
    expect(node.manager.stats().badFrames).toBe(3);
    expect(node.manager.links()).toHaveLength(1);

    for (let i = 3; i <= MAX_BAD_FRAMES; i++) client.ws.send(Buffer.of(0xff));
    expect((await client.closed).code).toBe(CLOSE_CODES.policyViolation);
    expect(node.manager.stats().badFrames).toBe(MAX_BAD_FRAMES + 1);
    await waitFor(() => node.events.down.length === 1, 'link-down');
  });

  it('is closed (1002) when its first frame is not a hello', async () => {
    const [low, high] = await makeIdentities(dirs, 2);
    const node = await pool.start(high!);
    const client = await rawClient(low!, node.port);
    client.ws.send(encodeFrame({ t: 'push', type: 'x', body: 1 }));
    expect((await client.closed).code).toBe(CLOSE_CODES.protocolError);
    expect(node.events.up).toHaveLength(0);
  });

  it('is closed (4001) when it speaks another protocol version', async () => {
    const [low, high] = await makeIdentities(dirs, 2);
    const node = await pool.start(high!);
    const client = await rawClient(low!, node.port);
    client.ws.send(
      encodeCbor({ t: 'hello', v: 2, id: low!.deviceId, inst: 'i', name: 'n', port: 1 }),
    );
    expect((await client.closed).code).toBe(CLOSE_CODES.unsupportedVersion);
    expect(node.events.up).toHaveLength(0);
  });

  it('is closed when it sends no hello in time', async () => {
    const [low, high] = await makeIdentities(dirs, 2);
    const node = await pool.start(high!, { dialTimeoutMs: 300 });
    const client = await rawClient(low!, node.port);
    expect((await client.closed).code).toBe(CLOSE_CODES.protocolError);
    expect(node.events.up).toHaveLength(0);
  });

  it('is dropped when it stops answering pings', async () => {
    const { node, client } = await linkedRawClient(
      { heartbeatIntervalMs: 100 },
      { autoPong: false },
    );
    await client.closed;
    await waitFor(() => node.events.down.length === 1, 'link-down');
    expect(node.manager.stats().heartbeatTimeouts).toBe(1);
  });
});
