import { describe, expect, it } from 'vitest';
import { encodeCbor } from './cbor';
import { MAX_FRAME_BYTES, decodeFrame, encodeFrame, type Frame } from './frames';

const ID = 'MFZWI3D-BONSGYC-YLTMRWG-C43ENR5-QXGZDMM-FZWI3DP-BONSGYY-LTMRWAD';

describe('frames', () => {
  it.each<Frame>([
    { t: 'hello', v: 1, id: ID, inst: 'i-1', name: 'Ada', port: 4242 },
    { t: 'req', id: 7, type: 'rooms.sync', body: { since: [1, 2], raw: Buffer.from('x') } },
    { t: 'res', id: 7, ok: true, body: null },
    { t: 'res', id: 0xffff_ffff, ok: false, error: { code: 'BAD_REQUEST', message: 'no' } },
    { t: 'push', type: 'message', body: 'hi' },
  ])('round-trips a $t frame', (frame) => {
    expect(decodeFrame(encodeFrame(frame))).toEqual({ ok: true, frame });
  });

  it('ignores fields it does not know (a later version may add some)', () => {
    const bytes = encodeCbor({ t: 'push', type: 'x', body: 1, extra: 'new' });
    expect(decodeFrame(bytes)).toEqual({ ok: true, frame: { t: 'push', type: 'x', body: 1 } });
  });

  it.each([
    ['not CBOR', Uint8Array.of(0xff, 0x00)],
    ['not a map', encodeCbor([1, 2])],
    ['an unknown kind', encodeCbor({ t: 'nope' })],
    ['a request id beyond u32', encodeCbor({ t: 'req', id: 2 ** 32, type: 'x', body: 1 })],
    ['a negative request id', encodeCbor({ t: 'req', id: -1, type: 'x', body: 1 })],
    ['a bad type', encodeCbor({ t: 'push', type: '', body: 1 })],
    ['a hello without port', encodeCbor({ t: 'hello', v: 1, id: ID, inst: 'i', name: 'A' })],
    [
      'a hello with a bad id',
      encodeCbor({ t: 'hello', v: 1, id: 'x', inst: 'i', name: 'A', port: 1 }),
    ],
    ['a res with ok and error', encodeCbor({ t: 'res', id: 1, ok: false, body: 1 })],
    [
      'a tag in the body',
      Uint8Array.of(
        0xa3,
        0x61,
        0x74,
        0x64,
        ...Buffer.from('push'),
        0x64,
        ...Buffer.from('type'),
        0x61,
        0x78,
        0x64,
        ...Buffer.from('body'),
        0xc1,
        0x00,
      ),
    ],
  ])('refuses %s without throwing', (_what, bytes) => {
    const result = decodeFrame(bytes);
    expect(result.ok).toBe(false);
  });

  it('refuses to encode an invalid or oversized frame', () => {
    expect(() => encodeFrame({ t: 'push', type: 'has space', body: 1 })).toThrow(/Invalid push/);
    expect(() =>
      encodeFrame({ t: 'push', type: 'big', body: Buffer.alloc(MAX_FRAME_BYTES) }),
    ).toThrow(/at most/);
    expect(() => encodeFrame({ t: 'push', type: 'date', body: new Date() })).toThrow(/plain/);
  });
});
