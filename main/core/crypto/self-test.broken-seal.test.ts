// A seal that ignores the context: the self-test must notice.
import { describe, it, expect, vi } from 'vitest';
import { SEAL_CONTEXTS } from './labels';
import type * as Seal from './seal';
import { selfTestFailure } from './self-test.testing';

vi.mock('./seal', async (importOriginal) => {
  const actual = await importOriginal<typeof Seal>();
  return {
    ...actual,
    openSealed: (...[key, , box]: Parameters<typeof actual.openSealed>) =>
      actual.openSealed(key, SEAL_CONTEXTS.selfTest, box),
  };
});

describe('runCryptoSelfTests with a seal that ignores the context', () => {
  it('fails, naming seal-to-recipient', () => {
    expect(selfTestFailure().message).toContain(
      'seal-to-recipient: a box opened under another context',
    );
  });
});
