// AES-GCM that writes one wrong byte: the self-test must refuse to start the node.
import { describe, it, expect, vi } from 'vitest';
import type * as Aead from './aead';
import { selfTestFailure } from './self-test.testing';

vi.mock('./aead', async (importOriginal) => {
  const actual = await importOriginal<typeof Aead>();
  return {
    ...actual,
    aeadSeal: (...args: Parameters<typeof actual.aeadSeal>): Uint8Array => {
      const box = Uint8Array.from(actual.aeadSeal(...args));
      box[box.length - 1] = (box[box.length - 1] ?? 0) ^ 0x01;
      return box;
    },
  };
});

describe('runCryptoSelfTests with a broken AES-256-GCM', () => {
  it('fails, naming AES-256-GCM', () => {
    expect(selfTestFailure().message).toContain('AES-256-GCM: sealed box was');
  });
});
