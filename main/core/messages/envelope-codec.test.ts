import { describe, expect, it } from 'vitest';
import { aeadOpen, randomBytes, randomId, sha256, SIGN_LABELS, verify } from '../crypto';
import { decodeCbor, encodeCbor } from '../net/cbor';
import { ENVELOPE_WIRE_VERSION, MAX_MESSAGE_TEXT } from '../../../shared/room-wire';
import {
  decodeEnvelope,
  encodeEnvelope,
  encodeEnvelopeHeader,
  envelopeSignedData,
  MAX_ENVELOPE_BYTES,
  prevIdOf,
  sealMessage,
  type DecodedEnvelope,
  type SealMessageInput,
} from './envelope-codec';
import { testDevice } from './test-room.testing';

const alice = testDevice();
const epochKey = randomBytes(32);

function input(over: Partial<SealMessageInput> = {}): SealMessageInput {
  return {
    roomId: randomId(),
    epochId: randomId(),
    epochKey,
    sender: { deviceId: alice.deviceId, privateKey: alice.privateKey },
    seq: 1,
    lamport: 7,
    ts: 1_700_000_000_000,
    body: { text: 'hello' },
    ...over,
  };
}

function decoded(bytes: Uint8Array): DecodedEnvelope {
  const result = decodeEnvelope(bytes);
  if (!result.ok) throw new Error(`expected a valid envelope, got ${result.reason}`);
  return result.envelope;
}

describe('sealMessage / decodeEnvelope', () => {
  it('round-trips: the header reads back, the ID is the hash, and the parts verify and open', () => {
    const sealed = sealMessage(input());
    const env = decoded(sealed.bytes);

    expect(env.header).toEqual(sealed.header);
    expect(env.header).toMatchObject({
      v: ENVELOPE_WIRE_VERSION,
      sender: alice.deviceId,
      seq: 1,
      lamport: 7,
    });
    expect(env.header.prev).toBeUndefined();
    expect(env.id).toBe(sealed.id);
    expect(env.id).toBe(Buffer.from(sha256(sealed.bytes)).toString('hex'));
    expect(
      verify(
        alice.publicKey,
        SIGN_LABELS.envelope,
        envelopeSignedData(env.headerBytes, env.ciphertext),
        env.sig,
      ),
    ).toBe(true);
    const plaintext = aeadOpen(epochKey, env.ciphertext, env.headerBytes);
    expect(decodeCbor(plaintext!)).toEqual({ ok: true, value: { text: 'hello' } });
  });

  it('chains a message to the one before: prev carries that message’s ID', () => {
    const first = sealMessage(input());
    const second = sealMessage(input({ seq: 2, prev: first.id }));
    const env = decoded(second.bytes);
    expect(env.header.prev).toHaveLength(32);
    expect(prevIdOf(env.header)).toBe(first.id);
    expect(prevIdOf(decoded(first.bytes).header)).toBeUndefined();
  });

  it('draws a fresh nonce per message: the same input seals to two different envelopes', () => {
    const same = input();
    const a = sealMessage(same);
    const b = sealMessage(same);
    expect(Buffer.from(a.header.nonce).equals(b.header.nonce)).toBe(false);
    expect(a.id).not.toBe(b.id);
  });

  it('gives a replayed envelope the same ID, so the store drops it as a duplicate', () => {
    const sealed = sealMessage(input());
    const copy = new Uint8Array(sealed.bytes);
    expect(decoded(copy).id).toBe(decoded(sealed.bytes).id);
  });

  it('fits the longest text in the widest characters within the envelope limit', () => {
    const sealed = sealMessage(input({ body: { text: '€'.repeat(MAX_MESSAGE_TEXT) } }));
    expect(sealed.bytes.length).toBeLessThanOrEqual(MAX_ENVELOPE_BYTES);
    expect(decodeEnvelope(sealed.bytes).ok).toBe(true);
  });

  it('refuses to seal what receivers would refuse', () => {
    const mallory = testDevice();
    expect(() => sealMessage(input({ body: { text: '' } }))).toThrow(TypeError);
    expect(() => sealMessage(input({ body: { text: 'x'.repeat(MAX_MESSAGE_TEXT + 1) } }))).toThrow(
      TypeError,
    );
    expect(() => sealMessage(input({ seq: 0 }))).toThrow(TypeError);
    expect(() => sealMessage(input({ seq: 2 }))).toThrow(/prev/);
    expect(() => sealMessage(input({ seq: 1, prev: 'ab'.repeat(32) }))).toThrow(/prev/);
    expect(() => sealMessage(input({ seq: 2, prev: 'not-an-id' }))).toThrow(TypeError);
    expect(() => sealMessage(input({ roomId: 'not-hex' }))).toThrow(TypeError);
    expect(() =>
      sealMessage(input({ sender: { deviceId: alice.deviceId, privateKey: mallory.privateKey } })),
    ).toThrow(TypeError);
    expect(() => sealMessage(input({ epochKey: randomBytes(16) }))).toThrow(RangeError);
  });
});

/** The same header with its nonce moved to the front of the map. */
function nonceFirst({ nonce, ...rest }: DecodedEnvelope['header']): Record<string, unknown> {
  return { nonce, ...rest };
}

describe('decodeEnvelope refuses', () => {
  const sealed = sealMessage(input());
  const env = decoded(sealed.bytes);
  const parts = { header: env.headerBytes, ciphertext: env.ciphertext, sig: env.sig };

  /** [what, bytes, reason, the start of the detail when the branch matters] */
  const cases: [string, Uint8Array, string, string?][] = [
    ['empty input', new Uint8Array(0), 'malformed'],
    ['a truncated envelope', sealed.bytes.subarray(0, sealed.bytes.length - 1), 'malformed'],
    ['random bytes', randomBytes(300), 'malformed'],
    ['a CBOR value that is not a map', encodeCbor([1, 2, 3]), 'malformed'],
    ['an oversized input, before parsing it', randomBytes(MAX_ENVELOPE_BYTES + 1), 'oversized'],
    ['an extra field', encodeCbor({ ...parts, extra: 1 }), 'malformed', 'envelope: not the schema'],
    ['a missing field', encodeCbor({ header: parts.header, sig: parts.sig }), 'malformed'],
    ['a short signature', encodeEnvelope({ ...parts, sig: parts.sig.subarray(1) }), 'malformed'],
    [
      'the same map with keys in another order',
      encodeCbor({ sig: parts.sig, header: parts.header, ciphertext: parts.ciphertext }),
      'malformed',
      'envelope: not canonical',
    ],
    [
      // cbor-x writes a map's length as 0xb9 + u16; 0xa3 is the same value in shortest form.
      'the same map with a shorter length encoding',
      Buffer.concat([Uint8Array.of(0xa3), sealed.bytes.subarray(3)]),
      'malformed',
      'envelope: not canonical',
    ],
    [
      'a header that is not an EnvelopeHeader',
      encodeEnvelope({ ...parts, header: encodeCbor({ v: 1 }) }),
      'malformed',
    ],
    [
      'a header with an extra field',
      encodeEnvelope({ ...parts, header: encodeCbor({ ...env.header, extra: 1 }) }),
      'malformed',
      'header: not the schema',
    ],
    [
      'a header whose keys are in another order',
      encodeEnvelope({ ...parts, header: encodeCbor(nonceFirst(env.header)) }),
      'malformed',
      'header: not canonical',
    ],
    [
      'a header of version 1 (before prev)',
      encodeEnvelope({ ...parts, header: encodeEnvelopeHeader({ ...env.header, v: 1 as 2 }) }),
      'malformed',
      'header: not the schema',
    ],
    [
      'a header with seq > 1 and no prev',
      encodeEnvelope({ ...parts, header: encodeEnvelopeHeader({ ...env.header, seq: 2 }) }),
      'malformed',
      'header: not the schema',
    ],
    [
      'a header with seq 1 and a prev',
      encodeEnvelope({
        ...parts,
        header: encodeEnvelopeHeader({ ...env.header, prev: new Uint8Array(randomBytes(32)) }),
      }),
      'malformed',
      'header: not the schema',
    ],
    [
      'a prev that is not 32 bytes',
      encodeEnvelope({
        ...parts,
        header: encodeEnvelopeHeader({ ...env.header, seq: 2, prev: new Uint8Array(31) }),
      }),
      'malformed',
      'header: not the schema',
    ],
    [
      'a ciphertext that does not start with the header nonce',
      encodeEnvelope({ ...parts, ciphertext: Buffer.concat([randomBytes(12), env.ciphertext]) }),
      'malformed',
      'ciphertext',
    ],
    [
      'a ciphertext shorter than nonce and tag',
      encodeEnvelope({ ...parts, ciphertext: env.header.nonce }),
      'malformed',
      'ciphertext',
    ],
  ];

  it.each(cases)('%s', (_name, bytes, reason, detail) => {
    const result = decodeEnvelope(bytes);
    expect(result).toMatchObject({ ok: false, reason });
    if (detail !== undefined && !result.ok) expect(result.detail).toMatch(new RegExp(`^${detail}`));
  });

  it('never throws, whatever it is given', () => {
    for (const junk of [undefined, null, 'text', 42, {}, [1, 2]]) {
      expect(decodeEnvelope(junk as unknown as Uint8Array)).toMatchObject({
        ok: false,
        reason: 'malformed',
      });
    }
    for (let cut = 0; cut < sealed.bytes.length; cut += 7) {
      expect(decodeEnvelope(sealed.bytes.subarray(0, cut)).ok).toBe(false);
    }
  });
});
