/**
 * The outer envelope read without a CBOR decoder: the fast way for `decodeEnvelope`, which
 * accepts only the exact bytes `encodeEnvelope` writes (cbor-x's encoding of the map
 * {header, ciphertext, sig}, keys in that order):
 *
 *   b9 00 03                 a map of three (cbor-x writes a map's size as a u16)
 *   66 "header"      bstr    at most MAX_ENVELOPE_HEADER_BYTES
 *   6a "ciphertext"  bstr    at most MAX_MESSAGE_CIPHERTEXT_BYTES
 *   63 "sig"         bstr    exactly SIGNATURE_BYTES
 *
 * every byte string's length in its shortest form, and nothing after the signature. The full
 * way (strict CBOR, the Envelope schema, "re-encoding gives the same bytes") costs two cbor-x
 * passes and a schema parse for the same answer, on every message a member receives.
 *
 * What must stay true:
 * - Whatever this accepts, the full way accepts too, with the same parts: the layout above is
 *   what encodeEnvelope writes for parts within the schema's bounds, and envelope-codec.test.ts
 *   checks that at every length boundary and against mutated envelopes.
 * - Anything else gets undefined and goes the full way, which decides and says why; so a
 *   change in cbor-x's encoding can only leave this unused, never widen what is accepted.
 * - Never throws; the parts are copies, each on an ArrayBuffer of its own, as the decoder's are.
 */
import {
  MAX_ENVELOPE_HEADER_BYTES,
  MAX_MESSAGE_CIPHERTEXT_BYTES,
  SIGNATURE_BYTES,
} from '../../../shared/room-wire';

export interface EnvelopePartsRead {
  header: Uint8Array<ArrayBuffer>;
  ciphertext: Uint8Array<ArrayBuffer>;
  sig: Uint8Array<ArrayBuffer>;
}

const MAJOR_BYTES = 2;
const MAJOR_TEXT = 3;

/** The map's head and the first key; then each later key; as encodeEnvelope writes them. */
const START = Uint8Array.of(0xb9, 0x00, 0x03, ...textKey('header'));
const CIPHERTEXT_KEY = textKey('ciphertext');
const SIG_KEY = textKey('sig');

/** The parts of an envelope in exactly encodeEnvelope's layout, else undefined. */
export function readEnvelopeParts(bytes: Uint8Array): EnvelopePartsRead | undefined {
  let pos = expectBytes(bytes, 0, START);
  const header = byteString(bytes, pos, MAX_ENVELOPE_HEADER_BYTES);
  if (header === undefined) return undefined;
  pos = expectBytes(bytes, header.end, CIPHERTEXT_KEY);
  const ciphertext = byteString(bytes, pos, MAX_MESSAGE_CIPHERTEXT_BYTES);
  if (ciphertext === undefined) return undefined;
  pos = expectBytes(bytes, ciphertext.end, SIG_KEY);
  const sig = byteString(bytes, pos, SIGNATURE_BYTES);
  if (sig === undefined || sig.end - sig.start !== SIGNATURE_BYTES) return undefined;
  if (sig.end !== bytes.length) return undefined;
  return {
    header: copy(bytes, header),
    ciphertext: copy(bytes, ciphertext),
    sig: copy(bytes, sig),
  };
}

function textKey(key: string): number[] {
  // Every key here is shorter than 24 ASCII characters: a one-byte head.
  return [(MAJOR_TEXT << 5) | key.length, ...Buffer.from(key, 'latin1')];
}

/** The position after `expected` when `bytes` holds it at `pos`, else -1 (never matches later). */
function expectBytes(bytes: Uint8Array, pos: number, expected: Uint8Array | number[]): number {
  if (pos < 0 || pos + expected.length > bytes.length) return -1;
  for (let i = 0; i < expected.length; i++) if (bytes[pos + i] !== expected[i]) return -1;
  return pos + expected.length;
}

interface Span {
  start: number;
  end: number;
}

/** A byte string at `pos` whose length is in its shortest form and at most `max`. */
function byteString(bytes: Uint8Array, pos: number, max: number): Span | undefined {
  if (pos < 0 || pos >= bytes.length) return undefined;
  const initial = bytes[pos]!;
  if (initial >> 5 !== MAJOR_BYTES) return undefined;
  const info = initial & 0x1f;
  // info < 24 holds the length itself; 24, 25 and 26 announce 1, 2 and 4 bytes of it.
  const size = info < 24 ? 0 : info <= 26 ? 1 << (info - 24) : -1;
  if (size < 0 || pos + 1 + size > bytes.length) return undefined;
  let length = info < 24 ? info : 0;
  for (let i = 1; i <= size; i++) length = length * 256 + bytes[pos + i]!;
  const shortest = length < 24 ? 0 : length < 0x100 ? 1 : length < 0x10000 ? 2 : 4;
  if (size !== shortest || length > max) return undefined;
  const start = pos + 1 + size;
  const end = start + length;
  return end <= bytes.length ? { start, end } : undefined;
}

function copy(bytes: Uint8Array, { start, end }: Span): Uint8Array<ArrayBuffer> {
  // Uint8Array's slice copies (a Buffer's would not).
  return Uint8Array.prototype.slice.call(bytes, start, end) as Uint8Array<ArrayBuffer>;
}
