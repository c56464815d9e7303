// A one-time-key ECDH (node's ECDH object, what seals use) that returns the wrong secret while
// the KeyObject path is right: the self-test must still refuse to start the node.
import { describe, it, expect, vi } from 'vitest';
import type * as Ecdh from './ecdh';
import { sha256 } from './hash';
import { selfTestFailure } from './self-test.testing';

vi.mock('./ecdh', async (importOriginal) => {
  const actual = await importOriginal<typeof Ecdh>();
  const broken = (one: Ecdh.EphemeralEcdh): Ecdh.EphemeralEcdh => ({
    scalar: one.scalar,
    point: one.point,
    derive: (peerPoint) => sha256(one.derive(peerPoint)),
  });
  return {
    ...actual,
    ephemeralEcdhOf: (...args: Parameters<typeof actual.ephemeralEcdhOf>) =>
      broken(actual.ephemeralEcdhOf(...args)),
    newEphemeralEcdh: () => broken(actual.newEphemeralEcdh()),
  };
});

describe('runCryptoSelfTests with a broken one-time-key ECDH', () => {
  it('fails, naming ECDH P-256', () => {
    expect(selfTestFailure().message).toContain('ECDH P-256: ephemeral secret was');
  });
});
