import { describe, it, expect } from 'vitest';
import {
  aeadOpen,
  aeadSeal,
  AEAD_KEY_BYTES,
  AEAD_NONCE_BYTES,
  AEAD_OVERHEAD_BYTES,
  AEAD_TAG_BYTES,
} from './aead';
import { toHex } from './bytes';
import { randomBytes } from './random';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('aead', () => {
  const key = randomBytes(AEAD_KEY_BYTES);
  const aad = text('header');
  const plaintext = text('hello, room');

  it('round-trips, with the nonce first and the tag last', () => {
    const box = aeadSeal(key, plaintext, aad);
    expect(box).toHaveLength(plaintext.length + AEAD_OVERHEAD_BYTES);
    expect(AEAD_OVERHEAD_BYTES).toBe(AEAD_NONCE_BYTES + AEAD_TAG_BYTES);
    expect(toHex(aeadOpen(key, box, aad) ?? new Uint8Array())).toBe(toHex(plaintext));
  });

  it('round-trips an empty plaintext', () => {
    const box = aeadSeal(key, new Uint8Array(0), aad);
    expect(aeadOpen(key, box, aad)).toHaveLength(0);
  });

  it('uses a fresh random nonce unless one is given', () => {
    expect(toHex(aeadSeal(key, plaintext, aad))).not.toBe(toHex(aeadSeal(key, plaintext, aad)));
    const nonce = randomBytes(AEAD_NONCE_BYTES);
    const box = aeadSeal(key, plaintext, aad, nonce);
    expect(toHex(box.subarray(0, AEAD_NONCE_BYTES))).toBe(toHex(nonce));
    expect(toHex(aeadSeal(key, plaintext, aad, nonce))).toBe(toHex(box));
  });

  it('refuses the wrong AAD or the wrong key', () => {
    const box = aeadSeal(key, plaintext, aad);
    expect(aeadOpen(key, box, text('other header'))).toBeNull();
    expect(aeadOpen(key, box, new Uint8Array(0))).toBeNull();
    expect(aeadOpen(randomBytes(AEAD_KEY_BYTES), box, aad)).toBeNull();
  });

  it('refuses a box with any bit flipped', () => {
    const box = aeadSeal(key, plaintext, aad);
    for (let i = 0; i < box.length; i++) {
      const tampered = Uint8Array.from(box);
      tampered[i] = (tampered[i] ?? 0) ^ 0x80;
      expect(aeadOpen(key, tampered, aad)).toBeNull();
    }
  });

  it('gives null, without throwing, for boxes that are short, truncated or random', () => {
    const box = aeadSeal(key, plaintext, aad);
    expect(aeadOpen(key, new Uint8Array(0), aad)).toBeNull();
    expect(aeadOpen(key, box.subarray(0, AEAD_OVERHEAD_BYTES - 1), aad)).toBeNull();
    expect(aeadOpen(key, box.subarray(0, box.length - 1), aad)).toBeNull();
    expect(aeadOpen(key, box.subarray(1), aad)).toBeNull();
    for (const n of [AEAD_OVERHEAD_BYTES, 40, 200]) {
      expect(aeadOpen(key, randomBytes(n), aad)).toBeNull();
    }
  });

  it('throws for a key or nonce of the wrong length: those are programming errors', () => {
    expect(() => aeadSeal(randomBytes(16), plaintext, aad)).toThrow(RangeError);
    expect(() => aeadOpen(randomBytes(31), aeadSeal(key, plaintext, aad), aad)).toThrow(RangeError);
    expect(() => aeadSeal(key, plaintext, aad, randomBytes(16))).toThrow(RangeError);
  });
});
