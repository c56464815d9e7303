import { describe, expect, it } from 'vitest';
import { randomBytes, randomId } from '../crypto';
import { decodeCbor } from '../net/cbor';
import {
  Envelope,
  MAX_ENVELOPE_HEADER_BYTES,
  MAX_MESSAGE_CIPHERTEXT_BYTES,
} from '../../../shared/room-wire';
import { decodeEnvelope, encodeEnvelope, sealMessage, type EnvelopeParts } from './envelope-codec';
import { readEnvelopeParts } from './envelope-layout';
import { testDevice } from './test-room.testing';

/** The full way of decodeEnvelope, written out: strict CBOR, the schema, the same bytes again. */
function fullWay(bytes: Uint8Array): Envelope | undefined {
  const decoded = decodeCbor(bytes);
  if (!decoded.ok) return undefined;
  const parsed = Envelope.safeParse(decoded.value);
  if (!parsed.success) return undefined;
  return Buffer.from(encodeEnvelope(parsed.data)).equals(bytes) ? parsed.data : undefined;
}

/** The same three parts, byte for byte (toEqual on 64 KiB arrays is slow). */
function sameParts(a: EnvelopeParts | undefined, b: EnvelopeParts | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return (['header', 'ciphertext', 'sig'] as const).every((k) => Buffer.from(a[k]).equals(b[k]));
}

const parts = (header: number, ciphertext: number, sig = 64) => ({
  header: randomBytes(header),
  ciphertext: randomBytes(ciphertext),
  sig: randomBytes(sig),
});

/** A small seeded generator (mulberry32), so a failing mutation can be found again. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('readEnvelopeParts', () => {
  it.each([0, 1, 23, 24, 255, 256, MAX_ENVELOPE_HEADER_BYTES])(
    'reads what encodeEnvelope writes, for a header of %i bytes and every ciphertext length form',
    (headerLength) => {
      for (const ciphertextLength of [0, 23, 24, 255, 256, 65_535, MAX_MESSAGE_CIPHERTEXT_BYTES]) {
        const written = parts(headerLength, ciphertextLength);
        const bytes = encodeEnvelope(written);
        const read = readEnvelopeParts(bytes);
        expect(read).toBeDefined();
        expect(sameParts(read, written)).toBe(true);
        expect(sameParts(fullWay(bytes), read)).toBe(true);
        // Copies, each on a buffer of its own, as the CBOR decoder gives them.
        for (const part of Object.values(read!)) expect(part.buffer.byteLength).toBe(part.length);
      }
    },
  );

  it.each([
    ['a header over the bound', parts(MAX_ENVELOPE_HEADER_BYTES + 1, 40)],
    ['a ciphertext over the bound', parts(40, MAX_MESSAGE_CIPHERTEXT_BYTES + 1)],
    ['a short signature', parts(40, 40, 63)],
    ['a long signature', parts(40, 40, 65)],
  ])('leaves %s to the full way, which refuses it too', (_what, written) => {
    const bytes = encodeEnvelope(written);
    expect(readEnvelopeParts(bytes)).toBeUndefined();
    expect(fullWay(bytes)).toBeUndefined();
  });

  it('leaves a length written longer than it needs to the full way, which refuses it too', () => {
    const bytes = encodeEnvelope(parts(40, 40));
    // The signature's head 58 40 (one length byte) as 59 00 40 (two): the same value.
    const sigAt = bytes.length - 64 - 2;
    expect([bytes[sigAt], bytes[sigAt + 1]]).toEqual([0x58, 0x40]);
    const longer = Buffer.concat([
      bytes.subarray(0, sigAt),
      Uint8Array.of(0x59, 0x00, 0x40),
      bytes.subarray(sigAt + 2),
    ]);
    expect(readEnvelopeParts(longer)).toBeUndefined();
    expect(fullWay(longer)).toBeUndefined();
    expect(decodeEnvelope(longer)).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('accepts nothing the full way refuses, over thousands of mutated envelopes', () => {
    const alice = testDevice();
    const valid = sealMessage({
      roomId: randomId(),
      epochId: randomId(),
      epochKey: randomBytes(32),
      sender: alice,
      seq: 1,
      lamport: 1,
      ts: 1_700_000_000_000,
      body: { text: 'a message to mutate' },
    }).bytes;
    expect(readEnvelopeParts(valid)).toEqual(fullWay(valid));
    const random = seeded(20261129);
    const pick = (n: number) => Math.floor(random() * n);
    let acceptedByBoth = 0;
    for (let i = 0; i < 5000; i++) {
      const bytes = Buffer.from(valid);
      // Mostly near the start, where the map head, the keys and the length heads are.
      const at = random() < 0.7 ? pick(24) : pick(bytes.length);
      let mutated: Uint8Array;
      switch (pick(4)) {
        case 0:
          bytes[at] = pick(256);
          mutated = bytes;
          break;
        case 1:
          mutated = bytes.subarray(0, at);
          break;
        case 2:
          mutated = Buffer.concat([
            bytes.subarray(0, at),
            Uint8Array.of(pick(256)),
            bytes.subarray(at),
          ]);
          break;
        default:
          mutated = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]);
      }
      const read = readEnvelopeParts(mutated);
      if (read === undefined) continue;
      expect(fullWay(mutated)).toEqual(read);
      acceptedByBoth++;
    }
    // Some mutations keep the layout (a changed byte inside a part): both accept those.
    expect(acceptedByBoth).toBeGreaterThan(100);
  });
});
