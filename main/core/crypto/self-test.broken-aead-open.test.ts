// AES-GCM decryption that skips the tag check: the self-test must notice it opens forgeries.
import { createDecipheriv } from 'node:crypto';
import { describe, it, expect, vi } from 'vitest';
import type * as Aead from './aead';
import { selfTestFailure } from './self-test.testing';

vi.mock('./aead', async (importOriginal) => {
  const actual = await importOriginal<typeof Aead>();
  return {
    ...actual,
    aeadOpen: (key: Uint8Array, box: Uint8Array, aad: Uint8Array): Uint8Array | null => {
      const iv = box.subarray(0, actual.AEAD_NONCE_BYTES);
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAAD(aad);
      return decipher.update(box.subarray(actual.AEAD_NONCE_BYTES, -actual.AEAD_TAG_BYTES));
    },
  };
});

describe('runCryptoSelfTests with an AES-256-GCM that does not check tags', () => {
  it('fails, naming AES-256-GCM', () => {
    expect(selfTestFailure().message).toContain('AES-256-GCM: a box with a flipped bit opened');
  });
});
