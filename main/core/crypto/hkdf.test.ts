import { describe, it, expect } from 'vitest';
import { fromHex, toHex } from './bytes';
import { hkdfSha256 } from './hkdf';

describe('hkdfSha256', () => {
  it('matches RFC 5869 test case 3 (empty salt and info)', () => {
    const okm = hkdfSha256(fromHex('0b'.repeat(22)), new Uint8Array(0), new Uint8Array(0), 42);
    expect(toHex(okm)).toBe(
      '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8',
    );
  });

  it('gives unrelated keys for different info', () => {
    const ikm = fromHex('01'.repeat(32));
    const a = hkdfSha256(ikm, new Uint8Array(0), new TextEncoder().encode('a'), 32);
    const b = hkdfSha256(ikm, new Uint8Array(0), new TextEncoder().encode('b'), 32);
    expect(a).toHaveLength(32);
    expect(toHex(a)).not.toBe(toHex(b));
  });
});
