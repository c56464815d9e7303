import { describe, it, expect } from 'vitest';
import { toHex } from './bytes';
import { sha256 } from './hash';

describe('sha256', () => {
  it('matches the FIPS 180-2 examples', () => {
    const text = (s: string): Uint8Array => new TextEncoder().encode(s);
    expect(toHex(sha256(new Uint8Array(0)))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(toHex(sha256(text('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });
});
