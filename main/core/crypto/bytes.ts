/**
 * Byte helpers for the crypto modules: concatenation, hex, comparison, and a Buffer view of a
 * Uint8Array for node:crypto calls whose types want a Buffer.
 *
 * What must stay true: `bytesEqual` is not constant-time, so it is only ever used on public
 * values (nonces, public keys, known-answer test outputs), never on secrets or MACs.
 */

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

/** A Buffer over the same memory (no copy), for node:crypto signatures typed as Buffer. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** Equality of two public byte strings. Not constant-time: never use it on secrets. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return asBuffer(a).equals(asBuffer(b));
}

export function toHex(bytes: Uint8Array): string {
  return asBuffer(bytes).toString('hex');
}

/** Parses hex written for people: whitespace is ignored so test vectors can be copied as printed. */
export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) {
    throw new RangeError('fromHex: not an even-length hex string');
  }
  return Buffer.from(clean, 'hex');
}

/** ASCII text as bytes; labels are checked to be ASCII where they are encoded. */
export function asciiBytes(text: string): Uint8Array {
  return Buffer.from(text, 'latin1');
}
