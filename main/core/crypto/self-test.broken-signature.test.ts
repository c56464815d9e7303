// An ECDSA verifier that accepts everything: the self-test must notice.
import { describe, it, expect, vi } from 'vitest';
import type * as Signature from './signature';
import { selfTestFailure } from './self-test.testing';

vi.mock('./signature', async (importOriginal) => ({
  ...(await importOriginal<typeof Signature>()),
  verifyRaw: (): boolean => true,
}));

describe('runCryptoSelfTests with an ECDSA that verifies anything', () => {
  it('fails, naming ECDSA P-256', () => {
    expect(selfTestFailure().message).toContain(
      'ECDSA P-256: the RFC 6979 signature verified for another message',
    );
  });
});
