// An ECDH that returns the wrong secret: the self-test must refuse to start the node.
import { describe, it, expect, vi } from 'vitest';
import type * as Ecdh from './ecdh';
import { sha256 } from './hash';
import { selfTestFailure } from './self-test.testing';

vi.mock('./ecdh', async (importOriginal) => {
  const actual = await importOriginal<typeof Ecdh>();
  return {
    ...actual,
    ecdh: (...args: Parameters<typeof actual.ecdh>): Uint8Array => sha256(actual.ecdh(...args)),
  };
});

describe('runCryptoSelfTests with a broken ECDH', () => {
  it('fails, naming ECDH P-256', () => {
    expect(selfTestFailure().message).toContain('ECDH P-256: initiator secret was');
  });
});
