import { describe, expect, it } from 'vitest';
import type { PasswordHash } from '../../../shared/room-wire';
import { hashPassword, verifyPassword } from './password';

describe('room passwords', () => {
  const hash = hashPassword('correct horse');

  it('accepts the right password and refuses a wrong one', () => {
    expect(verifyPassword('correct horse', hash)).toBe(true);
    expect(verifyPassword('correct horse ', hash)).toBe(false);
    expect(verifyPassword('Correct horse', hash)).toBe(false);
    expect(verifyPassword('', hash)).toBe(false);
  });

  it('keeps no password, and salts: one password hashes differently twice', () => {
    expect(hash).toMatchObject({ n: 16_384, r: 8, p: 1 });
    expect(hash.salt).toHaveLength(16);
    expect(hash.hash).toHaveLength(32);
    const again = hashPassword('correct horse');
    expect(Buffer.from(again.hash).equals(Buffer.from(hash.hash))).toBe(false);
  });

  it('treats the composed and decomposed forms of a letter as the same password', () => {
    const composed = hashPassword('caf\u00e9');
    expect(verifyPassword('cafe\u0301', composed)).toBe(true);
  });

  it('refuses, without throwing, hashes it should not or cannot compute', () => {
    const variants: unknown[] = [
      { ...hash, n: 1 << 20, r: 32 }, // 4 GiB of memory: a hostile admin's join-request bomb
      { ...hash, n: 1 << 16, r: 8, p: 16 }, // within memory, far too much work
      { ...hash, n: 10_000 }, // N must be a power of two
      { ...hash, hash: hash.hash.subarray(0, 16) },
      { ...hash, extra: true },
      null,
    ];
    for (const v of variants)
      expect(verifyPassword('correct horse', v as PasswordHash)).toBe(false);
    const changed = { ...hash, hash: new Uint8Array(hash.hash) };
    changed.hash[0]! ^= 1;
    expect(verifyPassword('correct horse', changed)).toBe(false);
  });

  it('refuses to hash an empty or enormous password', () => {
    expect(() => hashPassword('')).toThrow(/empty/);
    expect(() => hashPassword('x'.repeat(1025))).toThrow(/at most/);
  });
});
