// An HKDF that returns zeros: the self-test must refuse to start the node.
import { describe, it, expect, vi } from 'vitest';
import type * as Hkdf from './hkdf';
import { selfTestFailure } from './self-test.testing';

vi.mock('./hkdf', async (importOriginal) => ({
  ...(await importOriginal<typeof Hkdf>()),
  hkdfSha256: (_ikm: Uint8Array, _salt: Uint8Array, _info: Uint8Array, length: number) =>
    new Uint8Array(length),
}));

describe('runCryptoSelfTests with a broken HKDF', () => {
  it('fails, naming HKDF-SHA256', () => {
    expect(selfTestFailure().message).toContain('HKDF-SHA256: OKM of RFC 5869 test case 1 was');
  });
});
