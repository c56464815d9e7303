// A SHA-256 that throws: the self-test must report it as a failure, not crash with it.
import { describe, it, expect, vi } from 'vitest';
import type * as Hash from './hash';
import { selfTestFailure } from './self-test.testing';

vi.mock('./hash', async (importOriginal) => ({
  ...(await importOriginal<typeof Hash>()),
  sha256: (): Uint8Array => {
    throw new Error('Digest method not supported');
  },
}));

describe('runCryptoSelfTests with a broken SHA-256', () => {
  it('fails, naming SHA-256 and what it threw', () => {
    const error = selfTestFailure();
    expect(error.message).toContain('SHA-256: threw Digest method not supported');
    expect(error.cause).toBeInstanceOf(Error);
  });
});
