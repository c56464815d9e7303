// An HKDF that is right with a salt and wrong without one (the path sealed boxes take): the
// self-test must refuse to start the node, though RFC 5869 test case 1 passes.
import { hkdfSync } from 'node:crypto';
import { describe, it, expect, vi } from 'vitest';
import type * as Hkdf from './hkdf';
import { selfTestFailure } from './self-test.testing';

vi.mock('./hkdf', async (importOriginal) => ({
  ...(await importOriginal<typeof Hkdf>()),
  hkdfSha256: (ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number) =>
    new Uint8Array(
      hkdfSync('sha256', ikm, salt.length > 0 ? salt : Uint8Array.of(1), info, length),
    ),
}));

describe('runCryptoSelfTests with an HKDF that mishandles an empty salt', () => {
  it('fails, naming the empty-salt vector', () => {
    expect(selfTestFailure().message).toContain('HKDF-SHA256: OKM of RFC 5869 test case 3 was');
  });
});
