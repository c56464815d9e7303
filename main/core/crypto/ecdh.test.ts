import { generateKeyPairSync } from 'node:crypto';
import { describe, it, expect } from 'vitest';
import { toHex } from './bytes';
import { ecdh } from './ecdh';
import { generateEcKeyPair } from './keys';

describe('ecdh', () => {
  it('gives both sides the same 32-byte secret, and a third party another', () => {
    const a = generateEcKeyPair();
    const b = generateEcKeyPair();
    const c = generateEcKeyPair();
    const ab = ecdh(a.privateKey, b.publicKey);
    expect(ab).toHaveLength(32);
    expect(toHex(ecdh(b.privateKey, a.publicKey))).toBe(toHex(ab));
    expect(toHex(ecdh(c.privateKey, b.publicKey))).not.toBe(toHex(ab));
  });

  it('refuses keys that are not P-256 as a programming error', () => {
    const a = generateEcKeyPair();
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    expect(() => ecdh(a.privateKey, p384.publicKey)).toThrow(TypeError);
    expect(() => ecdh(p384.privateKey, a.publicKey)).toThrow(TypeError);
    expect(() => ecdh(a.privateKey, a.privateKey)).toThrow(TypeError);
  });
});
