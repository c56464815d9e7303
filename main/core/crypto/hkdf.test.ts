import { hkdfSync } from 'node:crypto';
import { describe, it, expect } from 'vitest';
import { fromHex, toHex } from './bytes';
import { HKDF_SHA256_MAX_LENGTH, hkdfSha256 } from './hkdf';
import { randomBytes } from './random';

/** RFC 5869 appendix A, the three SHA-256 cases. */
const RFC5869 = [
  {
    name: 'test case 1 (basic)',
    ikm: '0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b',
    salt: '000102030405060708090a0b0c',
    info: 'f0f1f2f3f4f5f6f7f8f9',
    length: 42,
    okm: '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
  },
  {
    name: 'test case 2 (longer inputs and outputs)',
    ikm:
      '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f' +
      '202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f' +
      '404142434445464748494a4b4c4d4e4f',
    salt:
      '606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f' +
      '808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f' +
      'a0a1a2a3a4a5a6a7a8a9aaabacadaeaf',
    info:
      'b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf' +
      'd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeef' +
      'f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff',
    length: 82,
    okm:
      'b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c' +
      '59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71' +
      'cc30c58179ec3e87c14c01d5c1f3434f1d87',
  },
  {
    name: 'test case 3 (empty salt and info, as a sealed box has an empty salt)',
    ikm: '0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b',
    salt: '',
    info: '',
    length: 42,
    okm: '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8',
  },
];

describe('hkdfSha256', () => {
  for (const v of RFC5869) {
    it(`matches RFC 5869 ${v.name}`, () => {
      const okm = hkdfSha256(fromHex(v.ikm), fromHex(v.salt), fromHex(v.info), v.length);
      expect(toHex(okm)).toBe(v.okm);
    });
  }

  it("gives node's hkdfSync output for every length across block boundaries, salted or not", () => {
    const ikm = randomBytes(32);
    const salt = randomBytes(32);
    const info = randomBytes(250); // about a sealed box's info
    const lengths = [0, 1, 12, 31, 32, 33, 44, 63, 64, 65, 96, 97, 1000, HKDF_SHA256_MAX_LENGTH];
    for (const length of lengths) {
      for (const s of [salt, new Uint8Array(0)]) {
        const expected = new Uint8Array(hkdfSync('sha256', ikm, s, info, length));
        expect(toHex(hkdfSha256(ikm, s, info, length)), `length ${length}`).toBe(toHex(expected));
      }
    }
  });

  it('is a prefix-consistent stream: a shorter output is the start of a longer one', () => {
    const ikm = randomBytes(32);
    const info = randomBytes(40);
    const long = hkdfSha256(ikm, new Uint8Array(0), info, 100);
    expect(toHex(hkdfSha256(ikm, new Uint8Array(0), info, 44))).toBe(toHex(long.subarray(0, 44)));
  });

  it('gives unrelated keys for different info', () => {
    const ikm = fromHex('01'.repeat(32));
    const a = hkdfSha256(ikm, new Uint8Array(0), new TextEncoder().encode('a'), 32);
    const b = hkdfSha256(ikm, new Uint8Array(0), new TextEncoder().encode('b'), 32);
    expect(a).toHaveLength(32);
    expect(toHex(a)).not.toBe(toHex(b));
  });

  it('returns bytes on their own buffer', () => {
    const okm = hkdfSha256(randomBytes(32), new Uint8Array(0), new Uint8Array(0), 44);
    expect(okm.byteOffset).toBe(0);
    expect(okm.buffer.byteLength).toBe(44);
  });

  it('throws RangeError for a length the RFC does not allow', () => {
    const ikm = randomBytes(32);
    const none = new Uint8Array(0);
    for (const length of [-1, 1.5, Number.NaN, HKDF_SHA256_MAX_LENGTH + 1]) {
      expect(() => hkdfSha256(ikm, none, none, length)).toThrow(RangeError);
    }
  });
});
