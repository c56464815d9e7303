/**
 * Peer links between real managers on 127.0.0.1: who dials, one link per pair, requests and
 * pushes both ways, error answers, reconnects, suspend/resume and backpressure.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ParleyError } from '../../../shared/errors';
import { recordingLogger } from '../log/recording-logger.testing';
import { tempDirs } from '../testing/temp-dir';
import { EncodedPush, HIGH_WATER_BYTES, LINK_ERROR_CODES } from './link';
import {
  NodePool,
  errorOf,
  helloBytes,
  linked,
  rawClient,
  makeIdentities,
  settle,
  waitFor,
  want,
  type TestNode,
} from './testing/net-test-kit';

const dirs = tempDirs();
const pool = new NodePool();
afterEach(async () => {
  await pool.closeAll();
  dirs.cleanup();
});

async function twoNodes(): Promise<[TestNode, TestNode]> {
  const [low, high] = await makeIdentities(dirs, 2);
  return [await pool.start(low!), await pool.start(high!)];
}

describe('linking', () => {
  it.each([
    ['the lower side wants first', ['low', 'high']],
    ['the higher side wants first', ['high', 'low']],
    ['only the lower side wants', ['low']],
    ['only the higher side wants', ['high']],
  ])('links two nodes once when %s', async (_case, order) => {
    const [low, high] = await twoNodes();
    for (const who of order) {
      if (who === 'low') want(low, high);
      else want(high, low);
      await settle(50);
    }
    const [lh, hl] = await linked(low, high);
    expect(lh.direction).toBe('out'); // the lower device ID dials
    expect(hl.direction).toBe('in');
    expect(lh.peer.deviceId).toBe(high.identity.deviceId);
    expect(hl.peer.deviceId).toBe(low.identity.deviceId);
    expect(hl.peer.port).toBe(low.port);
    expect(lh.peer.name).toBe(`node ${high.identity.shortId}`);
    await settle();
    expect(low.events.up).toHaveLength(1);
    expect(high.events.up).toHaveLength(1);
    expect(low.events.down).toHaveLength(0);
    expect(high.events.down).toHaveLength(0);
    expect(low.manager.stats().links).toBe(1);
  });

  it('links three nodes with exactly one link per pair', async () => {
    const ids = await makeIdentities(dirs, 3);
    const nodes = await Promise.all(ids.map((id) => pool.start(id)));
    // Every node wants every other, in a scrambled order.
    for (const [i, j] of [
      [2, 0],
      [0, 1],
      [1, 2],
      [2, 1],
      [1, 0],
      [0, 2],
    ] as const) {
      want(nodes[i]!, nodes[j]!);
    }
    for (const [i, j] of [
      [0, 1],
      [0, 2],
      [1, 2],
    ] as const) {
      const [ij, ji] = await linked(nodes[i]!, nodes[j]!);
      expect(ij.direction).toBe('out');
      expect(ji.direction).toBe('in');
    }
    await settle();
    for (const node of nodes) {
      expect(node.manager.links()).toHaveLength(2);
      expect(node.events.up).toHaveLength(2);
      expect(node.events.down).toHaveLength(0);
    }
    // No second socket was ever opened between any pair.
    const accepted = nodes.reduce((n, node) => n + node.manager.stats().incomingAccepted, 0);
    expect(accepted).toBe(3);
  });
});

describe('requests and pushes', () => {
  it('answers requests and delivers pushes both ways', async () => {
    const [low, high] = await twoNodes();
    for (const node of [low, high]) {
      node.manager.handle('echo', (body, link) => ({ body, from: link.peer.deviceId }));
    }
    const pushed: { at: string; body: unknown; from: string }[] = [];
    low.manager.onPush('note', (body, link) =>
      pushed.push({ at: 'low', body, from: link.peer.deviceId }),
    );
    high.manager.onPush('note', (body, link) =>
      pushed.push({ at: 'high', body, from: link.peer.deviceId }),
    );
    want(high, low);
    const [lh, hl] = await linked(low, high);

    const bytes = Buffer.from([0, 1, 2, 255]);
    await expect(lh.request('echo', { n: 1, bytes })).resolves.toEqual({
      body: { n: 1, bytes },
      from: low.identity.deviceId,
    });
    await expect(hl.request('echo', ['x'])).resolves.toEqual({
      body: ['x'],
      from: high.identity.deviceId,
    });
    await lh.push('note', 'to high');
    await hl.push('note', 'to low');
    await waitFor(() => pushed.length === 2, 'both pushes');
    expect(pushed).toContainEqual({ at: 'high', body: 'to high', from: low.identity.deviceId });
    expect(pushed).toContainEqual({ at: 'low', body: 'to low', from: high.identity.deviceId });
  });

  it('sends one encoded push unchanged on several links, dialled and accepted', async () => {
    const [low, mid, high] = await makeIdentities(dirs, 3);
    const nodes = [await pool.start(low!), await pool.start(mid!), await pool.start(high!)];
    const [a, b, c] = nodes as [TestNode, TestNode, TestNode];
    const got: { at: string; body: unknown; from: string }[] = [];
    for (const node of [a, c])
      node.manager.onPush('note', (body, link) =>
        got.push({ at: node.identity.deviceId, body, from: link.peer.deviceId }),
      );
    want(a, b);
    want(b, c);
    // b accepted the link from a (lower ID) and dialled c (higher ID): masked and unmasked.
    const [, ba] = await linked(a, b);
    const [bc] = await linked(b, c);
    expect([ba.direction, bc.direction]).toEqual(['in', 'out']);

    const body = { room: 'r', bytes: Buffer.from([0, 1, 2, 255]) };
    const push = EncodedPush.of('note', body);
    const sentBefore = b.manager.stats().pushesOut;
    await Promise.all([ba.pushEncoded(push), bc.pushEncoded(push), bc.pushEncoded(push)]);
    await waitFor(() => got.length === 3, 'three pushes');
    const from = b.identity.deviceId;
    const at = (node: TestNode) => got.filter((g) => g.at === node.identity.deviceId);
    expect(at(a)).toEqual([{ at: a.identity.deviceId, body, from }]);
    expect(at(c)).toEqual([
      { at: c.identity.deviceId, body, from },
      { at: c.identity.deviceId, body, from },
    ]);
    expect(b.manager.stats().pushesOut - sentBefore).toBe(3);
    // The frame bytes were not changed by masking on the way out, so they can go out again.
    expect(push.bytes).toEqual(EncodedPush.of('note', body).bytes);

    expect(() => EncodedPush.of('bad type!', 1)).toThrow(ParleyError);
    bc.close();
    expect((await errorOf(bc.pushEncoded(push))).code).toBe(LINK_ERROR_CODES.closed);
  });

  it('answers errors with codes, and nothing more for unexpected failures', async () => {
    const [low, high] = await twoNodes();
    high.manager.handle('refuse', () => {
      throw new ParleyError('BAD_REQUEST', 'That room does not exist.');
    });
    high.manager.handle('crash', async () => {
      throw new Error('secret internal detail at /home/user/x.ts:12');
    });
    high.manager.handle('never', () => new Promise(() => {}));
    want(low, high);
    const [lh] = await linked(low, high);

    const refused = await errorOf(lh.request('refuse', {}));
    expect(refused.code).toBe('BAD_REQUEST');
    expect(refused.message).toBe('That room does not exist.');

    const unknown = await errorOf(lh.request('no.such.type', {}));
    expect(unknown.code).toBe('UNKNOWN_COMMAND');

    const crashed = await errorOf(lh.request('crash', {}));
    expect(crashed.code).toBe('INTERNAL');
    expect(crashed.message).not.toMatch(/secret|home|\.ts/);

    const late = await errorOf(lh.request('never', {}, { timeoutMs: 200 }));
    expect(late.code).toBe(LINK_ERROR_CODES.timeout);
    expect(late.message).toMatch(/did not answer/);

    // The link is still fine after all that.
    high.manager.handle('ping', () => 'pong');
    await expect(lh.request('ping', null)).resolves.toBe('pong');
    expect(high.manager.stats().errorAnswersSent).toBe(3);
  });

  it('takes a body a handler refuses as the peer fault: BAD_REQUEST, counted, logged at debug', async () => {
    const [lowId, highId] = await makeIdentities(dirs, 2);
    const low = await pool.start(lowId!);
    const log = recordingLogger();
    const high = await pool.start(highId!, { logger: log });
    const Body = z.object({ room: z.string() }).strict();
    const pushed: string[] = [];
    high.manager.handle('strict', (body) => Body.parse(body).room);
    high.manager.onPush('strict', (body) => void pushed.push(Body.parse(body).room));
    high.manager.onPush('refused', () => {
      throw new ParleyError('NOT_A_MEMBER');
    });
    high.manager.onPush('crash', async () => {
      throw new Error('a bug');
    });
    want(low, high);
    const [lh] = await linked(low, high);
    log.lines.splice(0);

    const refused = await errorOf(lh.request('strict', { room: 7 }));
    expect(refused.code).toBe('BAD_REQUEST');
    expect(refused.message).toBe('The body of "strict" is not valid.');
    await expect(lh.request('strict', { room: 'r' })).resolves.toBe('r');
    await lh.push('strict', 'junk');
    await lh.push('refused', {});
    await lh.push('strict', { room: 'after' });
    await waitFor(() => pushed.length === 1, 'the good push');
    expect(pushed).toEqual(['after']);
    expect(high.manager.stats().refusedByHandlers).toBe(3);
    expect(log.lines.map((l) => [l.level, l.event, l.fields?.['code']])).toEqual([
      ['debug', 'net.link.link_request_refused', 'BAD_REQUEST'],
      ['debug', 'net.link.link_push_refused', 'BAD_REQUEST'],
      ['debug', 'net.link.link_push_refused', 'NOT_A_MEMBER'],
    ]);

    // Anything else a handler throws is a bug of the node: logged as an error.
    await lh.push('crash', {});
    await waitFor(() => log.at('error').length === 1, 'the bug logged');
    expect(log.at('error')[0]!.event).toBe('net.link.link_push_handler_failed');
  });

  it('rejects what is pending when the link closes, and refuses new sends', async () => {
    const [low, high] = await twoNodes();
    high.manager.handle('never', () => new Promise(() => {}));
    want(low, high);
    const [lh] = await linked(low, high);
    const pending = errorOf(lh.request('never', {}, { timeoutMs: 60_000 }));
    lh.close();
    expect((await pending).code).toBe(LINK_ERROR_CODES.closed);
    expect((await errorOf(lh.push('x', 1))).code).toBe(LINK_ERROR_CODES.closed);
    expect((await errorOf(lh.request('x', 1))).code).toBe(LINK_ERROR_CODES.closed);
  });

  it('completes a push burst far above the high-water mark, in order', async () => {
    const [low, high] = await twoNodes();
    const got: number[] = [];
    let bytes = 0;
    high.manager.onPush('chunk', (body) => {
      const { seq, data } = body as { seq: number; data: Uint8Array };
      got.push(seq);
      bytes += data.length;
    });
    want(low, high);
    const [lh] = await linked(low, high);
    const chunk = Buffer.alloc(256 * 1024, 0xab);
    const count = Math.ceil((16 * HIGH_WATER_BYTES) / chunk.length); // 16 MiB in all
    let handedOver = 0;
    const pushes = Array.from({ length: count }, (_, seq) =>
      lh.push('chunk', { seq, data: chunk }).then(() => handedOver++),
    );
    // Before any I/O has run, the sends beyond the high-water mark are still waiting.
    await Promise.resolve();
    expect(handedOver).toBeGreaterThan(0);
    expect(handedOver).toBeLessThan(count);
    await Promise.all(pushes);
    await waitFor(() => got.length === count, 'every chunk');
    expect(got).toEqual(Array.from({ length: count }, (_, i) => i));
    expect(bytes).toBe(count * chunk.length);
  });
});

describe('lifecycle', () => {
  it('announces link-down when the peer closes, and relinks when it is back on its port', async () => {
    const [low, high] = await twoNodes();
    want(low, high);
    want(high, low);
    const [first] = await linked(low, high);
    const firstInstance = first.peer.instanceId;

    await high.manager.close();
    await waitFor(() => low.events.down.length === 1, 'link-down at the lower node');
    expect(low.events.down[0]!.deviceId).toBe(high.identity.deviceId);
    expect(low.manager.link(high.identity.deviceId)).toBeUndefined();
    await settle(); // the lower node keeps redialling a closed port meanwhile

    const again = await pool.start(high.identity, { port: high.port });
    want(again, low);
    const [second] = await linked(low, again);
    expect(second.peer.instanceId).not.toBe(firstInstance);
    expect(low.events.up).toHaveLength(2);
  });

  it('relinks by itself when only the lower side wants and the higher side restarts', async () => {
    const [low, high] = await twoNodes();
    want(low, high);
    await linked(low, high);
    await high.manager.close();
    await waitFor(() => low.events.down.length === 1, 'link-down');
    const again = await pool.start(high.identity, { port: high.port });
    await linked(low, again);
  });

  it('replaces an older link from the same peer with the newer one', async () => {
    const [low, high] = await makeIdentities(dirs, 2);
    const node = await pool.start(high!);
    const first = await rawClient(low!, node.port);
    first.ws.send(helloBytes(low!));
    await waitFor(() => node.events.up.length === 1, 'the first link');
    // The peer restarted without the old socket closing (a half-open connection).
    const second = await rawClient(low!, node.port);
    second.ws.send(helloBytes(low!));
    await waitFor(() => node.events.up.length === 2, 'the second link');
    expect((await first.closed).code).toBe(4000);
    expect(node.events.down.map((e) => [e.link, e.reason])).toEqual([
      [node.events.up[0], 'replaced'],
    ]);
    expect(node.manager.link(low!.deviceId)).toBe(node.events.up[1]);
    expect(node.manager.links()).toHaveLength(1);
    second.ws.close();
    await waitFor(() => node.events.down.length === 2, 'link-down of the second link');
  });

  it('closes every link on suspend, and relinks on resume', async () => {
    const [low, high] = await twoNodes();
    want(low, high);
    want(high, low);
    await linked(low, high);

    await low.manager.suspend();
    expect(low.manager.links()).toHaveLength(0);
    expect(low.events.down.map((e) => e.reason)).toEqual(['suspended']);
    await waitFor(() => high.events.down.length === 1, 'link-down at the peer');
    // Suspended, it neither dials nor accepts (the peer keeps asking).
    await settle(500);
    expect(low.manager.links()).toHaveLength(0);
    expect(high.manager.links()).toHaveLength(0);

    low.manager.resume();
    await linked(low, high);
    expect(low.events.up).toHaveLength(2);
  });

  it('keeps the link up on unwant, and stops redialling', async () => {
    const [low, high] = await twoNodes();
    want(low, high);
    const [lh] = await linked(low, high);
    low.manager.unwant(high.identity.deviceId);
    await settle();
    expect(low.manager.link(high.identity.deviceId)).toBe(lh);
    lh.close();
    await settle(500);
    expect(low.manager.links()).toHaveLength(0);
    expect(low.manager.stats().dialsStarted).toBe(1);
  });

  it('start and close are idempotent; a closed manager does not start again', async () => {
    const [low] = await makeIdentities(dirs, 1);
    const node = await pool.start(low!);
    await expect(node.manager.start()).resolves.toEqual({ port: node.port });
    await Promise.all([node.manager.close(), node.manager.close()]);
    await node.manager.close();
    expect(node.manager.links()).toHaveLength(0);
  });
});
